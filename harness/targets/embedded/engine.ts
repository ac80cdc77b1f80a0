/**
 * The embedded inference engine: node-llama-cpp's prebuilt CPU binary running
 * the generated tiny models. Models load once and stay warm; each model has
 * one context sequence, so its requests run one at a time (in arrival order).
 * Decoding is greedy at temperature 0, so a prompt always gets the same text.
 */
import { statSync } from 'node:fs';
import { getLlama, getModuleVersion, type Llama, type LlamaContextSequence, type LlamaModel, type Token } from 'node-llama-cpp';
import type { ChatMessage, ModelInfo } from '../../types.ts';

export interface EngineModelFile {
  id: string;
  path: string;
  parameters: number;
  sha256: string;
}

/** What loading a model cost: the cold start and the memory it took. */
export interface LoadedModelInfo extends ModelInfo {
  id: string;
}

export interface GenerateOptions {
  maxTokens: number;
  temperature: number;
  seed: number;
  stop: readonly string[];
  signal?: AbortSignal;
  /** Called with each new piece of text as soon as it is final (never part of a stop sequence). */
  onText?: (text: string) => void;
}

export interface Generation {
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: 'stop' | 'length';
}

export class NoPrebuiltBinaryError extends Error {
  constructor(cause: unknown) {
    super(
      `the embedded engine needs a prebuilt node-llama-cpp binary for ${process.platform}-${process.arch}, and none loaded ` +
        `(${(cause as Error)?.message ?? String(cause)}). foundry-bench never builds llama.cpp from source: ` +
        'point the harness at a model server instead, e.g. BENCH_BASE_URL=http://127.0.0.1:5273/v1 or FOUNDRY_LOCAL_ENDPOINT.',
      { cause },
    );
    this.name = 'NoPrebuiltBinaryError';
  }
}

interface WarmModel {
  info: LoadedModelInfo;
  model: LlamaModel;
  sequence: LlamaContextSequence;
  /** Tail of the request queue: each request waits for the previous one. */
  queue: Promise<unknown>;
}

/**
 * The prompt format of the tiny models (they have no chat template): one
 * `role: content` line per message, then `assistant:`.
 */
export function formatPrompt(messages: readonly ChatMessage[]): string {
  return `${messages.map((m) => `${m.role}: ${m.content}`).join('\n')}\nassistant:`;
}

export class LlamaEngine {
  private constructor(
    private readonly llama: Llama,
    private readonly models: Map<string, WarmModel>,
    readonly engineVersion: string,
  ) {}

  /** Loads the llama.cpp binding (CPU only, never built or downloaded) and every model. */
  static async load(files: readonly EngineModelFile[], { threads = 1, contextSize = 1024 } = {}): Promise<LlamaEngine> {
    let llama: Llama;
    try {
      llama = await getLlama({ gpu: false, build: 'never', usePrebuiltBinaries: true, skipDownload: true, progressLogs: false, logLevel: 'error' as never });
    } catch (error) {
      throw new NoPrebuiltBinaryError(error);
    }
    const models = new Map<string, WarmModel>();
    for (const file of files) {
      const rssBefore = process.memoryUsage().rss;
      const started = performance.now();
      const model = await llama.loadModel({ modelPath: file.path, gpuLayers: 0 });
      // One thread: on small machines llama.cpp's thread synchronisation costs more than a second core gains.
      const context = await model.createContext({ contextSize, threads, sequences: 1 });
      const loadMs = performance.now() - started;
      models.set(file.id, {
        model,
        sequence: context.getSequence(),
        queue: Promise.resolve(),
        info: {
          id: file.id,
          parameters: file.parameters,
          fileBytes: statSync(file.path).size,
          sha256: file.sha256,
          loadMs,
          rssGrowthBytes: Math.max(0, process.memoryUsage().rss - rssBefore),
        },
      });
    }
    return new LlamaEngine(llama, models, await getModuleVersion());
  }

  modelIds(): string[] {
    return [...this.models.keys()];
  }

  modelInfo(id: string): LoadedModelInfo | undefined {
    return this.models.get(id)?.info;
  }

  countTokens(id: string, text: string): number {
    return this.warm(id).model.tokenize(text).length;
  }

  /** Generates a completion; requests to the same model are served one at a time. */
  generate(id: string, messages: readonly ChatMessage[], options: GenerateOptions): Promise<Generation> {
    const warm = this.warm(id);
    const run = warm.queue.then(() => this.run(warm, messages, options));
    warm.queue = run.catch(() => {});
    return run;
  }

  private warm(id: string): WarmModel {
    const warm = this.models.get(id);
    if (!warm) throw new Error(`model "${id}" is not loaded`);
    return warm;
  }

  private async run(warm: WarmModel, messages: readonly ChatMessage[], options: GenerateOptions): Promise<Generation> {
    const { model, sequence } = warm;
    const prompt = model.tokenize(formatPrompt(messages));
    const generated: Token[] = [];
    const holdBack = Math.max(0, ...options.stop.map((s) => s.length - 1));
    let text = '';
    let emitted = 0;
    let finishReason: Generation['finishReason'] = 'length';
    // Each request starts from an empty context: no prefix cache, so every sample does the same work.
    await sequence.clearHistory();
    for await (const token of sequence.evaluate(prompt, { temperature: options.temperature, seed: options.seed })) {
      if (options.signal?.aborted) break;
      if (model.isEogToken(token)) {
        finishReason = 'stop';
        break;
      }
      generated.push(token);
      text = model.detokenize(generated);
      const stopAt = firstStop(text, options.stop, emitted);
      if (stopAt !== -1) {
        text = text.slice(0, stopAt);
        finishReason = 'stop';
        break;
      }
      // Text that may still become a stop sequence, or an unfinished UTF-8 character, waits.
      const safe = text.endsWith('\uFFFD') ? text.length - 1 : text.length - holdBack;
      if (safe > emitted) {
        options.onText?.(text.slice(emitted, safe));
        emitted = safe;
      }
      if (generated.length >= options.maxTokens) break;
    }
    if (text.length > emitted) options.onText?.(text.slice(emitted));
    return { text, promptTokens: prompt.length, completionTokens: generated.length, finishReason };
  }

  async dispose(): Promise<void> {
    for (const warm of this.models.values()) await warm.model.dispose();
    await this.llama.dispose();
  }
}

function firstStop(text: string, stops: readonly string[], from: number): number {
  let best = -1;
  for (const stop of stops) {
    if (stop === '') continue;
    const at = text.indexOf(stop, Math.max(0, from - stop.length));
    if (at !== -1 && (best === -1 || at < best)) best = at;
  }
  return best;
}
