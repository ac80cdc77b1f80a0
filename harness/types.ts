/**
 * The data foundry-bench passes around: what a spec asks for, what one request
 * measured, and what a case (one model x one prompt) produced. The results JSON
 * (`schemas/results.schema.json`) is these types serialised; keep them in step.
 */

/** One chat message, as the OpenAI chat API takes it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A facet of a good answer: present when any keyword occurs or the regex matches. */
export interface Facet {
  id: string;
  keywords?: string[];
  regex?: string;
  flags?: string;
}

/** A prompt of a prompt set, normalised: `messages` is always filled. */
export interface Prompt {
  id: string;
  messages: ChatMessage[];
  /** Overrides the spec's `maxTokens` for this prompt. */
  maxTokens?: number;
  expected?: { facets?: Facet[] };
}

/** A prompt as a user may write it inline or in a file. */
export interface PromptInput {
  id: string;
  text?: string;
  messages?: ChatMessage[];
  system?: string;
  maxTokens?: number;
  expected?: { facets?: Facet[] };
}

/** What the model catalog (fixtures/models.yaml) says about a model alias. */
export interface CatalogEntry {
  capabilities: string[];
  size_mb: number | null;
  license: string;
  family?: string;
  parameters?: number;
  description?: string;
}

/** Quality of a case's sample output, from three sources. Scores are 1-5. */
export interface QualityResult {
  /** Automatic: share of the prompt's expected facets present in the output. */
  facets: { score: number; share: number; matched: string[]; missing: string[] } | null;
  /** A judge model's score; `unscored` when its answer held no score. */
  judge: { model: string; status: 'scored' | 'unscored' | 'error'; score: number | null; answer: string } | null;
  /** A person's score from annotations.yaml, for this exact output. */
  manual: { score: number; note: string | null; by: string | null } | null;
  /** Annotations for this case that judged a different output (detached since the output changed). */
  detachedAnnotations: number;
  /** The manual score if any, else the mean of the automatic ones; null when nothing scored. */
  score: number | null;
}

/** Energy and cost per output token, estimated from throughput and a configured device power. */
export interface CostEstimate {
  estimate: true;
  /** Throughput the estimate rests on (median e2e tok/s). */
  tokensPerSec: number;
  deviceWatts: number;
  joulesPerToken: number;
  /** null without a configured electricity price. */
  costPerMillionTokens: number | null;
  currency: string | null;
}

/** Absolute limits; a case that exceeds one fails. Times in ms. */
export interface Budgets {
  /** Minimum quality score (1-5), from the spec's `quality.minScore` or the config. */
  minQuality?: number;
  p95Ms?: number;
  p99Ms?: number;
  ttftP95Ms?: number;
  minTokensPerSec?: number;
  /** Share of timed requests allowed to fail, 0..1. Default 0. */
  maxErrorRate?: number;
}

/** Latency metrics the regression gate can watch. */
export type GatedMetric = 'e2eP95' | 'e2eP99' | 'ttftP95' | 'tokensPerSec';
export type Verdict = 'regressed' | 'inconclusive' | 'improved' | 'unchanged' | 'new';
export type QuantileEstimator = 'linear' | 'harrell-davis';

/** How a spec is compared with its baseline. */
export interface RegressionOptions {
  /** One metric (`p95` and `p99` mean e2e) or several. Default `e2eP95`. */
  metric?: GatedMetric | 'p95' | 'p99' | Array<GatedMetric | 'p95' | 'p99'>;
  /** Allowed relative change, default 0.10. */
  tolerance?: number;
  /** Changes smaller than this many ms are ignored, default 1. */
  noiseFloorMs?: number;
  /** `regressed` (default) fails only real regressions; `inconclusive` also fails uncertain ones. */
  failOn?: 'regressed' | 'inconclusive';
  /** Quantile estimator of the gate, default `linear` (the one the reports show). */
  estimator?: QuantileEstimator;
}

/** What a `.bench.ts` spec passes to `benchModel`. */
export interface BenchOptions {
  /** Inline prompts, or a path (relative to the project root) to a JSON or YAML prompt set. */
  prompts: string | Array<PromptInput | string>;
  /** Untimed requests before timing starts. Default 2. */
  warmup?: number;
  /** Timed requests per prompt (a minimum when `timeMs` is also set). Default 30 unless only `timeMs` is given. */
  iterations?: number;
  /** Keep issuing timed requests until this much time has passed (and `iterations` are done). */
  timeMs?: number;
  maxTokens?: number;
  /** Default 0 (greedy). */
  temperature?: number;
  /** Default 42. */
  seed?: number;
  /** Streaming requests (default) measure TTFT and ITL; non-streaming only e2e and tokens. */
  stream?: boolean;
  budgets?: Budgets;
  /** Per-request timeout in ms, covering the whole stream. Default 60000. */
  timeoutMs?: number;
  /** Base URL of an OpenAI-compatible server for this spec only (with or without `/v1`). */
  target?: string;
  /** Comparison with the committed baseline. */
  regression?: RegressionOptions;
  /** Quality budget: fail a case whose quality score is below `minScore` (1-5). */
  quality?: { minScore?: number };
  /**
   * Foundry Local only: which variant of the alias to run. `cpu`, `gpu` or `npu` picks that device's variant, any
   * other string is an exact model id. Several run side by side, each as its own cases. Default: the variant
   * Foundry Local picks for this machine (a cached one first).
   */
  variant?: VariantSelector | VariantSelector[];
}

/** A Foundry Local variant choice: a device, or an exact model id such as `qwen2.5-0.5b-instruct-generic-cpu:4`. */
export type VariantSelector = 'cpu' | 'gpu' | 'npu' | (string & {});

export type DeviceType = 'CPU' | 'GPU' | 'NPU';

/** One variant in Foundry Local's catalog: a concrete model id under an alias. */
export interface FoundryVariant {
  /** Model id with version, e.g. `qwen2.5-0.5b-instruct-generic-cpu:4`. */
  id: string;
  alias: string;
  version: number | null;
  deviceType: DeviceType | null;
  executionProvider: string | null;
  /** Download size the catalog states, MB. */
  fileSizeMb: number | null;
  license: string | null;
  task: string | null;
  /** What a gen-1 download request needs besides the id (from `/foundry/list`). */
  downloadRef?: { uri: string; publisher: string | null; promptTemplate: unknown };
}

/** The variant a case ran: what the spec named and what it resolved to. */
export interface ResolvedVariant {
  /** The alias or id the spec named. */
  requested: string;
  /** The spec's variant selector, if any. */
  selector: string | null;
  id: string;
  deviceType: DeviceType | null;
  executionProvider: string | null;
  /** Download size, license and task, as Foundry Local's catalog states them for this variant. */
  fileSizeMb: number | null;
  license: string | null;
  task: string | null;
  /** Why this variant: `exact id`, `cached variant`, `first variant in catalog order`. */
  reason: string;
}

/** Foundry Local generations: `service` (CLI <= 0.8, REST under /openai) and `server` (Core 1.x, CLI 0.10+, SDK 1.x). */
export type FoundryGeneration = 'service' | 'server';

/** What discovery learned about a Foundry Local service; handed to the spec workers with the target. */
export interface FoundryTarget {
  generation: FoundryGeneration;
  /** Service origin, e.g. `http://127.0.0.1:52364` (the OpenAI API is under /v1). */
  origin: string;
  /** Product version (from `foundry --version`), when known. */
  version: string | null;
  /** `env:FOUNDRY_LOCAL_ENDPOINT`, `foundry server status`, `foundry service status`, `foundry-local-sdk`, ... */
  discoveredBy: string;
  catalog: FoundryVariant[];
  /** Where the catalog came from; `v1/models` means ids only, with aliases inferred from them. */
  catalogSource: 'foundry/list' | 'cli' | 'sdk' | 'v1/models';
  /** The model cache directory the service reports. */
  cacheDir: string | null;
  /** The service's process id, when known (for its memory). */
  pid: number | null;
  /** The `foundry` CLI, when installed (gen-2 downloads go through it). */
  cli: string | null;
  /** With the SDK: the run's own loopback endpoint that downloads through it (see targets/foundry-sdk.ts). */
  downloadBridge: string | null;
}

/** The parameters a case actually ran with, after defaults and overrides. */
export interface CaseParams {
  warmup: number;
  iterations: number;
  timeMs: number;
  maxTokens: number;
  temperature: number;
  seed: number;
  stream: boolean;
  timeoutMs: number;
}

/** Why a request failed. */
export type ErrorKind =
  | 'http' // the server answered with an HTTP error status
  | 'timeout' // no complete answer within timeoutMs (includes stalled streams)
  | 'connection' // could not connect, or the connection failed before any response
  | 'stream_reset' // the connection broke in the middle of a stream
  | 'malformed_stream' // a stream event was not valid JSON
  | 'stream_error' // the server sent an error object inside the stream
  | 'empty_response' // the response finished without any content
  | 'aborted' // the run itself was cancelled
  | 'unknown';

export interface RequestError {
  kind: ErrorKind;
  message: string;
  /** HTTP status, for `http` errors. */
  status?: number;
}

/** What one request measured. Times are ms from the moment the request was issued. */
export interface RequestSample {
  ok: boolean;
  /**
   * From the request being written to the socket to the `[DONE]` event that ends the stream (after the usage
   * chunk; the connection's end when a server sends none), or to the last byte of a whole response.
   */
  e2eMs: number;
  /** Request start to the first chunk with non-empty content; null when not streaming or failed before content. */
  ttftMs: number | null;
  /** Gaps between consecutive content chunks. */
  itlMs: number[];
  /** (e2e - TTFT) / (outputTokens - 1); null when fewer than 2 tokens or not streaming. */
  tpotMs: number | null;
  outputTokens: number;
  /** True when the server sent no usage and tokens are counted content chunks. */
  tokensEstimated: boolean;
  /** (outputTokens - 1) / (e2e - TTFT), in tokens per second. */
  decodeTokPerSec: number | null;
  /** outputTokens / e2e, in tokens per second. */
  e2eTokPerSec: number | null;
  finishReason: string | null;
  /** sha256 (hex) of the full output text; null when the request failed. */
  outputSha256: string | null;
  error: RequestError | null;
}

/** Distribution summary of one metric. Percentiles use linear interpolation (numpy's default). */
export interface Summary {
  n: number;
  mean: number;
  sd: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

/** A two-sided confidence interval. */
export interface Interval {
  lo: number;
  hi: number;
}

/** A summary with bootstrap 95% confidence intervals of p50 and p95. */
export interface SummaryWithCI extends Summary {
  p50CI: Interval;
  p95CI: Interval;
}

export interface CaseStats {
  e2eMs: SummaryWithCI | null;
  ttftMs: SummaryWithCI | null;
  /** Pooled inter-token gaps of all successful requests. */
  itlMs: Summary | null;
  tpotMs: Summary | null;
  outputTokens: Summary | null;
  decodeTokPerSec: Summary | null;
  e2eTokPerSec: Summary | null;
}

export interface ErrorSummary {
  count: number;
  /** count / timed requests. */
  rate: number;
  byKind: Partial<Record<ErrorKind, number>>;
  /** The first few errors, with the timed iteration they happened in. */
  first: Array<RequestError & { iteration: number }>;
}

export interface Determinism {
  /** True when every successful timed request produced identical text; null when fewer than 2 succeeded. */
  identical: boolean | null;
  distinctOutputs: number;
}

export interface BudgetViolation {
  budget: keyof Budgets;
  limit: number;
  actual: number;
  message: string;
}

export type CaseStatus = 'passed' | 'failed' | 'skipped';

/** Where the requests went, without credentials. */
export interface TargetInfo {
  baseURL: string;
  /** How it was chosen: `spec`, `env:BENCH_BASE_URL`, `env:FOUNDRY_LOCAL_ENDPOINT`, `cli`, ... */
  source: string;
  kind: 'openai-compatible' | 'embedded' | 'foundry-local';
  /** Server software and version, when known (e.g. `node-llama-cpp 3.22.1`). */
  server?: string;
}

/** What the target reports about a model it loaded: size, cold start, memory. */
export interface ModelInfo {
  parameters: number | null;
  fileBytes: number | null;
  sha256: string | null;
  /** Time to load the model and create its context (the cold start), ms. */
  loadMs: number | null;
  /** Growth of the server's resident memory while the model loaded, bytes. */
  rssGrowthBytes: number | null;
  /** Foundry Local: what the harness did to get the model ready, and the first request after loading. */
  lifecycle?: ModelLifecycle;
}

/** Foundry Local: download, load and cold start of one model, measured apart from the timed samples. */
export interface ModelLifecycle {
  /** Download time when the harness downloaded the model (never part of a latency figure); null otherwise. */
  downloadMs: number | null;
  downloadAttempts: number;
  /** True when the model was loaded before the harness started, so no cold start was measured. */
  alreadyLoaded: boolean;
  /** Resident memory of the service before and after the load, bytes; null when unknown (remote service, no pid). */
  rssBeforeBytes: number | null;
  rssAfterBytes: number | null;
  /** Size of the model in the local cache, bytes. */
  diskBytes: number | null;
  /** The first request after loading, with the spec's first prompt; never among the warm samples. */
  cold: { ok: boolean; ttftMs: number | null; e2eMs: number; error: string | null } | null;
  /** True when the harness loaded the model and unloads it after its cases, leaving the service as found. */
  unloadAfter: boolean;
}

/** Where a measurement was taken; baselines from a different place are flagged. */
export interface Fingerprint {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  arch: string;
  osRelease: string;
  node: string;
  targetKind: TargetInfo['kind'];
  server: string | null;
  model: string;
  /** Execution provider of a Foundry Local variant. */
  executionProvider?: string | null;
}

/** The fields of a request sample the gate needs, as baselines store them. */
export type GateSample = Pick<RequestSample, 'ok' | 'e2eMs' | 'ttftMs' | 'e2eTokPerSec'>;

export interface MetricVerdict {
  metric: GatedMetric;
  verdict: Verdict;
  /** The metric's value in the baseline and in this run. */
  base: number | null;
  head: number | null;
  /** head / base. */
  ratio: number | null;
  /** Bootstrap confidence interval of head / base. */
  ci: Interval | null;
  baseSamples: number;
  headSamples: number;
  /** One line a person can act on. */
  message: string;
}

/** The regression gate's decision for a case. */
export interface GateResult {
  verdict: Verdict;
  metrics: MetricVerdict[];
  /** True when the verdict fails the case (per `failOn`). */
  failed: boolean;
  tolerance: number;
  failOn: 'regressed' | 'inconclusive';
  baseline: { file: string; updatedAt: string; gitSha: string | null; fingerprint: Fingerprint } | null;
  /** Fingerprint fields that differ from the baseline's, as "field: base -> head". */
  fingerprintMismatch: string[];
  /** The sample output differs from the baseline's snapshot (a behaviour change, not a latency one); null without a snapshot. */
  outputChanged: boolean | null;
}

/** What a test leaves on `task.meta.bench` for the reporters. */
export interface CaseMeta {
  id: string;
  model: string;
  promptId: string;
  /** sha256 of the prompt messages and parameters that change the output; part of `id`. */
  promptHash: string;
  params: CaseParams;
  budgets: Budgets;
  target: TargetInfo;
  /** The served model's size, load time and memory, when the target reports them. */
  modelInfo: ModelInfo | null;
  /** Foundry Local: the variant the alias resolved to; null for other targets. */
  variant: ResolvedVariant | null;
  skipReason: string | null;
  /** Why the case failed, one line each (budgets, errors, unreachable target). */
  failures: string[];
  samples: RequestSample[];
  warmup: { count: number; errors: number };
  stats: CaseStats;
  errors: ErrorSummary;
  determinism: Determinism;
  budgetViolations: BudgetViolation[];
  /** Where this case was measured. */
  fingerprint: Fingerprint | null;
  /** The model catalog's entry for the model, when it has one. */
  catalog: CatalogEntry | null;
  quality: QualityResult | null;
  cost: CostEstimate | null;
  /** Comparison with the baseline; null when the gate did not run (skipped or failed before measuring). */
  gate: GateResult | null;
  sampleOutput: { text: string; truncated: boolean; sha256: string; outputTokens: number; finishReason: string | null } | null;
  /** Wall time of warmup plus timed requests. */
  durationMs: number;
}

// vitest re-exports TaskMeta from its runner package; the augmentation must target the declaring module.
declare module '@vitest/runner' {
  interface TaskMeta {
    bench?: CaseMeta;
  }
}

declare module 'vitest' {
  interface ProvidedContext {
    benchTarget: ProvidedTarget;
  }
}

/** What the global setup hands to every spec file: the run's default target and what it serves. */
export interface ProvidedTarget {
  info: TargetInfo | null;
  /** Model ids listed by `GET /v1/models`; null when the list could not be read (then no case is skipped for it). */
  models: string[] | null;
  /** Set when the target is unusable: every case fails with this message. */
  error: string | null;
  /** Per-model facts the target reported (the embedded engine does), by model id. */
  modelInfo: Record<string, ModelInfo>;
  /** Set when the target is Foundry Local. */
  foundry?: FoundryTarget;
}

/** One case in the results document: the test's measurement plus where it lives and how it ended. */
export interface CaseResult extends CaseMeta {
  /** Spec file, relative to the project root. */
  file: string;
  /** vitest's full test name: "model > prompt id". */
  name: string;
  status: CaseStatus;
  /** Hardware profile the case ran under (BENCH_PROFILE); merged runs may mix profiles. */
  profile: string;
}

/** The results document, `bench-results/results.json`: the source of every report. */
export interface RunResults {
  schemaVersion: 1;
  tool: { name: 'foundry-bench'; version: string };
  run: {
    startedAt: string;
    finishedAt: string;
    durationMs: number;
    gitSha: string | null;
    /** Hardware profile of the run (BENCH_PROFILE, default "default"); "mixed" after merging several. */
    profile: string;
    /** "i/n" when the run was one shard of several; after a merge, the shards merged ("1/3, 2/3, 3/3"). */
    shard: string | null;
    node: string;
    os: { platform: string; release: string; arch: string };
    cpu: { model: string; cores: number };
    memoryBytes: number;
    /** Distinct targets the cases ran against. */
    targets: TargetInfo[];
    /** vitest's verdict on the run. */
    outcome: 'passed' | 'failed' | 'interrupted';
    /** Errors outside any case: spec files that failed to load, unhandled errors. */
    errors: Array<{ file: string | null; message: string }>;
  };
  summary: { cases: number; passed: number; failed: number; skipped: number };
  cases: CaseResult[];
}
