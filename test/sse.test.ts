import { describe, expect, test } from 'vitest';
import { SseParser } from '../harness/measure/sse.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('SseParser', () => {
  test('splits complete events and keeps partial ones for the next chunk', () => {
    const parser = new SseParser();
    expect(parser.push(bytes('data: {"a":1}\n\ndata: {"b"'))).toEqual(['{"a":1}']);
    expect(parser.push(bytes(':2}\n\n'))).toEqual(['{"b":2}']);
    expect(parser.end()).toEqual([]);
  });

  test('handles CRLF and CR line endings, even split across chunks', () => {
    const parser = new SseParser();
    expect(parser.push(bytes('data: one\r'))).toEqual([]);
    expect(parser.push(bytes('\n\r\ndata: two\r\rdata: three\n\n'))).toEqual(['one', 'two', 'three']);
  });

  test('joins multi-line data and ignores comments and other fields', () => {
    const parser = new SseParser();
    expect(parser.push(bytes(': keep-alive\nevent: message\nid: 7\nretry: 10\ndata: first\ndata:second\n\n'))).toEqual(['first\nsecond']);
  });

  test('decodes UTF-8 split inside a character', () => {
    const parser = new SseParser();
    const all = bytes('data: héllo ✓\n\n');
    const cut = 8; // inside the two-byte é
    expect(parser.push(all.slice(0, cut))).toEqual([]);
    expect(parser.push(all.slice(cut))).toEqual(['héllo ✓']);
  });

  test('flushes a last event without a closing blank line at the end', () => {
    const parser = new SseParser();
    expect(parser.push(bytes('data: [DONE]'))).toEqual([]);
    expect(parser.end()).toEqual(['[DONE]']);
  });
});

describe('SseParser on a huge event', () => {
  // A 50 MB event arriving in 64 KiB reads: each byte is looked at once, so the time per MB stays flat as the event grows.
  const feed = (megabytes: number): { ms: number; length: number } => {
    const parser = new SseParser();
    const chunk = bytes('x'.repeat(64 * 1024));
    const reads = Math.round((megabytes * 1e6) / chunk.length);
    const started = performance.now();
    parser.push(bytes('data: '));
    for (let i = 0; i < reads; i++) parser.push(chunk);
    const events = parser.push(bytes('\n\n'));
    return { ms: performance.now() - started, length: events[0]?.length ?? 0 };
  };

  test('a 50 MB event is parsed whole, in time linear in its size', () => {
    feed(2); // warm the JIT
    // The fastest of three of each: another test file may share the machine (vitest.config.ts).
    const fastest = (megabytes: number) => [feed(megabytes), feed(megabytes), feed(megabytes)].sort((a, b) => a.ms - b.ms)[0] as { ms: number; length: number };
    const small = fastest(5);
    const large = fastest(50);
    expect(large.length).toBe(Math.round(50e6 / 65536) * 65536);
    expect(small.length).toBe(Math.round(5e6 / 65536) * 65536);
    // Linear: 10x the bytes, ~10x the time (quadratic would be ~100x). Ratio measured in one run, generous bound.
    expect(large.ms / Math.max(small.ms, 1)).toBeLessThan(40);
  });

  test('CR at the end of a chunk and LF at the start of the next are one line ending', () => {
    const parser = new SseParser();
    expect(parser.push(bytes('data: a\r'))).toEqual([]);
    expect(parser.push(bytes('\n'))).toEqual([]);
    expect(parser.push(bytes('\r'))).toEqual(['a']);
    expect(parser.push(bytes('\ndata: b\n\n'))).toEqual(['b']);
  });
});
