/**
 * Generates the tiny GGUF models the embedded engine serves: llama
 * architecture, weights drawn from a seeded PRNG, a small SentencePiece-style
 * vocabulary of English words with byte fallback. They produce meaningless
 * text. They exist to exercise the harness and measure the machine, not to
 * answer anything.
 *
 * Generation is deterministic (integer PRNG, uniform weights, no
 * transcendental functions), so each file has a known sha256; a cached file is
 * reused only when it still matches, and is regenerated otherwise.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { seededRandom } from '../../evaluate/stats.ts';
import { TensorType, writeGguf, type MetadataValue, type TensorSpec } from './gguf-writer.ts';

export interface TinyModelSpec {
  /** Model id the embedded server lists. */
  id: string;
  embedding: number;
  layers: number;
  heads: number;
  feedForward: number;
  contextLength: number;
  seed: number;
}

export const TINY_MODELS: readonly TinyModelSpec[] = [
  { id: 'tiny-1m', embedding: 128, layers: 4, heads: 4, feedForward: 384, contextLength: 1024, seed: 1 },
  { id: 'tiny-8m', embedding: 256, layers: 8, heads: 4, feedForward: 768, contextLength: 1024, seed: 8 },
  { id: 'tiny-30m', embedding: 512, layers: 8, heads: 8, feedForward: 1536, contextLength: 1024, seed: 30 },
];

/** Bumped whenever the generator's output changes, so old caches are not trusted. */
export const GENERATOR_VERSION = 1;

/** sha256 of each generated file, checked after generation and before reuse. */
export const EXPECTED_SHA256: Record<string, string> = {
  'tiny-1m': 'a6ba84930875929b232556ad6f9a8d31fa586529c5660949247535e36b3a3831',
  'tiny-8m': 'd9989d1dfe765b6d12e31523328c8bd00d530afcd6097e411163a00748e3151f',
  'tiny-30m': '1c060eb7feb5f98f599b333a271c2b9f62684576f9ec32df8ae99bbcc5f69e42',
};

const WORDS = (
  'the of and to in is was that for on with as by at from it be this are or an not have which one all were they ' +
  'model token local fast slow small large latency memory cache device engine server client request answer ' +
  'prompt stream first time data text word line test bench run step value result error river stone cloud light ' +
  'night day green blue red yellow paper window garden music story table chair water fire earth wind bridge road ' +
  'city house market letter number signal pattern system network machine program method function process order ' +
  'simple quick quiet bright dark open close early late warm cold soft hard near far high low long short new old ' +
  'think make take give find keep know show tell ask move play read write build learn turn hold bring carry ' +
  'because while after before under over between across through around during without within about against ' +
  'morning evening winter summer spring autumn forest mountain valley ocean island desert harbor village castle ' +
  'apple bread honey salt sugar tea coffee lemon orange grape olive pepper rice bean corn wheat milk butter cheese ' +
  'circle square corner edge center point angle curve surface shadow mirror echo silence thunder rain snow storm ' +
  'gentle careful honest curious patient steady clever proud humble eager calm brave kind wise odd rare plain'
).split(/\s+/);

const PUNCTUATION = ['.', ',', ':', ';', '!', '?', '-'];

/** SentencePiece token types, as llama.cpp reads them. */
const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, BYTE: 6 } as const;

export interface Vocabulary {
  tokens: string[];
  scores: Float32Array;
  types: Int32Array;
  /** Tokens the model may generate: words and punctuation. Others get zero output weights. */
  generatable: boolean[];
}

export function buildVocabulary(): Vocabulary {
  const tokens: string[] = ['<unk>', '<s>', '</s>'];
  const types: number[] = [TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL];
  for (let byte = 0; byte < 256; byte++) {
    tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TokenType.BYTE);
  }
  const firstWord = tokens.length;
  for (const word of [...new Set(WORDS)]) {
    tokens.push(`\u2581${word}`);
    types.push(TokenType.NORMAL);
  }
  for (const mark of PUNCTUATION) {
    tokens.push(mark);
    types.push(TokenType.NORMAL);
  }
  tokens.push('\u2581');
  types.push(TokenType.NORMAL);
  const scores = new Float32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) scores[i] = i < firstWord ? 0 : -(i - firstWord);
  const generatable = types.map((type, i) => type === TokenType.NORMAL && tokens[i] !== '\u2581');
  return { tokens, scores, types: Int32Array.from(types), generatable };
}

/** Parameters in a model's tensors. */
export function parameterCount(spec: TinyModelSpec, vocabSize: number): number {
  const { embedding: e, layers, feedForward: ff } = spec;
  const perLayer = 4 * e * e + 3 * e * ff + 2 * e;
  return 2 * vocabSize * e + layers * perLayer + e;
}

function tensorSeed(modelSeed: number, name: string): number {
  let hash = modelSeed >>> 0;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/** Uniform weights with the given standard deviation (uniform in +-sqrt(3) sd). */
function uniform(count: number, sd: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const half = Math.sqrt(3) * sd;
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = (random() * 2 - 1) * half;
  return values;
}

export function modelTensors(spec: TinyModelSpec, vocab: Vocabulary): TensorSpec[] {
  const { embedding: e, feedForward: ff } = spec;
  const n = vocab.tokens.length;
  const matrix = (name: string, cols: number, rows: number, sd = 0.02): TensorSpec => ({
    name,
    dims: [cols, rows],
    type: TensorType.F16,
    values: () => uniform(cols * rows, sd, tensorSeed(spec.seed, name)),
  });
  const ones = (name: string): TensorSpec => ({ name, dims: [e], type: TensorType.F32, values: () => new Float32Array(e).fill(1) });
  const output: TensorSpec = {
    ...matrix('output.weight', e, n, 0.5),
    values: () => {
      const weights = uniform(e * n, 0.5, tensorSeed(spec.seed, 'output.weight'));
      // Control and byte tokens never win the argmax: the text stays words, and EOS never cuts an answer short.
      vocab.generatable.forEach((ok, token) => {
        if (!ok) weights.fill(0, token * e, (token + 1) * e);
      });
      return weights;
    },
  };
  const tensors: TensorSpec[] = [matrix('token_embd.weight', e, n, 1), ones('output_norm.weight'), output];
  for (let layer = 0; layer < spec.layers; layer++) {
    const b = `blk.${layer}`;
    tensors.push(
      ones(`${b}.attn_norm.weight`),
      matrix(`${b}.attn_q.weight`, e, e),
      matrix(`${b}.attn_k.weight`, e, e),
      matrix(`${b}.attn_v.weight`, e, e),
      matrix(`${b}.attn_output.weight`, e, e),
      ones(`${b}.ffn_norm.weight`),
      matrix(`${b}.ffn_gate.weight`, e, ff),
      matrix(`${b}.ffn_up.weight`, e, ff),
      matrix(`${b}.ffn_down.weight`, ff, e),
    );
  }
  return tensors;
}

export function modelMetadata(spec: TinyModelSpec, vocab: Vocabulary): Array<[string, MetadataValue]> {
  const headDim = spec.embedding / spec.heads;
  return [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: `foundry-bench ${spec.id} (random weights, generator v${GENERATOR_VERSION})` }],
    ['general.file_type', { type: 'u32', value: 1 }], // mostly F16
    ['llama.context_length', { type: 'u32', value: spec.contextLength }],
    ['llama.embedding_length', { type: 'u32', value: spec.embedding }],
    ['llama.block_count', { type: 'u32', value: spec.layers }],
    ['llama.feed_forward_length', { type: 'u32', value: spec.feedForward }],
    ['llama.attention.head_count', { type: 'u32', value: spec.heads }],
    ['llama.attention.head_count_kv', { type: 'u32', value: spec.heads }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.rope.dimension_count', { type: 'u32', value: headDim }],
    ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
    ['llama.vocab_size', { type: 'u32', value: vocab.tokens.length }],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: vocab.tokens }],
    ['tokenizer.ggml.scores', { type: 'f32[]', value: vocab.scores }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: vocab.types }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: 0 }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: 1 }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: 2 }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
  ];
}

export function defaultModelCacheDir(root = process.cwd()): string {
  return resolve(root, 'node_modules/.cache/foundry-bench/models');
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface GeneratedModel {
  spec: TinyModelSpec;
  path: string;
  sha256: string;
  parameters: number;
  /** True when this call wrote the file; false when a verified cached copy was reused. */
  generated: boolean;
}

/**
 * Makes sure a model file exists and is the one this generator makes. Written
 * to a temporary name and renamed, so an interrupted generation never leaves
 * a file that looks finished.
 */
export async function ensureTinyModel(spec: TinyModelSpec, dir = defaultModelCacheDir()): Promise<GeneratedModel> {
  const vocab = buildVocabulary();
  const path = join(dir, `${spec.id}.v${GENERATOR_VERSION}.gguf`);
  const parameters = parameterCount(spec, vocab.tokens.length);
  const expected = EXPECTED_SHA256[spec.id];
  if (existsSync(path)) {
    const sha256 = await sha256File(path);
    if (expected === undefined || sha256 === expected) return { spec, path, sha256, parameters, generated: false };
    rmSync(path, { force: true });
  }
  mkdirSync(dir, { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeGguf(temp, modelMetadata(spec, vocab), modelTensors(spec, vocab));
    const sha256 = await sha256File(temp);
    if (expected !== undefined && sha256 !== expected) {
      throw new Error(`generated ${spec.id} has sha256 ${sha256}, expected ${expected}: the generator is not deterministic on this platform`);
    }
    renameSync(temp, path);
    return { spec, path, sha256, parameters, generated: true };
  } finally {
    rmSync(temp, { force: true });
  }
}

export async function ensureTinyModels(dir = defaultModelCacheDir()): Promise<GeneratedModel[]> {
  const models: GeneratedModel[] = [];
  for (const spec of TINY_MODELS) models.push(await ensureTinyModel(spec, dir));
  return models;
}
