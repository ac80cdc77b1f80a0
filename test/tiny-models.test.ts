import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gguf } from '@huggingface/gguf';
import { beforeAll, describe, expect, test } from 'vitest';
import { toFloat16Bits } from '../harness/targets/embedded/gguf-writer.ts';
import {
  buildVocabulary,
  defaultModelCacheDir,
  ensureTinyModel,
  ensureTinyModels,
  EXPECTED_SHA256,
  sha256File,
  TINY_MODELS,
  type GeneratedModel,
} from '../harness/targets/embedded/tiny-models.ts';

describe('float16 conversion', () => {
  test.each([
    [0, 0x0000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // largest finite half
    [1e6, 0x7c00], // overflow to infinity
    [2 ** -24, 0x0001], // smallest subnormal
    [1e-9, 0x0000], // underflow to zero
    [0.1, 0x2e66], // rounds to nearest
  ])('%d -> %i', (value, bits) => {
    expect(toFloat16Bits(value)).toBe(bits);
  });
});

describe('tiny GGUF models', () => {
  let models: GeneratedModel[];
  beforeAll(async () => {
    models = await ensureTinyModels(defaultModelCacheDir());
  }, 60_000);

  test('are generated deterministically: every file has its expected sha256', () => {
    expect(models.map((m) => m.spec.id)).toEqual(['tiny-1m', 'tiny-8m', 'tiny-30m']);
    for (const model of models) expect(model.sha256).toBe(EXPECTED_SHA256[model.spec.id]);
  });

  test('read back as llama models with the declared shape (@huggingface/gguf)', async () => {
    const vocab = buildVocabulary();
    for (const model of models) {
      const parsed = await gguf(model.path, { allowLocalFile: true, computeParametersCount: true });
      const { tensorInfos, parameterCount } = parsed;
      const metadata = parsed.metadata as unknown as Record<string, unknown>;
      expect(metadata['general.architecture']).toBe('llama');
      expect(metadata['llama.embedding_length']).toBe(model.spec.embedding);
      expect(metadata['llama.block_count']).toBe(model.spec.layers);
      expect(metadata['tokenizer.ggml.model']).toBe('llama');
      expect((metadata['tokenizer.ggml.tokens'] as string[]).length).toBe(vocab.tokens.length);
      expect(tensorInfos).toHaveLength(3 + 9 * model.spec.layers);
      expect(tensorInfos.find((t) => t.name === 'token_embd.weight')?.shape.map(Number)).toEqual([model.spec.embedding, vocab.tokens.length]);
      expect(parameterCount).toBe(model.parameters);
    }
  });

  test('span about 1M, 8M and 30M parameters', () => {
    const millions = models.map((m) => m.parameters / 1e6);
    expect(millions[0]).toBeCloseTo(1, 0);
    expect(millions[1]).toBeGreaterThan(6);
    expect(millions[1]).toBeLessThan(9);
    expect(millions[2]).toBeGreaterThan(25);
    expect(millions[2]).toBeLessThan(32);
  });

  test('a verified cached file is reused, a corrupted one regenerated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiny-models-'));
    const spec = TINY_MODELS[0]!;
    const source = models[0]!;
    copyFileSync(source.path, join(dir, source.path.split('/').at(-1)!));
    const reused = await ensureTinyModel(spec, dir);
    expect(reused.generated).toBe(false);

    writeFileSync(reused.path, 'not a model');
    const regenerated = await ensureTinyModel(spec, dir);
    expect(regenerated.generated).toBe(true);
    expect(await sha256File(regenerated.path)).toBe(EXPECTED_SHA256[spec.id]);
  });
});
