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
