/**
 * The map of foundry-bench's domain: what a spec asks for, what a run was told
 * to do, where requests go, what one request measured, what a case (one model
 * x one prompt) amounts to, and the results document every report is rendered
 * from. The data path reads top to bottom in the same order as this file:
 * spec -> run options -> target -> request sample -> case record -> results.
 *
 * The results JSON Schema (`schemas/results.schema.json`) is generated from
 * `RunResults` and its doc comments (`npm run schema`); a test fails when the
 * two drift apart.
 */

// ---------------------------------------------------------------------------
// What a spec asks for
// ---------------------------------------------------------------------------

/** One chat message, as the OpenAI chat API takes it. */
export interface ChatMessage {
  /** Who speaks. */
  role: 'system' | 'user' | 'assistant';
  /** What they say. */
  content: string;
}

/** A facet of a good answer: present when any keyword occurs as a whole word, or the regex matches. */
export interface Facet {
  /** Short name shown in reports, unique within the prompt. */
  id: string;
  /** Words or phrases, matched case-insensitively as whole words. */
  keywords?: string[];
  /** A JavaScript regular expression (instead of `keywords`). */
  regex?: string;
  /**
   * Flags of `regex`.
   * @default "i"
   */
  flags?: string;
}

/** What a good answer to a prompt contains, for the quality rubric. */
export interface Expected {
  /** Facets whose share present becomes the automatic quality score. */
  facets?: Facet[];
}

/** A prompt of a prompt set, normalised: `messages` is always filled. */
export interface Prompt {
  /** Unique within the spec; part of the case name and id. */
  id: string;
  /** The conversation sent, system message first when there is one. */
  messages: ChatMessage[];
  /** Overrides the spec's `maxTokens` for this prompt. */
  maxTokens?: number;
  /** What a good answer contains. */
  expected?: Expected;
}

/** A prompt as a user writes it, inline in a spec or in a prompt set file. */
export interface PromptInput {
  /** Unique within the set; letters, digits, `.`, `_` and `-`. */
  id: string;
  /** A single user message (instead of `messages`). */
  text?: string;
  /** The whole conversation (instead of `text`). */
  messages?: ChatMessage[];
  /** A system message sent before `text` or `messages`. */
  system?: string;
  /** Overrides the spec's `maxTokens` for this prompt. */
  maxTokens?: number;
  /** What a good answer contains. */
  expected?: Expected;
}

/** Absolute limits: a case that exceeds one fails, whatever the baseline says. Times in ms. */
export interface Budgets {
  /**
   * Minimum quality score (1-5), from the spec's `quality.minScore` or the config.
   * @minimum 1
   * @maximum 5
   */
  minQuality?: number;
  /** Limit of e2e p95. */
  p95Ms?: number;
  /** Limit of e2e p99. */
  p99Ms?: number;
  /** Limit of TTFT p95. */
  ttftP95Ms?: number;
  /** Minimum median e2e throughput, tokens per second. */
  minTokensPerSec?: number;
  /**
   * Share of timed requests allowed to fail, 0..1.
   * @minimum 0
   * @maximum 1
   * @default 0
   */
  maxErrorRate?: number;
}

/** Latency metrics the regression gate can watch. */
export type GatedMetric = 'e2eP95' | 'e2eP99' | 'ttftP95' | 'tokensPerSec';
/** A gate verdict; see the table in docs/gate.md. `not-gated`: too few successful samples on a side to judge. */
export type Verdict = 'regressed' | 'inconclusive' | 'improved' | 'unchanged' | 'new' | 'not-gated';
/** How the gate estimates a quantile. */
export type QuantileEstimator = 'linear' | 'harrell-davis';
/** Which verdict fails a case: only `regressed`, or also `inconclusive`. */
export type FailOn = 'regressed' | 'inconclusive';

/** How a spec is compared with its baseline. */
export interface RegressionOptions {
  /**
   * One metric (`p95` and `p99` mean e2e) or several.
   * @default "e2eP95"
   */
  metric?: GatedMetric | 'p95' | 'p99' | Array<GatedMetric | 'p95' | 'p99'>;
  /**
   * Allowed relative change.
   * @default 0.1
   */
  tolerance?: number;
  /**
   * Changes smaller than this many ms are ignored.
   * @default 1
   */
  noiseFloorMs?: number;
  /**
   * `regressed` fails only real regressions; `inconclusive` also fails uncertain ones.
   * @default "regressed"
   */
  failOn?: FailOn;
  /**
   * Quantile estimator of the gate; `linear` is the one every report shows.
   * @default "linear"
   */
  estimator?: QuantileEstimator;
  /**
   * Below this many successful samples on either side a metric is reported "not gated: too few samples"
   * instead of getting a verdict (a p95 of fewer samples is little more than their maximum).
   * @default 20
   */
  minSamples?: number;
  /**
   * When the prompt text or a request parameter changed since the baseline: `replay` sends the baseline's recorded
   * request again alongside the case (A/B, as `--base-replay` does) and gates on that, the only fair reference for
   * a changed input (a case without a recorded request is compared as with `compare`); `compare` gates the case
   * against the stored runs; `new` treats it as a new case. Every report says what changed.
   * @default "replay"
   */
  onInputChange?: 'replay' | 'compare' | 'new';
  /**
   * Between-run drift assumed for a stored baseline (log-sd of a run's speed, 0.2 = about 20%): machine load,
   * heat and other jobs move whole runs. Weighs as a quarter of a run against the drift the baseline's own stored runs show.
   * @default 0.2
   */
  drift?: number;
  /**
   * Adaptive sampling: `iterations` becomes a minimum, and blocks of requests are added until the verdict is
   * decisive (regressed, improved, or unchanged by equivalence) or the budget is spent, with the false-alarm rate
   * held across the repeated looks (alpha spending). `true` turns it on for stored baselines too, `false` off.
   * @default on in A/B runs (--base-replay, --base-ref, --base-target), off otherwise
   */
  adaptive?: boolean | AdaptiveOptions;
}

/** The budget of adaptive sampling. */
export interface AdaptiveOptions {
  /**
   * Timed requests per side at most.
   * @default 100
   */
  maxIterations?: number;
  /**
   * Time the added requests may take at most, ms (the first `iterations` are not counted).
   * @default 120000
   */
  maxTimeMs?: number;
}

/** A Foundry Local variant choice: a device, or an exact model id such as `qwen2.5-0.5b-instruct-generic-cpu:4`. */
export type VariantSelector = 'cpu' | 'gpu' | 'npu' | (string & {});

/** What a `.bench.ts` spec passes to `benchModel`. */
export interface BenchOptions {
  /** Inline prompts, or a path (relative to the project root) to a JSON or YAML prompt set. */
  prompts: string | Array<PromptInput | string>;
  /**
   * Untimed requests before timing starts.
   * @default 2
   */
  warmup?: number;
  /**
   * Timed requests per prompt (a minimum when `timeMs` is also set).
   * @default 30, or 1 when only `timeMs` is given
   */
  iterations?: number;
  /**
   * Keep issuing timed requests until this much time has passed (and `iterations` are done).
   * @default 0
   */
  timeMs?: number;
  /**
   * `max_tokens` of each request; a prompt's own `maxTokens` wins.
   * @default 150
   */
  maxTokens?: number;
  /**
   * Sampling temperature.
   * @default 0
   */
  temperature?: number;
  /**
   * Seed sent with every request.
   * @default 42
   */
  seed?: number;
  /**
   * Streaming requests measure TTFT and ITL; non-streaming only e2e and tokens.
   * @default true
   */
  stream?: boolean;
  /** Absolute limits of the case. */
  budgets?: Budgets;
  /**
   * Per-request timeout in ms, covering the whole stream.
   * @default 60000
   */
  timeoutMs?: number;
  /** Base URL of an OpenAI-compatible server for this spec only (with or without `/v1`). */
  target?: string;
  /** Comparison with the committed baseline. */
  regression?: RegressionOptions;
  /** Quality budget: fail a case whose quality score is below `minScore` (1-5). */
  quality?: { minScore?: number };
  /**
   * Before its first case, warm the model up until its latency is stable, beyond `warmup` (per model, not per
   * case: the first case after a start is otherwise slow for several requests). `false` turns it off.
   * @default true, with the defaults of StabilizeOptions
   */
  stabilize?: boolean | Partial<StabilizeOptions>;
  /**
   * Foundry Local only: which variant of the alias to run. `cpu`, `gpu` or `npu` picks that device's variant, any
   * other string is an exact model id. Several run side by side, each as its own cases.
   * @default the variant Foundry Local picks for this machine (a cached one first)
   */
  variant?: VariantSelector | VariantSelector[];
  /**
   * How requests are sent. Sequential (one after another) unless given: `{ concurrency: N }` keeps N users busy
   * (closed loop), `{ rate: R }` sends R requests a second on a seeded schedule (open loop). A load case is its own
   * case (its id carries the profile), never compared with a sequential one.
   */
  load?: LoadOptions;
  /** Service-level objectives each request is judged by; the case fails when their attainment is below target. */
  slo?: SloOptions;
}

/** How requests arrive in an open loop: Poisson (exponential gaps), evenly spaced, or gamma-distributed gaps of shape k (k < 1 burstier, k = 1 Poisson, as vLLM's `--burstiness`). */
export type Arrival = 'poisson' | 'constant' | { gamma: number };

/** A load profile: closed loop (`concurrency`) or open loop (`rate`), always bounded in requests and time. */
export interface LoadOptions {
  /**
   * Closed loop: this many users, each sending its next request when its last one ended.
   * @minimum 1
   */
  concurrency?: number;
  /**
   * Open loop: requests per second, on a seeded schedule.
   * @exclusiveMinimum 0
   */
  rate?: number;
  /**
   * Open loop: how requests arrive.
   * @default 'poisson'
   */
  arrival?: Arrival;
  /**
   * Open loop: at most this many requests in flight; a request due while the cap is reached waits (its queue time).
   * @default 64
   */
  maxInFlight?: number;
  /**
   * Timed requests to schedule.
   * @default the case's iterations
   */
  requests?: number;
  /**
   * No request starts after this long, ms (those in flight finish); in a sweep, per probe.
   * @default 120000
   */
  durationMs?: number;
  /**
   * Search the capacity instead of measuring one level: the highest concurrency (closed loop) or rate (open loop)
   * whose objectives are met (`slo` required). Starts at 1, doubles until a level fails, then bisects; each probe
   * sends `requests` and more in batches, up to `maxRequests`, until its attainment is clearly above or below target.
   */
  sweep?: 'concurrency' | 'rate';
  /**
   * Sweep: at most this many levels probed.
   * @default 8
   */
  maxProbes?: number;
  /**
   * Sweep: at most this many requests per probe.
   * @default 100
   */
  maxRequests?: number;
  /**
   * Sweep: no level above this (users, or requests per second).
   * @default 256
   */
  limit?: number;
}

/** Service-level objectives: a request is good when it succeeded and met every objective given. */
export interface SloOptions {
  /** Time to first token, ms (measured from when the request was due: queue time counts). */
  ttftMs?: number;
  /** Time per output token after the first, ms (not judged for answers of one token). */
  tpotMs?: number;
  /** End to end, ms (from when the request was due: queue time counts). */
  e2eMs?: number;
  /**
   * Share of requests that must be good.
   * @default 0.95
   */
  attainment?: number;
}

/** When a model counts as warm: the median of the last `window` requests moved less than `tolerance` from the window before. */
export interface StabilizeOptions {
  /**
   * Requests per window.
   * @default 3
   */
  window: number;
  /**
   * Largest relative move of the median between two windows that counts as stable.
   * @default 0.1
   */
  tolerance: number;
  /**
   * At most this many requests, stable or not.
   * @default 30
   */
  maxRequests: number;
  /**
   * At most this long, ms, stable or not.
   * @default 60000
   */
  maxMs: number;
}

/** The parameters a case actually ran with, after defaults and overrides. */
export interface CaseParams {
  /**
   * Untimed requests before timing.
   * @minimum 0
   */
  warmup: number;
  /**
   * Timed requests (a minimum when `timeMs` > 0).
   * @minimum 1
   */
  iterations: number;
  /**
   * Time budget of the timed requests, ms; 0 means iterations only.
   * @minimum 0
   */
  timeMs: number;
  /**
   * `max_tokens` of each request.
   * @minimum 1
   */
  maxTokens: number;
  /** Sampling temperature. */
  temperature: number;
  /** Seed sent with every request. */
  seed: number;
  /** Streaming (true) or whole responses. */
  stream: boolean;
  /**
   * Per-request timeout, ms.
   * @exclusiveMinimum 0
   */
  timeoutMs: number;
  /** The load profile, resolved; absent for sequential requests. */
  load?: LoadProfile;
  /** The service-level objectives; absent when none are set. */
  slo?: Required<Pick<SloOptions, 'attainment'>> & Omit<SloOptions, 'attainment'>;
}

/** A resolved load profile: every bound set. */
export type LoadProfile =
  | { kind: 'closed'; concurrency: number; requests: number; durationMs: number }
  | { kind: 'open'; rate: number; arrival: Arrival; maxInFlight: number; requests: number; durationMs: number }
  | SweepProfile;

/** A capacity search: levels of concurrency or rate, each probed as its own closed or open loop. */
export interface SweepProfile {
  kind: 'sweep';
  over: 'concurrency' | 'rate';
  /** Rate sweeps: how requests arrive. */
  arrival: Arrival;
  /** Rate sweeps: the in-flight cap of every probe. */
  maxInFlight: number;
  /** Requests of a probe's first batch, and of each batch added. */
  requests: number;
  /** Requests of a probe at most. */
  maxRequests: number;
  maxProbes: number;
  /** Highest level probed. */
  limit: number;
  /** Per probe batch, ms. */
  durationMs: number;
}

// ---------------------------------------------------------------------------
// What a run was told to do
// ---------------------------------------------------------------------------

/** The reports a run can write; `json` (results.json) is always written. */
export type ReporterName = 'console' | 'json' | 'junit' | 'markdown' | 'csv' | 'github' | 'html';

/** The project's config file, `foundry-bench.config.{yaml,yml,json,ts}` (`schemas/config.schema.json`). */
export interface HarnessConfig {
  /** Base URL of an OpenAI-compatible server, used when no flag or environment variable names one. */
  target?: string;
  /**
   * Glob of the spec files.
   * @default "bench/**\/*.bench.ts"
   */
  specs?: string;
  /** Defaults for every spec's options. */
  defaults?: Partial<CaseParams>;
  /** Defaults of the regression gate. */
  regression?: RegressionOptions;
  /** The quality rubric: a minimum score and an optional judge model on the same target. */
  quality?: { minScore?: number; judge?: JudgeOptions };
  /** Inputs of the cost and energy estimate. */
  energy?: EnergyOptions;
  /**
   * Model catalog file.
   * @default "fixtures/models.yaml"
   */
  catalog?: string;
  /**
   * Quality annotations file (optional unless configured).
   * @default "annotations.yaml"
   */
  annotations?: string;
  /**
   * Directory of prompt sets, all validated before every run.
   * @default "fixtures/prompts"
   */
  promptsDir?: string;
  /**
   * Baseline directory.
   * @default "fixtures/baselines"
   */
  baselineDir?: string;
  /**
   * Hardware profile: selects `<baselineDir>/<profile>.json`.
   * @default "default"
   */
  profile?: string;
  /**
   * Results and reports directory.
   * @default "bench-results"
   */
  outputDir?: string;
  /**
   * Reports to write; results.json is always written.
   * @default all
   */
  reporters?: ReporterName[];
  /** How the harness treats Foundry Local. */
  foundry?: Partial<FoundryLifecycleOptions> & { discover?: boolean; startService?: boolean; download?: boolean };
}

/** A second model on the same target that scores each case's sample output 1-5; its requests are never timed. */
export interface JudgeOptions {
  /** Judge model id. */
  model: string;
  /**
   * `max_tokens` of the judge's answer.
   * @default 16
   */
  maxTokens?: number;
  /**
   * How long the judge may take to answer, ms; past it the score is recorded as an error and the run goes on.
   * @minimum 1
   * @default 60000
   */
  timeoutMs?: number;
}

/** Inputs of the energy and cost estimate. */
export interface EnergyOptions {
  /** Average power draw of the machine while generating, W. */
  deviceWatts: number;
  /** Electricity price per kWh; without it only energy is estimated. */
  pricePerKWh?: number;
  /**
   * Currency of the price.
   * @default "USD"
   */
  currency?: string;
}

/** Foundry Local's model lifecycle settings (config `foundry:`). */
export interface FoundryLifecycleOptions {
  /**
   * Retries of an interrupted download.
   * @default 3
   */
  downloadRetries: number;
  /**
   * Wait before the first retry, doubled each time, ms.
   * @default 2000
   */
  retryDelayMs: number;
  /**
   * How long the older generation keeps a loaded model (`ttl`), s.
   * @default 3600
   */
  ttlSeconds: number;
  /**
   * Unload, after its cases, a model the harness loaded.
   * @default true
   */
  unload: boolean;
}

/** How the harness finds and treats Foundry Local: flags and environment over config over defaults. */
export interface FoundryOptions extends FoundryLifecycleOptions {
  /**
   * Look for Foundry Local (CLI, SDK) when no target is set (`BENCH_FOUNDRY=0` turns it off).
   * @default true
   */
  discover: boolean;
  /**
   * Start the service when it is installed but not running, and stop it at the end (`--start-service`).
   * @default false
   */
  startService: boolean;
  /**
   * Download models that are not in the cache (`--download`); otherwise their cases are skipped.
   * @default false
   */
  download: boolean;
  /** `FOUNDRY_LOCAL_ENDPOINT`: Foundry Local at this URL, before any discovery. */
  endpoint: string | null;
  /** The `foundry` CLI found on PATH (or `FOUNDRY_CLI`); null when it is not installed. */
  cli: string | null;
  /**
   * Module imported as the optional SDK (`FOUNDRY_BENCH_SDK_MODULE`; tests point it at the published 1.2.3 classes with a stub core).
   * @default "foundry-local-sdk"
   */
  sdkModule: string;
  /**
   * `FOUNDRY_BENCH_SDK_CACHE`: the model cache the SDK path uses: by default the one the foundry CLI shares,
   * `~/.foundry/cache/models`, so models downloaded with the CLI count as cached.
   */
  sdkCacheDir: string;
}

/** The embedded engine's settings (environment only). */
export interface EmbeddedOptions {
  /**
   * Where the tiny models are generated and cached (`FOUNDRY_BENCH_MODEL_DIR`).
   * @default "<root>/node_modules/.cache/foundry-bench/models"
   */
  modelDir: string;
  /**
   * llama.cpp threads per model (`FOUNDRY_BENCH_THREADS`).
   * @default 1
   */
  threads: number;
}

/** Run-wide overrides of spec options, for a quick smoke run or a comparison with scripts that time whole responses. */
export interface ParamOverrides {
  /** `--iterations` / `BENCH_ITERATIONS`: timed requests per case (drops any `timeMs`). */
  iterations: number | null;
  /** `--warmup` / `BENCH_WARMUP`: untimed requests per case. */
  warmup: number | null;
  /** `--no-stream` / `BENCH_STREAM`: streaming or whole responses. */
  stream: boolean | null;
}

/**
 * Everything a run was told to do, made once by the CLI from its flags, the
 * config file and the environment (harness/cli/options.ts is the only reader
 * of `BENCH_*`). Vitest's workers get it with `inject('runOptions')`, the
 * global setup from its project, the reporter through its constructor.
 */
export interface RunOptions {
  /** The project root; relative paths in specs and the config resolve against it. */
  root: string;
  /** The validated config file; empty without one. */
  config: HarnessConfig;
  /**
   * Glob of the spec files, relative to `root` (`--specs`, config `specs`).
   * @default "bench/**\/*.bench.ts"
   */
  specs: string;
  /** vitest file filters from the command line. */
  filters: string[];
  /** `-t`: only cases whose "model prompt" name matches. */
  testNamePattern: string | null;
  /** `--shard i/n`: this run is the i-th of n shards of the spec files. */
  shard: string | null;
  /** `--target` / `BENCH_BASE_URL`: an OpenAI-compatible server, as given (checked when the run starts). */
  baseUrl: string | null;
  /** Where `baseUrl` came from, as reports name a target's source; null without one. */
  baseUrlSource: '--target' | 'env:BENCH_BASE_URL' | null;
  /**
   * `--base-target` / `BENCH_BASE_TARGET`: an OpenAI-compatible server every case is compared with, measured in
   * the same run (paired A/B: requests to both alternate in randomised ABBA blocks) instead of the stored baseline.
   */
  baseTarget: string | null;
  /** `BENCH_API_KEY` or `OPENAI_API_KEY`; never printed or stored. */
  apiKey: string;
  /** Run-wide overrides of spec options. */
  overrides: ParamOverrides;
  /** `--models` / `BENCH_MODELS`: only these model aliases run; null runs all. */
  models: string[] | null;
  /** Absolute directory of results.json and the reports (`--output`, config `outputDir`). */
  outputDir: string;
  /** Absolute directory of the baseline files (`--baseline-dir`, config `baselineDir`). */
  baselineDir: string;
  /** Hardware profile (`--profile`, config `profile`): the baseline file is `<baselineDir>/<profile>.json`. */
  profile: string;
  /** `--update-baseline`: write this run's figures into the baseline; nothing fails for having changed. */
  updateBaseline: boolean;
  /**
   * `--baseline-runs`: how many runs a baseline entry keeps (`--update-baseline` appends and drops the oldest).
   * @default 5
   */
  baselineRuns: number;
  /**
   * `--base-replay` / `--base-ref REF`: every case is compared with its baseline's recorded request, replayed on the same
   * target in the same run (paired A/B), instead of with the stored samples. `ref`: read the baseline file as committed
   * at that git ref; null reads the working tree's.
   */
  baseReplay: { ref: string | null } | null;
  /** `--fail-on` / `BENCH_FAIL_ON`: beats the config's `regression.failOn`, loses to a spec's. */
  failOn: FailOn | null;
  /** Foundry Local discovery and lifecycle. */
  foundry: FoundryOptions;
  /** The embedded engine. */
  embedded: EmbeddedOptions;
  /** Reports to write (config `reporters`); results.json is always written. */
  reporters: ReporterName[];
  /** How output looks and where CI wants it. */
  output: {
    /** `NO_COLOR` is set: no colours even on a terminal. */
    noColor: boolean;
    /** Running under GitHub Actions (`GITHUB_ACTIONS=true`). */
    githubActions: boolean;
    /** `GITHUB_STEP_SUMMARY`: the job summary file the Markdown report is appended to. */
    stepSummary: string | null;
  };
}

// ---------------------------------------------------------------------------
// Where requests go
// ---------------------------------------------------------------------------

/** Where the requests went, without credentials. */
export interface TargetInfo {
  /** Base URL including `/v1`, without credentials. */
  baseURL: string;
  /** How it was chosen: `spec`, `--target`, `env:BENCH_BASE_URL`, `env:FOUNDRY_LOCAL_ENDPOINT`, `config`, `embedded default`, ... */
  source: string;
  /** What serves it; `none` for a case that reached no target (none resolved, or stopped before it got one). */
  kind: 'openai-compatible' | 'embedded' | 'foundry-local' | 'none';
  /** Server software and version, when known (e.g. `node-llama-cpp 3.21.1`). */
  server?: string;
}

/**
 * A target as a run resolved it: ready to take requests (its model list read
 * once), or unusable, in which case every case fails with `error`.
 */
export type RunTarget =
  | {
      /** Requests can go there. */
      kind: 'ready';
      /** Where, and what serves it. */
      info: TargetInfo;
      /** Model ids listed by `GET /v1/models`; null when it has no list (then no case is skipped for it). */
      models: string[] | null;
      /** Per-model facts the target reported (the embedded engine does), by model id. */
      modelInfo: Record<string, ModelInfo>;
      /** Set when the target is Foundry Local. */
      foundry: FoundryTarget | null;
    }
  | {
      /** Nothing can be sent there. */
      kind: 'unusable';
      /** The target, when it was named but does not answer. */
      info: TargetInfo | null;
      /** One line saying what is wrong, naming the URL or variable. */
      error: string;
    };

/** What the model catalog (fixtures/models.yaml) says about a model alias. */
export interface CatalogEntry {
  /** What the model can do, e.g. chat, tools. */
  capabilities: string[];
  /** Download size, MiB (2^20 bytes, as Foundry Local's fileSizeMb); null when unknown. */
  size_mb: number | null;
  /** License identifier, e.g. apache-2.0. */
  license: string;
  /** Model family, e.g. qwen2.5. */
  family?: string;
  /** Parameter count. */
  parameters?: number;
  /** Free text. */
  description?: string;
}

/** What the target reports about a model it loaded: size, cold start, memory. */
export interface ModelInfo {
  /** Parameter count. */
  parameters: number | null;
  /** Size of the model's files, bytes. */
  fileBytes: number | null;
  /** sha256 of the model file (embedded engine). */
  sha256: string | null;
  /** Time to load the model and create its context (the cold start), ms. */
  loadMs: number | null;
  /** Growth of the server's resident memory while the model loaded, bytes. */
  rssGrowthBytes: number | null;
  /** Foundry Local: what the harness did to get the model ready, and the first request after loading. */
  lifecycle?: ModelLifecycle;
  /** The warm-up before the model's first case, until its latency was stable; never part of any sample. */
  warmUp?: WarmUp;
}

/** How long a model took to warm up. */
export interface WarmUp {
  /**
   * Requests sent.
   * @minimum 0
   */
  requests: number;
  /** True when the latency settled; false when the request or time limit ended the warm-up first. */
  stable: boolean;
  /**
   * Time it took, ms.
   * @minimum 0
   */
  ms: number;
  /** Median e2e of the last window, ms; null when no request succeeded. */
  medianMs: number | null;
  /** Each warm-up request's e2e latency in the order sent, ms (null: it failed); what reports draw the transient from. */
  e2eMs?: Array<number | null>;
}

/** Foundry Local: download, load and cold start of one model, measured apart from the timed samples. */
export interface ModelLifecycle {
  /** Download time when the harness downloaded the model (never part of a latency figure); null otherwise. */
  downloadMs: number | null;
  /**
   * Download attempts (retries of an interrupted download included); 0 without a download.
   * @minimum 0
   */
  downloadAttempts: number;
  /** True when the model was loaded before the harness started, so no cold start was measured. */
  alreadyLoaded: boolean;
  /** Resident memory of the service before the load, bytes; null when unknown (remote service, no pid). */
  rssBeforeBytes: number | null;
  /** Resident memory of the service after the load, bytes; null when unknown. */
  rssAfterBytes: number | null;
  /** Size of the model in the local cache, bytes. */
  diskBytes: number | null;
  /** The first request after loading, with the spec's first prompt; never among the warm samples. */
  cold: ColdRequest | null;
  /** True when the harness loaded the model and unloads it after its cases, leaving the service as found. */
  unloadAfter: boolean;
  /** Set when the Core would not load the variant by its id (the newest loads by alias only): how it was loaded instead. */
  loadedVia?: string;
}

/** The first request after a model loaded. */
export interface ColdRequest {
  /** It succeeded. */
  ok: boolean;
  /** Its time to first token, ms. */
  ttftMs: number | null;
  /** Its end-to-end time, ms. */
  e2eMs: number;
  /** Why it failed. */
  error: string | null;
}

// ---------------------------------------------------------------------------
// Foundry Local
// ---------------------------------------------------------------------------

/** A device kind of a Foundry Local variant. */
export type DeviceType = 'CPU' | 'GPU' | 'NPU';

/** One variant in Foundry Local's catalog: a concrete model id under an alias. */
export interface FoundryVariant {
  /** Model id with version, e.g. `qwen2.5-0.5b-instruct-generic-cpu:4`. */
  id: string;
  /** The alias it belongs to, e.g. `qwen2.5-0.5b`. */
  alias: string;
  /** The `:N` of its id. */
  version: number | null;
  /** Device it runs on. */
  deviceType: DeviceType | null;
  /** ONNX Runtime execution provider, e.g. `CPUExecutionProvider`. */
  executionProvider: string | null;
  /** Download size the catalog states, MiB (2^20 bytes). */
  fileSizeMb: number | null;
  /** License the catalog states. */
  license: string | null;
  /** Task the catalog states, e.g. `chat-completion`. */
  task: string | null;
  /** What a gen-1 download request needs besides the id (from `/foundry/list`). */
  /** Whether it was in the local cache when the catalog was read, as the CLI's or SDK's listing said; absent when unsaid. */
  cached?: boolean;
  downloadRef?: { uri: string; publisher: string | null; promptTemplate: unknown };
}

/** The variant a case ran: what the spec named and what it resolved to. */
export interface ResolvedVariant {
  /** The alias or id the spec named. */
  requested: string;
  /** The spec's variant selector, if any. */
  selector: string | null;
  /** The model id requests were sent to. */
  id: string;
  /** Device it runs on. */
  deviceType: DeviceType | null;
  /** Execution provider it runs on: the one the load asked for. */
  executionProvider: string | null;
  /**
   * The catalog's execution provider for this build, when the load asked for another (the older generation runs a
   * generic-GPU build on CUDA where the catalog has CUDA builds); absent when they agree.
   */
  catalogExecutionProvider?: string | null;
  /** Download size as Foundry Local's catalog states it for this variant, MiB (2^20 bytes). */
  fileSizeMb: number | null;
  /** License as Foundry Local's catalog states it. */
  license: string | null;
  /** Task as Foundry Local's catalog states it. */
  task: string | null;
  /** Why this variant: `exact id`, `cached variant`, `first variant in catalog order`. */
  reason: string;
}

/** Foundry Local generations: `service` (CLI <= 0.8, REST under /openai) and `server` (Core 1.x, CLI 0.10+, SDK 1.x). */
export type FoundryGeneration = 'service' | 'server';

/** What discovery learned about a Foundry Local service; handed to the spec workers with the target. */
export interface FoundryTarget {
  /** Which REST surface answers. */
  generation: FoundryGeneration;
  /** Service origin, e.g. `http://127.0.0.1:52364` (the OpenAI API is under /v1). */
  origin: string;
  /** Product version (from `foundry --version`), when known. */
  version: string | null;
  /** `env:FOUNDRY_LOCAL_ENDPOINT`, `foundry server status`, `foundry service status`, `foundry-local-sdk`, ... */
  discoveredBy: string;
  /** Every variant this machine can run. */
  catalog: FoundryVariant[];
  /** Where the catalog came from; `v1/models` means ids only, with aliases inferred from them. */
  catalogSource: 'foundry/list' | 'cli' | 'sdk' | 'v1/models';
  /** The model cache directory the service reports. */
  cacheDir: string | null;
  /** The service's process id, when known (for its memory). */
  pid: number | null;
  /** The `foundry` CLI, when installed (gen-2 downloads go through it). */
  cli: string | null;
  /** With the SDK: the run's own loopback endpoint that downloads through it (see targets/foundry/sdk.ts). */
  downloadBridge: string | null;
  /**
   * With the SDK: what registering the execution providers answered (`downloadAndRegisterEps()`); absent when
   * nothing said. A provider that failed leaves its GPU or NPU builds out of the catalog.
   */
  executionProviders?: { registered: string[]; failed: string[]; status: string | null };
}

// ---------------------------------------------------------------------------
// What one request measured
// ---------------------------------------------------------------------------

/** Why a request failed. */
export type ErrorKind =
  | 'http' // the server answered with an HTTP error status
  | 'timeout' // no complete answer within timeoutMs (includes stalled streams)
  | 'connection' // could not connect, or the connection failed before any response
  | 'stream_reset' // the connection broke in the middle of a stream
  | 'malformed_stream' // a stream event was not valid JSON, or the answer was no event stream / chat completion
  | 'stream_error' // the server sent an error object inside the stream
  | 'empty_response' // the response finished without any content
  | 'too_large' // the response passed its size cap (bytes, or content chunks for max_tokens)
  | 'aborted' // the run itself was cancelled
  | 'unknown';

/** A failed request's reason. */
export interface RequestError {
  /** The kind of failure. */
  kind: ErrorKind;
  /** One line describing it. */
  message: string;
  /** HTTP status, for `http` errors. */
  status?: number;
}

/** What one request measured. Times are ms from the moment the request was written to the socket. */
export interface RequestSample {
  /** True when the request produced a complete answer. */
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
  /**
   * Output tokens: `usage.completion_tokens`, else counted content chunks.
   * @minimum 0
   */
  outputTokens: number;
  /** True when the server sent no usage and tokens are counted content chunks. */
  tokensEstimated: boolean;
  /** (outputTokens - 1) / (e2e - TTFT), in tokens per second. */
  decodeTokPerSec: number | null;
  /** outputTokens / e2e, in tokens per second. */
  e2eTokPerSec: number | null;
  /** The server's finish reason (`stop`, `length`, ...). */
  finishReason: string | null;
  /**
   * sha256 (hex) of the full output text; null when the request failed.
   * @pattern ^[0-9a-f]{64}$
   */
  outputSha256: string | null;
  /** Why the request failed; null when it succeeded. */
  error: RequestError | null;
  /** Under load: when the request was due, ms from the start of the timed phase. */
  scheduledAtMs?: number;
  /**
   * Under load: from when it was due to when it was sent, ms (an open loop's requests wait while `maxInFlight` are out).
   * @minimum 0
   */
  queueMs?: number;
}

// ---------------------------------------------------------------------------
// What a case's samples amount to
// ---------------------------------------------------------------------------

/** Distribution summary of one metric. Percentiles use linear interpolation (numpy's default). */
export interface Summary {
  /**
   * Number of values.
   * @minimum 1
   */
  n: number;
  /** Arithmetic mean. */
  mean: number;
  /** Sample standard deviation (n - 1). */
  sd: number;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 95th percentile. */
  p95: number;
  /** 99th percentile. */
  p99: number;
}

/** A two-sided confidence interval. */
export interface Interval {
  /** Lower bound. */
  lo: number;
  /** Upper bound. */
  hi: number;
}

/** A summary with bootstrap 95% confidence intervals of p50 and p95. */
export interface SummaryWithCI extends Summary {
  /** 95% CI of the median. */
  p50CI: Interval;
  /** 95% CI of p95. */
  p95CI: Interval;
}

/** The statistics of a case, over its successful timed requests. */
export interface CaseStats {
  /** End-to-end latency, ms. */
  e2eMs: SummaryWithCI | null;
  /** Time to first token, ms. */
  ttftMs: SummaryWithCI | null;
  /** Pooled inter-token gaps of all successful requests, ms. */
  itlMs: Summary | null;
  /** Time per output token after the first, ms. */
  tpotMs: Summary | null;
  /** Output tokens per request. */
  outputTokens: Summary | null;
  /** Decode throughput, tokens per second. */
  decodeTokPerSec: Summary | null;
  /** End-to-end throughput, tokens per second. */
  e2eTokPerSec: Summary | null;
}

/** Failed timed requests of a case. */
export interface ErrorSummary {
  /**
   * Failed timed requests.
   * @minimum 0
   */
  count: number;
  /**
   * count / timed requests.
   * @minimum 0
   * @maximum 1
   */
  rate: number;
  /** Count per kind. */
  byKind: Partial<Record<ErrorKind, number>>;
  /** The first few errors, with the timed iteration they happened in. */
  first: Array<RequestError & { iteration: number }>;
}

/** At temperature 0 a server should answer the same prompt with the same text every time. */
export interface Determinism {
  /** True when every successful timed request produced identical text; null when fewer than 2 succeeded. */
  identical: boolean | null;
  /**
   * Number of distinct outputs.
   * @minimum 0
   */
  distinctOutputs: number;
}

/** A budget the case exceeded. */
export interface BudgetViolation {
  /** Which budget. */
  budget: keyof Budgets;
  /** Its limit. */
  limit: number;
  /** The measured value. */
  actual: number;
  /** One line a person can act on. */
  message: string;
}

/** Quality of a case's sample output, from three sources. Scores are 1-5. */
export interface QualityResult {
  /** Automatic: share of the prompt's expected facets present in the output. */
  facets: { score: number; share: number; matched: string[]; missing: string[] } | null;
  /** A judge model's score; `unscored` when its answer held no score. */
  judge: { model: string; status: 'scored' | 'unscored' | 'error'; score: number | null; answer: string } | null;
  /** A person's score from annotations.yaml, for this exact output. */
  manual: { score: number; note: string | null; by: string | null } | null;
  /**
   * Annotations for this case that judged a different output (detached since the output changed).
   * @minimum 0
   */
  detachedAnnotations: number;
  /** The manual score if any, else the mean of the automatic ones; null when nothing scored. */
  score: number | null;
}

/** Energy and cost per output token, estimated from throughput and a configured device power. */
export interface CostEstimate {
  /** Always true: this is an estimate, and labelled as one. */
  estimate: true;
  /** Throughput the estimate rests on (median e2e tok/s). */
  tokensPerSec: number;
  /** The configured device power, W. */
  deviceWatts: number;
  /** deviceWatts / tokensPerSec. */
  joulesPerToken: number;
  /** Electricity cost per million output tokens; null without a configured price. */
  costPerMillionTokens: number | null;
  /** Currency of the cost; null without a configured price. */
  currency: string | null;
}

/** The example output a case keeps (the first successful timed request's). */
export interface SampleOutput {
  /** The text, cut at 2000 characters. */
  text: string;
  /** True when `text` was cut. */
  truncated: boolean;
  /** sha256 of the whole output. */
  sha256: string;
  /** Its output tokens. */
  outputTokens: number;
  /** Its finish reason. */
  finishReason: string | null;
}

// ---------------------------------------------------------------------------
// The gate
// ---------------------------------------------------------------------------

/** Where a measurement was taken; baselines from a different place are flagged. */
export interface Fingerprint {
  /** CPU model name. */
  cpuModel: string;
  /** Logical cores. */
  cores: number;
  /** Total memory, GiB (rounded). */
  memoryGiB: number;
  /** `linux`, `darwin`, `win32`, ... */
  platform: string;
  /** `x64`, `arm64`, ... */
  arch: string;
  /** Kernel release. */
  osRelease: string;
  /** Node.js version. */
  node: string;
  /** What served the requests. */
  targetKind: TargetInfo['kind'];
  /** Server software and version. */
  server: string | null;
  /** The model id requests went to. */
  model: string;
  /** Execution provider of a Foundry Local variant. */
  executionProvider?: string | null;
}

/** The fields of a request sample the gate needs, as baselines store them. */
export type GateSample = Pick<RequestSample, 'ok' | 'e2eMs' | 'ttftMs' | 'e2eTokPerSec'>;

/** One gated metric's comparison with the baseline. */
export interface MetricVerdict {
  /** Which metric. */
  metric: GatedMetric;
  /** What the comparison says. */
  verdict: Verdict;
  /** The metric's value in the baseline. */
  base: number | null;
  /** The metric's value in this run. */
  head: number | null;
  /** head / base. */
  ratio: number | null;
  /** Bootstrap confidence interval of head / base, at the quantile's share of the confidence. */
  ci: Interval | null;
  /**
   * The body's shift: the mean ratio head / base of the quantiles p50, p55 .. p80 (geometric), with its
   * bootstrap CI at its share of the confidence. Absent for a metric tested on its quantile alone (tok/s).
   */
  shift?: { ratio: number; ci: Interval };
  /** Which statistic the verdict rests on: the body's `shift`, or the metric's `quantile` itself. */
  decidedBy?: DecidedBy;
  /**
   * Why the verdict is what it is, in a few words a report shows beside it, e.g. "the p50-p80 CI reaches beyond the
   * tolerance 10%, so neither a change nor its absence can be claimed"; absent for `new` and `not-gated`.
   */
  reason?: string;
  /**
   * The smallest change (as a fraction, 0.25 = 25%) this comparison could tell from noise and drift: half its
   * interval's width on a log scale, and at least the tolerance.
   * @minimum 0
   */
  detectable?: number;
  /**
   * Successful samples on the base side.
   * @minimum 0
   */
  baseSamples: number;
  /**
   * Successful samples on the head side.
   * @minimum 0
   */
  headSamples: number;
  /** One line a person can act on. */
  message: string;
}

/** The statistic a metric's verdict rests on: the body's shift (p50 .. p80), or the metric's quantile. */
export type DecidedBy = 'shift' | 'quantile';

/** The regression gate's decision for a case. */
export interface GateResult {
  /** The most severe metric verdict (a capacity verdict included). */
  verdict: Verdict;
  /** Per gated metric. */
  metrics: MetricVerdict[];
  /** A capacity search against the reference's capacity; absent for other cases. */
  capacity?: CapacityVerdict;
  /** Under load with objectives: the share of good requests against the reference's; absent for other cases. */
  attainment?: AttainmentVerdict;
  /** True when the verdict fails the case (per `failOn`). */
  failed: boolean;
  /**
   * The tolerance applied.
   * @minimum 0
   */
  tolerance: number;
  /** Which verdict fails a case. */
  failOn: FailOn;
  /** The reference compared with; null when there was none. */
  baseline: { file: string; updatedAt: string; gitSha: string | null; fingerprint: Fingerprint } | null;
  /** Fingerprint fields that differ from the baseline's, as "field: base -> head". */
  fingerprintMismatch: string[];
  /** The sample output differs from the baseline's snapshot (a behaviour change, not a latency one); null without a snapshot. */
  outputChanged: boolean | null;
  /** What changed in the request since the reference, e.g. "prompt text changed", "maxTokens 64 -> 80"; empty when nothing did (or it is unknown). */
  inputChanges?: string[];
  /**
   * The between-run drift (of e2e latency) a stored reference's verdict allowed for: a baseline's runs, or another
   * results file; null when the reference was measured alongside (A/B) or there was none.
   */
  drift?: {
    /**
     * Log-sd of a run's speed used.
     * @minimum 0
     */
    sigma: number;
    /**
     * Stored runs of the case it rests on (1 = the assumed drift alone).
     * @minimum 1
     */
    runs: number;
  } | null;
  /**
   * Set when the base was measured alongside the case (A/B, `--base-target`): requests to both alternated in
   * randomised ABBA blocks, and the CI comes from resampling whole blocks.
   */
  paired?: {
    /** The base target's URL. */
    target: string;
    /** With `--base-replay`: the baseline file whose recorded request was replayed as the base (and the git ref it was read at). */
    replayOf?: string;
    /**
     * Why the baseline's request was replayed: `flag` (`--base-replay`, `--base-ref`), or `input-changed` (the case's
     * request changed since the baseline, and `regression.onInputChange` is `replay`).
     */
    replayedBecause?: 'flag' | 'input-changed';
    /** Blocks the comparison rests on. */
    blocks: number;
  };
  /**
   * The A/B base's failed requests, when it had any. A base with fewer successful requests than the gate needs
   * fails the case (every metric `not-gated`, a failure naming the base's errors); a few are reported here.
   */
  baseErrors?: ErrorSummary;
  /**
   * The reference's timed requests in the order they were measured (its latest stored run, or the A/B base): what
   * reports draw beside this run's samples. Absent when there was no reference.
   */
  referenceSamples?: GateSample[];
  /** Set when sampling was adaptive: how many looks the verdict took, and why sampling stopped. */
  sampling?: {
    /**
     * Times the verdict was computed while requests were added.
     * @minimum 1
     */
    looks: number;
    /**
     * Timed requests per side at the end.
     * @minimum 0
     */
    iterations: number;
    /** `decisive`: regressed, improved or unchanged; `failing`: every request of a side failed; otherwise the budget that ran out. */
    stoppedBecause: 'decisive' | 'failing' | 'max-iterations' | 'max-time';
    /**
     * The two-sided false-alarm rate the last look was tested at (its share of the run's alpha).
     * @minimum 0
     */
    alpha: number;
  };
}

/** One case of a baseline file: the samples the gate needs and where they were measured. */
export interface BaselineEntry {
  /** The alias or id the spec names. */
  model: string;
  /** The prompt's id. */
  promptId: string;
  /** Spec file the case came from. */
  file: string;
  /** When the entry was measured (ISO). */
  updatedAt: string;
  /** The commit it measured. */
  gitSha: string | null;
  /** Where it was measured. */
  fingerprint: Fingerprint;
  /** Every timed request, reduced to what the gate reads. */
  samples: GateSample[];
  /** sha256 of the input measured (see CaseIdentity.promptHash); absent in schema version 1 files, whose ids carried 12 hex digits of it. */
  inputHash?: string;
  /** The request measured, replayed as the A/B base by `--base-replay`; absent in schema version 1 files. */
  request?: RecordedRequest;
  /** Earlier runs of the same input, newest first (`--baseline-runs` keeps this many runs in all); they tell the gate how much whole runs drift. */
  history?: BaselineRun[];
  /** What the runs are, in words, for the gate's message (from `history baseline`: "the last 12 runs on this machine since a1b2c3d"). */
  basis?: string;
  /** A capacity search's result, which the next run's capacity is gated against. */
  capacity?: StoredCapacity;
  /** Under load with objectives: how many requests were good, which the next run's attainment is gated against. */
  slo?: StoredAttainment;
  /** Statistics of the successful samples, for people reading the file. */
  stats: { e2eMs: Summary | null; ttftMs: Summary | null; e2eTokPerSec: Summary | null };
  /** Snapshot of the sample output, to flag behaviour changes at temperature 0. */
  output: { sha256: string; text: string; truncated: boolean } | null;
}

/** An earlier stored run of a baseline entry. */
export interface BaselineRun {
  /** When it was measured (ISO). */
  updatedAt: string;
  /** The commit it measured. */
  gitSha: string | null;
  /** Its timed requests, reduced to what the gate reads. */
  samples: GateSample[];
}

/** A baseline file, `<baselineDir>/<profile>.json` (`schemas/baseline.schema.json`). */
export interface BaselineFile {
  /** Reference to its schema, for editors. */
  $schema?: string;
  /** Tells a baseline from a results file. */
  kind: 'foundry-bench-baseline';
  /** Version of this file's shape: 2 adds requests and run history; version 1 files are read too. */
  schemaVersion: 1 | 2;
  /** The hardware profile it belongs to. */
  profile: string;
  /** When any entry last changed (ISO). */
  updatedAt: string;
  /** Entries by case id. */
  cases: Record<string, BaselineEntry>;
}

/** A person's 1-5 score of one exact output of a case (`annotations.yaml`). */
export interface Annotation {
  /** The case id it judges. */
  case: string;
  /** The output it judged; when the case's output changes, the annotation detaches. */
  outputSha256: string;
  /** 1-5. */
  score: number;
  /** Why. */
  note?: string;
  /** Who. */
  by?: string;
}

// ---------------------------------------------------------------------------
// A case and the results document
// ---------------------------------------------------------------------------

/** Who a case is: what the spec declared, before anything ran. */
export interface CaseIdentity {
  /**
   * `model/promptId` (for Foundry Local `alias@variantId(provider)/promptId`): the prompt's text and the request
   * parameters are not part of it, so a changed prompt is still compared with its baseline.
   */
  id: string;
  /** The alias or id the spec names. */
  model: string;
  /** The prompt's id. */
  promptId: string;
  /**
   * sha256 of the prompt messages and parameters that change the output: tells whether the input changed since the baseline.
   * @pattern ^[0-9a-f]{64}$
   */
  promptHash: string;
  /** The parameters the case runs with. */
  params: CaseParams;
  /** The case's absolute limits. */
  budgets: Budgets;
}

/** The exact request of a case, as a baseline stores it: what `--base-replay` sends again as the A/B base. */
export interface RecordedRequest {
  /** The model id sent (the served id: a Foundry Local variant id, the embedded engine's alias). */
  model: string;
  /** The conversation sent. */
  messages: ChatMessage[];
  /** @minimum 1 */
  maxTokens: number;
  /** @minimum 0 */
  temperature: number;
  /** Sampling seed. */
  seed: number;
  /** Streamed or not. */
  stream: boolean;
}

/** What a test leaves on `task.meta.bench` for the reporters, assigned once when the case is done. */
export interface CaseMeta extends CaseIdentity {
  /** Where the requests went; an empty baseURL when there was no target. */
  target: TargetInfo;
  /** The served model's size, load time and memory, when the target reports them. */
  modelInfo: ModelInfo | null;
  /** Foundry Local: the variant the alias resolved to; null for other targets. */
  variant: ResolvedVariant | null;
  /** Why the case was skipped; null when it ran. */
  skipReason: string | null;
  /** Why the case failed, one line each (budgets, errors, gate, unreachable target). */
  failures: string[];
  /** Every timed request, in order. */
  samples: RequestSample[];
  /** Untimed requests before timing, how many failed, and each one's e2e latency in order (ms; null: it failed). */
  warmup: { count: number; errors: number; e2eMs?: Array<number | null> };
  /** Statistics over the successful timed requests. */
  stats: CaseStats;
  /** Failed timed requests. */
  errors: ErrorSummary;
  /** Whether every request answered the same. */
  determinism: Determinism;
  /** Budgets the case exceeded. */
  budgetViolations: BudgetViolation[];
  /** Where this case was measured. */
  fingerprint: Fingerprint | null;
  /** The model catalog's entry for the model, when it has one. */
  catalog: CatalogEntry | null;
  /** Quality of the sample output. */
  quality: QualityResult | null;
  /** The energy and cost estimate, with an `energy` config. */
  cost: CostEstimate | null;
  /** Comparison with the baseline; null when the gate did not run (skipped or failed before measuring). */
  gate: GateResult | null;
  /** The first successful timed request's output. */
  sampleOutput: SampleOutput | null;
  /** Under a load profile: what the load achieved and how the objectives were met; absent for sequential cases. */
  load?: LoadResult;
  /** The request the case sent; null when it sent none (absent in results files of earlier versions). */
  request?: RecordedRequest | null;
  /**
   * Wall time of warmup plus timed requests, ms.
   * @minimum 0
   */
  durationMs: number;
}

/** How a case ended. */
export type CaseStatus = 'passed' | 'failed' | 'skipped';

/** One case in the results document: the test's record plus where it lives and how it ended. */
export interface CaseResult extends CaseMeta {
  /** Spec file, relative to the project root. */
  file: string;
  /** vitest's full test name: "model > prompt id". */
  name: string;
  /** How it ended. */
  status: CaseStatus;
  /** Hardware profile the case ran under; merged runs may mix profiles. */
  profile: string;
}

/** The results document, `bench-results/results.json`: the source of every report. */
export interface RunResults {
  /** Version of this document's shape. */
  schemaVersion: 1;
  /** What wrote it. */
  tool: { name: 'foundry-bench'; version: string };
  /** The run as a whole. */
  run: RunInfo;
  /** Cases by status. */
  summary: RunSummary;
  /** Every case that started, in file then declaration order. */
  cases: CaseResult[];
}

/** How many cases ended how. */
export interface RunSummary {
  /** @minimum 0 */
  cases: number;
  /** @minimum 0 */
  passed: number;
  /** @minimum 0 */
  failed: number;
  /** @minimum 0 */
  skipped: number;
}

/** The run as a whole: when, where, and how it ended. */
export interface RunInfo {
  /**
   * ISO time the run started.
   * @format date-time
   */
  startedAt: string;
  /**
   * ISO time the run ended.
   * @format date-time
   */
  finishedAt: string;
  /**
   * finishedAt - startedAt, ms.
   * @minimum 0
   */
  durationMs: number;
  /** The checked-out commit; null outside a git work tree. */
  gitSha: string | null;
  /** Hardware profile of the run (default "default"); "mixed" after merging several. */
  profile: string;
  /** "i/n" when the run was one shard of several; after a merge, the shards merged ("1/3, 2/3, 3/3"). */
  shard: string | null;
  /** Node.js version. */
  node: string;
  /** Operating system. */
  os: { platform: string; release: string; arch: string };
  /** CPU model and logical cores. */
  cpu: { model: string; cores: number };
  /**
   * Total memory, bytes.
   * @minimum 0
   */
  memoryBytes: number;
  /** Distinct targets the cases ran against. */
  targets: TargetInfo[];
  /** vitest's verdict on the run. */
  outcome: 'passed' | 'failed' | 'interrupted';
  /** Errors outside any case: spec files that failed to load, unhandled errors. */
  errors: Array<{ file: string | null; message: string }>;
}

// ---------------------------------------------------------------------------
// Live progress, from a spec worker to the console
// ---------------------------------------------------------------------------

/** A progress report of the running case (or a model download), sent as a test annotation. */
export interface ProgressEvent {
  /** The case (`model > prompt`) or the model being downloaded. */
  name: string;
  /** `download`: `done` is the percent, `planned` 100. */
  phase: 'warmup' | 'run' | 'download';
  /** Requests (or percent) done in this phase. */
  done: number;
  /** Requests (or 100) planned in this phase. */
  planned: number;
  /** p95 of successful e2e so far in the timed phase. */
  runningP95Ms: number | null;
  /** Estimated time left in this case (or download), ms. */
  etaMs: number | null;
  /** Downloads: MB done and in all (from the catalog's size), and which attempt this is. */
  download?: { mb: number | null; totalMb: number | null; attempt: number };
}

// ---------------------------------------------------------------------------
// vitest: what travels between the processes of a run
// ---------------------------------------------------------------------------

// vitest re-exports TaskMeta from its runner package; the augmentation must target the declaring module.
declare module '@vitest/runner' {
  interface TaskMeta {
    /** The case's record, assigned once when the case is done. */
    bench?: CaseMeta;
    /** What the spec declared, set when the test is declared: a case that never finishes is still reported. */
    benchCase?: Pick<CaseIdentity, 'model' | 'promptId' | 'promptHash' | 'params' | 'budgets'>;
  }
}

/** A case as the CLI's preflight finds it in a spec file, before vitest collects it. */
export interface PreflightCase {
  /** The model `--models` matches. */
  model: string;
  /** Its suite: `model` or `model [variant]`. */
  suite: string;
  /** `suite test`, as vitest names it (what `-t` matches). */
  fullName: string;
  /** Declared with `benchModel.skip`. */
  skipped: boolean;
  /** The spec names its own server (option `target`). */
  ownTarget: boolean;
}

declare module 'vitest' {
  interface ProvidedContext {
    /** The run's options, from the CLI. */
    runOptions: RunOptions;
    /** The run's default target, resolved once by the global setup. */
    benchTarget: RunTarget;
    /** The A/B base target (`--base-target`), resolved once; null without one. */
    benchBaseTarget: RunTarget | null;
    /** Each spec file's cases (by absolute path) as the CLI's preflight found them; null for a file it could not import. */
    specCases: Record<string, PreflightCase[] | null>;
    /** How many cases the run will measure (all shards): the gate shares the run's false-alarm budget among them. */
    gatedCases: number;
  }
}

// ---------------------------------------------------------------------------
// Run history: one line per case per run, on a git branch (`foundry-bench history`)
// ---------------------------------------------------------------------------

/** A latency metric of one run of a case, as the history keeps it. */
export interface HistoryLatency {
  /** Median, ms. */
  p50: number;
  /** 95th percentile, ms. */
  p95: number;
  /** 99th percentile, ms. */
  p99: number;
  /** 95% CI of the median, ms. */
  p50CI: Interval;
  /** 95% CI of p95, ms. */
  p95CI: Interval;
}

/**
 * One case of one run, a line of `<testbed>.jsonl` on the history branch (`schemas/history.schema.json`). Its raw
 * samples let a candidate change point be confirmed by the gate's own statistic, run against run.
 */
export interface HistoryRecord {
  /** Version of this line's shape. */
  schemaVersion: 1;
  /** The case id (`model/promptId`, Foundry Local `alias@variantId(provider)/promptId`). */
  case: string;
  /** The alias or id the spec names. */
  model: string;
  /** The prompt's id. */
  promptId: string;
  /** Spec file the case came from. */
  file: string;
  /**
   * sha256 of the input measured (CaseIdentity.promptHash): a changed input starts a new series.
   * @pattern ^[0-9a-f]{64}$
   */
  inputHash: string;
  /** Foundry Local: the build and provider that ran; null for other targets. */
  variant: { id: string; executionProvider: string | null } | null;
  /**
   * The machine, hashed: CPU model, cores, memory, platform and architecture (one history file each).
   * @pattern ^[0-9a-f]{12}$
   */
  testbed: string;
  /** The machine in words, for people reading the history. */
  machine: string;
  /** Where the case was measured, as its results record it (the gate compares it when the history is its reference). */
  fingerprint: Fingerprint | null;
  /** What served the requests (target kind) and its version, when it said. */
  server: { kind: TargetInfo['kind']; version: string | null };
  /** The hardware profile the run used. */
  profile: string;
  /** The commit measured; null outside a git work tree. */
  gitSha: string | null;
  /** The branch measured, when known. */
  branch: string | null;
  /**
   * When the run started (ISO).
   * @format date-time
   */
  time: string;
  /** How the case ended. */
  status: CaseStatus;
  /**
   * Successful timed requests.
   * @minimum 0
   */
  n: number;
  /** Failed timed requests. */
  errors: { count: number; rate: number };
  /** End-to-end latency; null when no request succeeded. */
  e2eMs: HistoryLatency | null;
  /** Time to first token; null when no request succeeded or none streamed. */
  ttftMs: HistoryLatency | null;
  /** Median end-to-end throughput, tokens per second. */
  tokensPerSec: number | null;
  /** The successful timed requests, ms to 0.01 (TTFT null where a request had none). */
  samples: { e2eMs: number[]; ttftMs: Array<number | null>; tokPerSec: Array<number | null> };
  /** A capacity search's result (`load.sweep`), which a baseline from the history gates the next run's against. */
  capacity?: StoredCapacity;
}

/** A change people meant (`history mark`): change points at this commit are shown as intended, not raised. */
export interface HistoryMark {
  /** Version of this line's shape. */
  schemaVersion: 1;
  /** The commit (full or abbreviated sha) whose change was intended. */
  gitSha: string;
  /** Why. */
  reason: string;
  /** Only this case (else every case). */
  case?: string;
  /**
   * When it was marked (ISO).
   * @format date-time
   */
  time: string;
}

/** A line of the history branch: a case's run (`<testbed>.jsonl`) or a mark (`marks.jsonl`). */
export type HistoryLine = HistoryRecord | HistoryMark;

// ---------------------------------------------------------------------------
// Load and service-level objectives
// ---------------------------------------------------------------------------

/** An objective a request is judged by. */
export type Objective = 'ttftMs' | 'tpotMs' | 'e2eMs';

/** What a case under load achieved. */
export interface LoadResult {
  /** The profile, as its label in the case id (`c4`, `r2-poisson`). */
  label: string;
  profile: LoadProfile;
  /** Wall time of the timed phase, from its start to the last request's end, ms. */
  wallMs: number;
  /** Requests sent; fewer than scheduled when the time bound came first. */
  sent: number;
  /** Requests scheduled but never sent: the time bound came first. */
  notSent: number;
  /** Open loop: requests per second asked for; null in a closed loop. */
  targetRate: number | null;
  /** Requests sent per second. */
  achievedRate: number;
  /** Sum of end-to-end times over the wall time: how many requests were in flight on average. */
  effectiveConcurrency: number;
  /** Output tokens of successful requests per second of wall time. */
  outputTokensPerSec: number;
  /** Time requests waited to be sent (open loop), ms. */
  queueMs: Summary | null;
  /** End-to-end time from when each request was due, ms (queue time included). */
  e2eWithQueueMs: Summary | null;
  /** Open loop: the achieved rate fell below 98% of the target, or queue time grew over the run. */
  saturated: boolean;
  /** How the objectives were met; null without objectives. */
  slo: SloResult | null;
  /** A capacity search: every probe, and what it found (the figures above are the capacity probe's). */
  sweep?: SweepResult;
}

/** One level of a capacity search. */
export interface SweepProbe {
  /** Concurrency, or requests per second. */
  level: number;
  sent: number;
  achievedRate: number;
  outputTokensPerSec: number;
  /** e2e p95 with queue time, ms. */
  e2eP95Ms: number | null;
  ttftP95Ms: number | null;
  attainment: number;
  interval: Interval;
  verdict: SloResult['verdict'];
  saturated: boolean;
  /** Met, and not saturated. */
  passed: boolean;
}

/** What a capacity search found. */
export interface SweepResult {
  over: 'concurrency' | 'rate';
  /** The highest level that passed; null when none did. */
  capacity: number | null;
  /** The lowest level above the capacity that failed: it bounds the capacity. */
  bound: number | null;
  probes: SweepProbe[];
  /** The level with the most output tokens per second per ms of e2e p95 (the latency-throughput curve's knee). */
  knee: number | null;
  /** Concurrency sweeps: two users got less than 10% more throughput than one (the server serialises requests). */
  serialises: boolean | null;
  stoppedBecause: 'bracketed' | 'max-probes' | 'limit' | 'none-met';
}

/** How a case met its service-level objectives. */
export interface SloResult {
  /** The objectives and the share that must be met. */
  objectives: Partial<Record<Objective, number>>;
  target: number;
  /** Requests judged: every request sent (a failed one is not good). */
  judged: number;
  /** Requests that succeeded and met every objective. */
  good: number;
  /** good / judged. */
  attainment: number;
  /** Wilson 95% interval of the attainment. */
  interval: Interval;
  /** met: the interval lies above the target; missed: below; uncertain: it straddles it. */
  verdict: 'met' | 'missed' | 'uncertain';
  /** Each objective's pass rate over the successful requests it applies to. */
  perObjective: Array<{ objective: Objective; limit: number; passed: number; judged: number; rate: number }>;
  /** What kept most requests from being good: the objective with the lowest pass rate, or errors; null when all were good. */
  binding: Objective | 'errors' | null;
  /** Good requests per second of wall time. */
  goodputRps: number;
  /** Output tokens of good requests per second of wall time. */
  goodTokensPerSec: number;
}

/** A capacity as a baseline keeps it. */
export interface StoredCapacity {
  over: 'concurrency' | 'rate';
  /** The highest level that met the objectives; null when none did. */
  capacity: number | null;
  /** The lowest level above it that failed; null when none did. */
  bound: number | null;
}

/** A capacity search judged against the reference's: can this code still serve the load the reference served? */
export interface CapacityVerdict {
  /** regressed: the reference's capacity level now misses the objectives (decisively); improved: a level the reference failed now passes, beyond the tolerance; inconclusive: the level is undecided. */
  verdict: Verdict;
  base: number | null;
  head: number | null;
  message: string;
}

/** How many requests met the objectives, as a baseline keeps it. */
export interface StoredAttainment {
  /** @minimum 0 */
  good: number;
  /** @minimum 0 */
  judged: number;
}

/** The share of good requests judged against the reference's, under the same load and objectives. */
export interface AttainmentVerdict {
  verdict: Verdict;
  /** The reference's attainment and this run's (0..1). */
  base: number;
  head: number;
  /** 95% interval of the difference head - base (Newcombe's, from the two Wilson intervals). */
  interval: Interval;
  message: string;
}
