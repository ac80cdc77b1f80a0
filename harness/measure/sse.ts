/**
 * An incremental parser for server-sent events (the WHATWG event-stream
 * format): feed it bytes as they arrive, get back the `data` of every event
 * completed by them. The runner times each network read itself, so parsing
 * stays cheap and out of the way; comments, `event:`, `id:` and `retry:`
 * lines are accepted and ignored, as chat completion streams only use `data`.
 *
 * Linear in the stream's size however it is cut: each chunk is scanned once,
 * and a line that spans many chunks is kept as pieces joined when it ends
 * (re-scanning a growing buffer made a 16 MiB event cost seconds).
 */
export class SseParser {
  private readonly decoder = new TextDecoder();
  /** The pieces of a line not ended yet. */
  private pending: string[] = [];
  /** The last chunk ended in CR: an LF starting the next one belongs to it. */
  private afterCr = false;
  private data: string[] = [];

  /** Feeds a network chunk; returns the data of the events it completed, in order. */
  push(bytes: Uint8Array): string[] {
    return this.scan(this.decoder.decode(bytes, { stream: true }));
  }

  /** Ends the stream; returns the data of a last event that had no closing blank line. */
  end(): string[] {
    const events = this.scan(this.decoder.decode());
    if (this.pending.length > 0) this.line(this.takeLine(''), events);
    this.line('', events);
    return events;
  }

  private scan(text: string): string[] {
    const events: string[] = [];
    let start = 0;
    if (this.afterCr && text.startsWith('\n')) start = 1;
    if (text.length > 0) this.afterCr = false;
    for (let i = start; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code !== 10 && code !== 13) continue;
      this.line(this.takeLine(text.slice(start, i)), events);
      // CRLF counts as one line ending; a lone CR or LF too. A CR closing the chunk may be half a CRLF.
      if (code === 13) {
        if (i + 1 === text.length) this.afterCr = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    if (start < text.length) this.pending.push(text.slice(start));
    return events;
  }

  private takeLine(tail: string): string {
    if (this.pending.length === 0) return tail;
    this.pending.push(tail);
    const line = this.pending.join('');
    this.pending = [];
    return line;
  }

  private line(line: string, events: string[]): void {
    if (line === '') {
      if (this.data.length > 0) events.push(this.data.join('\n'));
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    this.data.push(value);
  }
}
