/**
 * An incremental parser for server-sent events (the WHATWG event-stream
 * format): feed it bytes as they arrive, get back the `data` of every event
 * completed by them. The runner times each network read itself, so parsing
 * stays cheap and out of the way; comments, `event:`, `id:` and `retry:`
 * lines are accepted and ignored, as chat completion streams only use `data`.
 */
export class SseParser {
  private readonly decoder = new TextDecoder();
  private buffer = '';
  private data: string[] = [];

  /** Feeds a network chunk; returns the data of the events it completed, in order. */
  push(bytes: Uint8Array): string[] {
    this.buffer += this.decoder.decode(bytes, { stream: true });
    return this.drain(false);
  }

  /** Ends the stream; returns the data of a last event that had no closing blank line. */
  end(): string[] {
    this.buffer += this.decoder.decode();
    return this.drain(true);
  }

  private drain(final: boolean): string[] {
    const events: string[] = [];
    let start = 0;
    for (;;) {
      const newline = this.nextLineEnd(start);
      if (newline === -1) break;
      const cr = this.buffer[newline] === '\r';
      // A CR at the very end may be the first half of a CRLF: keep the line for the next chunk.
      if (cr && newline + 1 === this.buffer.length && !final) break;
      this.line(this.buffer.slice(start, newline), events);
      // CRLF counts as one line ending; a lone CR or LF too.
      start = newline + (cr && this.buffer[newline + 1] === '\n' ? 2 : 1);
    }
    this.buffer = this.buffer.slice(start);
    if (final) {
      if (this.buffer !== '') this.line(this.buffer, events);
      this.buffer = '';
      this.line('', events);
    }
    return events;
  }

  private nextLineEnd(from: number): number {
    const lf = this.buffer.indexOf('\n', from);
    const cr = this.buffer.indexOf('\r', from);
    if (cr === -1) return lf;
    if (lf === -1) return cr;
    return Math.min(cr, lf);
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
