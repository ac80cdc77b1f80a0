import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSimServer, type SimServer } from './fakes/sim-server.ts';
import { estimateCost } from '../harness/evaluate/energy.ts';
import { attachAnnotations, facetPresent, facetScore, judgeOutput, mergeQuality, parseJudgeScore } from '../harness/evaluate/quality.ts';
import type { Facet } from '../harness/types.ts';

const facets: Facet[] = [
  { id: 'retrieval', keywords: ['retrieve', 'retrieves', 'search'] },
  { id: 'documents', keywords: ['document', 'documents', 'knowledge base'] },
  { id: 'generation', regex: 'generat(e|es|ion)' },
];

describe('facet coverage', () => {
  test('scores the share of facets present, mapped to 1-5', () => {
    expect(facetScore('RAG retrieves documents, then generates an answer.', facets)).toEqual({
      score: 5,
      share: 1,
      matched: ['retrieval', 'documents', 'generation'],
      missing: [],
    });
    const partial = facetScore('It uses a Knowledge Base to GENERATE text.', facets);
    expect(partial?.matched).toEqual(['documents', 'generation']);
    expect(partial?.score).toBeCloseTo(1 + (4 * 2) / 3, 10);
    expect(facetScore('w0 w1 w2', facets)).toMatchObject({ score: 1, share: 0, missing: ['retrieval', 'documents', 'generation'] });
    expect(facetScore('anything', [])).toBeNull();
  });

  test('keywords match whole words and phrases, case-insensitively', () => {
    expect(facetPresent('We research it', { id: 'x', keywords: ['search'] })).toBe(false);
    expect(facetPresent('Search first.', { id: 'x', keywords: ['search'] })).toBe(true);
    expect(facetPresent('a third-party cloud', { id: 'x', keywords: ['third-party'] })).toBe(true);
    expect(facetPresent('Données privées', { id: 'x', keywords: ['données'] })).toBe(true);
  });
});

describe('judge answers', () => {
  test.each([
    ['4', 4],
    ['Score: 3/5', 3],
    ['{"score": 5, "reason": "complete"}', 5],
    ['I would give it 4 out of 5.', 4],
    ['**2**', 2],
    ['3.5', 3.5],
  ])('"%s" scores %d', (answer, score) => {
    expect(parseJudgeScore(answer)).toBe(score);
  });

  test.each(['w0 w1 w2 w3', '10', 'The answer is great', '', 'score: 9', '0/5'])('"%s" is unscored', (answer) => {
    expect(parseJudgeScore(answer)).toBeNull();
  });
});

describe('a judge model on a server', () => {
  let sim: SimServer;
  let openai: OpenAI;
  beforeAll(async () => {
    sim = await startSimServer({
      models: [
        { id: 'judge-ok', ttftMs: 0, tokenMs: 0, tokens: 2, reply: 'Score: 5' },
        { id: 'judge-babble', ttftMs: 0, tokenMs: 0, tokens: 6 },
        { id: 'judge-broken', ttftMs: 0, tokenMs: 0, tokens: 2, faults: { http500Every: 1 } },
      ],
    });
    openai = new OpenAI({ baseURL: sim.url, apiKey: 'k', maxRetries: 0 });
  });
  afterAll(() => sim.close());

  test('a score is parsed; nonsense is unscored; a failing judge is an error, never a crash', async () => {
    expect(await judgeOutput(openai, { model: 'judge-ok' }, 'Q?', 'A.')).toEqual({ model: 'judge-ok', status: 'scored', score: 5, answer: 'Score: 5' });
    expect(await judgeOutput(openai, { model: 'judge-babble' }, 'Q?', 'A.')).toMatchObject({ status: 'unscored', score: null, answer: 'w0 w1 w2 w3 w4 w5 ' });
    expect(await judgeOutput(openai, { model: 'judge-broken' }, 'Q?', 'A.')).toMatchObject({
      status: 'error',
      score: null,
      answer: expect.stringContaining('500'),
    });
    const asked = (await sim.served()).find((s) => s.model === 'judge-ok');
    expect(asked).toMatchObject({ temperature: 0, stream: false, maxTokens: 16 });
  });

  test('a judge that never answers is an error after its timeout, not a hung case', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const client = new OpenAI({ baseURL: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/v1`, apiKey: 'k', maxRetries: 0 });
      expect(await judgeOutput(client, { model: 'judge-silent', timeoutMs: 200 }, 'Q?', 'A.')).toEqual({
        model: 'judge-silent',
        status: 'error',
        score: null,
        answer: 'the judge gave no answer within 200 ms',
      });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});

describe('annotations', () => {
  const output = 'a'.repeat(64);
  const annotations = [
    { case: 'tiny-1m/hello@0123456789ab', outputSha256: output, score: 4, note: 'fine', by: 'ana' },
    { case: 'tiny-1m/hello@0123456789ab', outputSha256: 'b'.repeat(64), score: 1 },
    { case: 'other/case@000000000000', outputSha256: output, score: 5 },
  ];

  test('attach to the case and the exact output they judged', () => {
    expect(attachAnnotations(annotations, 'tiny-1m/hello@0123456789ab', output)).toEqual({
      manual: { score: 4, note: 'fine', by: 'ana' },
      detachedAnnotations: 1,
    });
  });

  test('detach when the output changes', () => {
    expect(attachAnnotations(annotations, 'tiny-1m/hello@0123456789ab', 'c'.repeat(64))).toEqual({ manual: null, detachedAnnotations: 2 });
  });

  test("a person's score wins; otherwise the automatic scores are averaged", () => {
    const facetsPart = { score: 3, share: 0.5, matched: ['a'], missing: ['b'] };
    const judge = { model: 'j', status: 'scored' as const, score: 5, answer: '5' };
    expect(mergeQuality({ facets: facetsPart, judge, manual: { score: 2, note: null, by: null }, detachedAnnotations: 0 }).score).toBe(2);
    expect(mergeQuality({ facets: facetsPart, judge, manual: null, detachedAnnotations: 0 }).score).toBe(4);
    expect(mergeQuality({ facets: facetsPart, judge: { ...judge, status: 'unscored', score: null }, manual: null, detachedAnnotations: 0 }).score).toBe(3);
    expect(mergeQuality({ facets: null, judge: null, manual: null, detachedAnnotations: 0 }).score).toBeNull();
  });
});

describe('cost and energy estimate', () => {
  test('joules per token and cost per million tokens from throughput and device power', () => {
    expect(estimateCost(100, { deviceWatts: 15, pricePerKWh: 0.3, currency: 'EUR' })).toEqual({
      estimate: true,
      tokensPerSec: 100,
      deviceWatts: 15,
      joulesPerToken: 0.15,
      // 1e6 tokens x 0.15 J = 150 kJ = 0.041666 kWh, x 0.30
      costPerMillionTokens: expect.closeTo(0.0125, 10),
      currency: 'EUR',
    });
    expect(estimateCost(100, { deviceWatts: 15 })?.costPerMillionTokens).toBeNull();
    expect(estimateCost(undefined, { deviceWatts: 15 })).toBeNull();
    expect(estimateCost(100, undefined)).toBeNull();
  });
});
