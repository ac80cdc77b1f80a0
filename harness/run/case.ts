/**
 * One case, as a pipeline of steps that each return a value:
 *
 *   prepareCase  -> a CasePlan: the model ready on its target, the case's id, its baseline entry
 *   measureCase  -> a Measurement: the timed requests (measure/runner.ts)
 *   evaluateCase -> an Evaluation: statistics, quality, cost, budgets (evaluate/evaluate.ts)
 *   gateCase     -> the verdict against the baseline and its failure lines (gate/gate.ts)
 *   recordCase   -> the case record, assigned once to `task.meta.bench`
 *
 * A step that cannot go on ends the case as skipped or failed, with a record
 * all the same. An A/B case measures a second arm, the base, alongside the case
 * (`measure`), and `gate` compares the two paired by block.
 */
import { inject, type TestContext } from 'vitest';
import { annotationsPath, loadAnnotations } from '../files/annotations.ts';
import { catalogEntry, withVariantFacts } from '../files/catalog.ts';
import { evaluateCase, type Evaluation, type EvaluationContext } from '../evaluate/evaluate.ts';
import { sloResult } from '../evaluate/load.ts';
import { formatShare } from '../evaluate/numbers.ts';
import { errorSummary } from '../evaluate/metrics.ts';
import { baselinePath, parseBaseline, readBaseline } from '../gate/baseline.ts';
import { fingerprint } from '../gate/fingerprint.ts';
import { inputChanges, profileChange } from '../gate/input.ts';
import { gateCase, inputOf, referenceFromBaseline, referenceFromPairedArm, type Reference } from '../gate/gate.ts';
import type { InputRecord } from '../gate/input.ts';
import { adaptivePlan, sampleUntilDecisive } from '../gate/sequential.ts';
import { storedAttainment, withLoad } from '../gate/capacity.ts';
import { atConfidence, type GateOptions } from '../gate/verdict.ts';
import { createClient, type RequestClient, type RequestSpec } from '../measure/request.ts';
import { movedOrigin } from '../targets/foundry/discovery.ts';
import { measureArms, type Arm, type ArmRun, type Measurement } from '../measure/runner.ts';
import { findModel } from '../targets/openai.ts';
import { prepareModel, unknownModelInfo, type PreparedModel } from '../targets/prepare.ts';
import { NO_TARGET_MESSAGE, resolvePlainTarget, unusableTarget } from '../targets/resolve.ts';
import { caseId } from '../files/case-id.ts';
import { parseJsonText } from '../files/schemas.ts';
import { fileAtRef } from '../results/git.ts';
import { NO_TARGET, unmeasured, type CaseFigures } from '../results/unmeasured.ts';
import type {
  Annotation,
  StabilizeOptions,
  BaselineEntry,
  BaselineFile,
  Budgets,
  CaseIdentity,
  CaseMeta,
  CaseParams,
  GateResult,
  LoadProfile,
  LoadResult,
  Prompt,
  StoredAttainment,
  RecordedRequest,
  RunOptions,
  RunTarget,
  TargetInfo,
  VariantSelector,
  Verdict,
  WarmUp,
} from '../types.ts';
import { annotationSink, downloadProgressReporter, progressReporter } from './progress.ts';
import { abbaOrder, blockOf } from './schedule.ts';
import { measureUnderLoad } from './load-case.ts';
import { warmUntilStable } from './stabilize.ts';

/** What a test declares about its case. */
export interface CaseSpec {
  model: string;
  prompt: Prompt;
  params: CaseParams;
  budgets: Budgets;
  gate: GateOptions;
  promptHash: string;
  /** The spec's own target URL, if any. */
  target: string | undefined;
  /** The run's options; null when the spec runs without foundry-bench. */
  run: RunOptions | null;
}

/** How a case ended, with its record. */
export type CaseOutcome =
  | { kind: 'pass'; record: CaseMeta }
  | { kind: 'skip'; reason: string; record: CaseMeta }
  | { kind: 'fail'; failures: string[]; record: CaseMeta };

/** A case that ends before measuring: skipped, or failed before any request. */
type EndedEarly = Exclude<CaseOutcome, { kind: 'pass' }>;

/** The model of one suite: prepared by the first case that needs it, released after the last. */
export class ModelSlot {
  private prepared: Promise<PreparedModel> | undefined;

  constructor(
    readonly selector: VariantSelector | undefined,
    /** The suite's first case: its prompt and parameters make the cold request and the warm-up. */
    private readonly first: CaseSpec | undefined,
    /** Warm-up until stable before the first case; null when the spec turned it off. */
    readonly stabilize: StabilizeOptions | null,
  ) {}

  /** The prepared model; the first caller's test context carries download progress and cancels the preparation. */
  get(context: Pick<TestContext, 'annotate' | 'signal'>): Promise<PreparedModel> {
    this.prepared ??= this.prepare(context);
    return this.prepared;
  }

  async release(): Promise<void> {
    const prepared = await this.prepared;
    if (prepared?.kind === 'ready') await prepared.release();
  }

  private async prepare(context: Pick<TestContext, 'annotate' | 'signal'>): Promise<PreparedModel> {
    const { first } = this;
    // No case (an empty prompt list fails collection) or no run options: the target is unusable, and says why.
    const target = await targetFor(first?.target, first?.run ?? null);
    if (target.kind === 'unusable' || !first?.run) {
      return { kind: 'fail', message: target.kind === 'unusable' ? target.error : NO_TARGET_MESSAGE, variant: null, modelInfo: null };
    }
    const { run } = first;
    const { model: _alias, ...request } = caseRequest(first, first.model);
    const client = clientFor(target.info, run.apiKey);
    const sink = annotationSink(context);
    const prepared = await prepareModel(target, first.model, this.selector, {
      foundry: run.foundry,
      cold: { client, request, signal: context.signal },
      onDownload: (variant) => downloadProgressReporter(variant.id, variant.fileSizeMb, sink),
    });
    const { stabilize } = this;
    if (prepared.kind !== 'ready' || !stabilize) return prepared;
    // Warm until stable with the first prompt, before the first case: its samples then start warm.
    const warmUp = await warmUntilStable({ client, request: caseRequest(first, prepared.servedId) }, stabilize, context.signal);
    return { ...prepared, modelInfo: { ...(prepared.modelInfo ?? unknownModelInfo()), warmUp } };
  }
}

export async function runBenchCase(spec: CaseSpec, slot: ModelSlot, context: TestContext): Promise<CaseOutcome> {
  const plan = await prepareCase(spec, slot, context);
  if (plan.kind !== 'ready') return plan;
  const measuredAt = fingerprint(plan.target.info, plan.servedId, plan.where.variant?.executionProvider);
  const request = recordedRequest(plan);
  const gate = (measurement: Measurement, options: GateOptions, outputSha256: string | null) => {
    const head = headArm(measurement);
    const reference = plan.base ? pairedReference(plan.base, measurement.arms[0] as ArmRun, head) : plan.reference;
    const input = inputOf(spec.promptHash, request);
    return gateCase(reference, { samples: head.samples, fingerprint: measuredAt, outputSha256, input }, options, plan.run.updateBaseline);
  };
  const { measurement, confidence, sampling, load, baseAttainment } = spec.params.load
    ? await loadMeasurement(plan, spec.params.load, context)
    : { ...(await measureUntilDecisive(plan, context, (m, options) => gate(m, options, null).gate.verdict)), load: null, baseAttainment: null };
  const head = headArm(measurement);
  const evaluation = await evaluateCase(head, evaluationContext(plan));
  const verdict = gate(measurement, atConfidence(spec.gate, confidence), evaluation.sampleOutput?.sha256 ?? null);
  // Attainment against an A/B base's, measured alongside, else the stored runs'.
  const loadReference = plan.base && load ? { slo: baseAttainment ?? undefined } : plan.reference;
  const gated = withLoad(verdict, loadReference, { sweep: load?.sweep, slo: storedAttainment(load?.slo) }, spec.gate);
  const failures = [...gated.failures, ...evaluation.failures, ...(load ? sloFailures(load) : [])];
  const judged = { ...gated.gate, ...(sampling ? { sampling } : {}), ...(plan.profileChange ? { inputChanges: [plan.profileChange] } : {}) };
  const measured = {
    samples: head.samples,
    evaluation,
    gate: judged,
    fingerprint: measuredAt,
    durationMs: measurement.durationMs,
    request,
    ...(load ? { load } : {}),
  };
  const record = recordCase(plan.identity, plan.where, measured, failures);
  return failures.length > 0 ? { kind: 'fail', failures, record } : { kind: 'pass', record };
}

/** A case ready to measure: who it is, where it runs, the model id to send, and what it is compared with. */
interface CasePlan {
  kind: 'ready';
  spec: CaseSpec;
  run: RunOptions;
  identity: CaseIdentity;
  where: Where;
  target: RunTarget & { kind: 'ready' };
  servedId: string;
  /** The baseline entry of the case; null when it is new (or compared with an A/B base instead). */
  reference: Reference | null;
  client: RequestClient;
  /**
   * The A/B base, measured alongside the case: the same request on `--base-target`, or the baseline's recorded
   * request replayed here (`--base-replay`). Null without one, when the base target lacks the model, or when the
   * baseline recorded no request for the case.
   */
  base: PairedBase | null;
  /** A new case whose prompt the baseline holds under another load profile: what changed, for the reports. */
  profileChange?: string;
}

/** The base side of an A/B case. */
interface PairedBase {
  target: TargetInfo;
  arm: Arm;
  /** What the base sends. */
  input: InputRecord;
  /** With `--base-replay`: the baseline whose request is replayed. */
  replayOf?: string;
  /** Why: the flag, or the case's input changed since the baseline. */
  replayedBecause?: 'flag' | 'input-changed';
}

/** The model ready on its target, the case's id and its baseline entry; or the outcome that ends the case here. */
async function prepareCase(spec: CaseSpec, slot: ModelSlot, context: TestContext): Promise<CasePlan | EndedEarly> {
  const target = await targetFor(spec.target, spec.run);
  const { run } = spec;
  // A broken baseline is bad input: say so before sending any request (getting the model ready sends some).
  // Under --update-baseline a broken file is what gets replaced, not a reason to stop.
  const baseline = run && !run.baseTarget ? runBaseline(run) : null;
  const broken = run && !run.updateBaseline ? (baseline?.problem ?? null) : null;
  if (broken) return failed(identityOf(spec, null), whereOf(spec, target, null), [broken]);
  const model = await slot.get(context);
  const identity = identityOf(spec, model);
  const where = whereOf(spec, target, model);
  if (model.kind === 'fail') return failed(identity, where, model.message.split('\n'));
  if (model.kind === 'skip') return skipped(identity, where, model.reason);
  if (target.kind === 'unusable' || !run) return failed(identity, where, [target.kind === 'unusable' ? target.error : NO_TARGET_MESSAGE]);
  const client = clientFor(target.info, run.apiKey);
  if (run.baseTarget) {
    // A/B: the base is measured now, beside the case; the stored baseline is not read.
    const baseTarget = inject('benchBaseTarget') ?? unusableTarget('the A/B base target was not resolved');
    if (baseTarget.kind === 'unusable') return failed(identity, where, [`A/B base target: ${baseTarget.error}`]);
    const base = pairedBase(baseTarget, [model.servedId, spec.model], spec, run.apiKey);
    // The base server's model warms up as the case's did, once per model: a cold base would flatter the case.
    const { stabilize } = slot;
    if (base && stabilize) {
      await once(baseWarmUps, `${base.target.baseURL} ${base.arm.request.model}`, () => warmUntilStable(base.arm, stabilize, context.signal));
    }
    return { kind: 'ready', spec, run, identity, where, target, servedId: model.servedId, reference: null, client, base };
  }
  const ready = { kind: 'ready', spec, run, identity, where, target, servedId: model.servedId, client } as const;
  // Under --update-baseline a broken file is what the update repairs: the case is measured as new.
  const { path, file } = baseline ?? runBaseline(run);
  const entry = file?.cases[identity.id];
  // --base-replay: the recorded request is sent again beside the case. Without one (a new case, a version 1
  // baseline) the case is compared with the stored samples, as without the flag. Without the flag it is replayed
  // when the case's request changed since the baseline (`onInputChange: replay`): a changed input compared with
  // stored runs is judged against drift, and its old request is at hand. Updating the baseline judges nothing.
  // A capacity search replays nothing alongside (its levels are probed on the case's side only): its stored runs are the reference.
  const because =
    !entry?.request || spec.params.load?.kind === 'sweep'
      ? null
      : run.baseReplay
        ? 'flag'
        : !run.updateBaseline && inputChangedSince(entry, spec, model.servedId)
          ? 'input-changed'
          : null;
  if (entry?.request && because) {
    const base = replayedBase(entry, entry.request, target.info, client, model.servedId, spec.params.timeoutMs, path);
    return { ...ready, reference: null, base: { ...base, replayedBecause: because } };
  }
  const changed = entry ? null : profileChange(identity.id, Object.keys(file?.cases ?? {}));
  return { ...ready, reference: entry ? referenceFromBaseline(entry, path, identity.id) : null, base: null, ...(changed ? { profileChange: changed } : {}) };
}

/** Who the case is; a Foundry Local case is keyed by the variant it resolved to, once the model is prepared. */
function identityOf(spec: CaseSpec, model: PreparedModel | null): CaseIdentity {
  const { prompt, promptHash, params, budgets } = spec;
  return { id: caseId(spec.model, model?.variant ?? null, prompt.id, params.load), model: spec.model, promptId: prompt.id, promptHash, params, budgets };
}

function whereOf(spec: CaseSpec, target: RunTarget, model: PreparedModel | null): Where {
  const variant = model?.variant ?? null;
  const { run } = spec;
  return {
    target: target.info ?? NO_TARGET,
    variant,
    modelInfo: model?.modelInfo ?? null,
    catalog: run ? withVariantFacts(catalogEntry(spec.model, run.config, run.root), variant) : null,
  };
}

/** The same request on the base target, for the model id it serves (the case's id, else its alias); null when it serves neither. */
function pairedBase(target: RunTarget & { kind: 'ready' }, ids: readonly string[], spec: CaseSpec, apiKey: string): PairedBase | null {
  const listed = target.models;
  const model = listed ? ids.map((id) => findModel(listed, id)).find((id) => id !== null) : ids[0];
  if (!model) return null;
  const request = caseRequest(spec, model);
  return { target: target.info, arm: { client: clientFor(target.info, apiKey), request }, input: inputOf(spec.promptHash, request) };
}

/** True when the case's request differs from the baseline's recorded one and the spec asks for a replay then. */
function inputChangedSince(entry: BaselineEntry, spec: CaseSpec, servedId: string): boolean {
  if (spec.gate.onInputChange !== 'replay' || !entry.request) return false;
  const { timeoutMs: _timeout, ...request } = caseRequest(spec, servedId);
  return inputChanges(inputOf(entry.inputHash ?? null, entry.request), inputOf(spec.promptHash, request)).length > 0;
}

/** The baseline's recorded request, sent to the case's own target and model as the base. */
function replayedBase(
  entry: BaselineEntry,
  recorded: RecordedRequest,
  target: TargetInfo,
  client: RequestClient,
  servedId: string,
  timeoutMs: number,
  baselineFile: string,
): PairedBase {
  // The served id, not the recorded one: the case id already pins the model and variant, and a server may
  // serve them under a newer build's id.
  const request = { ...recorded, model: servedId, timeoutMs };
  return { target, arm: { client, request }, input: inputOf(entry.inputHash ?? null, recorded), replayOf: baselineFile };
}

/** The base arm as the case's reference, each request tagged with its ABBA block. */
function pairedReference(base: PairedBase, baseRun: ArmRun, head: ArmRun): Reference {
  const blocks = (run: ArmRun) => run.positions.map((position) => blockOf(position, 2));
  return referenceFromPairedArm(
    {
      samples: baseRun.samples,
      blocks: blocks(baseRun),
      outputSha256: baseRun.samples.find((s) => s.ok)?.outputSha256 ?? null,
      input: base.input,
      errors: errorSummary(baseRun.samples),
    },
    blocks(head),
    {
      target: base.target.baseURL,
      fingerprint: fingerprint(base.target, base.arm.request.model),
      measuredAt: new Date().toISOString(),
      gitSha: null,
      replayOf: base.replayOf,
      replayedBecause: base.replayedBecause,
    },
  );
}

/** The case's own arm: the last; an A/B base, when there is one, is the first. */
function headArm(measurement: Measurement): ArmRun {
  const head = measurement.arms.at(-1);
  if (!head) throw new Error('a measurement returned no arm');
  return head;
}

/** A later batch of requests: untimed ones first (none after the first batch), then timed ones from a position on. */
interface Batch {
  warmup: number;
  iterations: number;
  timeMs: number;
  firstPosition: number;
}

/** The timed requests, with live progress; with an A/B base, base and case alternate in randomised ABBA blocks. */
function measureCase(
  { spec, servedId, client, base }: CasePlan,
  context: TestContext,
  batch: Batch = { ...spec.params, firstPosition: 0 },
): Promise<Measurement> {
  const { prompt } = spec;
  const arms: Arm[] = [...(base ? [base.arm] : []), { client, request: caseRequest(spec, servedId) }];
  const head = arms.length - 1;
  const progress = progressReporter(`${spec.model} > ${prompt.id}`, batch.warmup, batch.iterations, annotationSink(context), arms.length);
  return measureArms(arms, batch, {
    signal: context.signal,
    onProgress: (event) => {
      if (event.arm === head) progress(event);
    },
    firstPosition: batch.firstPosition,
    // Seeded by the case: the same case gets the same order every run.
    ...(base ? { order: abbaOrder(arms.length, caseSeed(spec)) } : {}),
  });
}

/**
 * The case under its load profile (run/load-case.ts), with an A/B base interleaved under the same load when there is
 * one (a capacity search measures the case alone, against its stored capacity).
 */
async function loadMeasurement(
  { spec, servedId, client, target, run, reference, base }: CasePlan,
  profile: LoadProfile,
  context: TestContext,
): Promise<{ measurement: Measurement; confidence: number; sampling: null; load: LoadResult; baseAttainment: StoredAttainment | null }> {
  const measured = await measureUnderLoad(profile, {
    request: caseRequest(spec, servedId),
    client,
    baseURL: target.info.baseURL,
    apiKey: run.apiKey,
    warmup: spec.params.warmup,
    slo: spec.params.slo,
    name: `${spec.model} > ${spec.prompt.id}`,
    seed: caseSeed(spec),
    signal: context.signal,
    progress: annotationSink(context),
    probeAlso: reference?.capacity?.capacity,
    base: base ? { request: base.arm.request, client: base.arm.client, baseURL: base.target.baseURL } : null,
  });
  const arms = measured.base ? [measured.base, measured.head] : [measured.head];
  // The base's requests judged by the same objectives, over the same wall time: what the case's attainment is gated against.
  const slo = spec.params.slo;
  const baseAttainment = measured.base && slo ? storedAttainment(sloResult(measured.base.samples, slo, measured.load.wallMs / 1000)) : null;
  return { measurement: { arms, durationMs: measured.durationMs }, confidence: spec.gate.confidence, sampling: null, load: measured.load, baseAttainment };
}

/** A missed objective fails the case, saying by how much and what binds; an uncertain one does not. */
function sloFailures(load: LoadResult): string[] {
  const slo = load.slo;
  if (slo?.verdict !== 'missed') return [];
  const binding = slo.perObjective.find((o) => o.objective === slo.binding);
  const why = binding ? `${binding.objective} <= ${binding.limit} met by ${formatShare(binding.rate)}` : slo.binding === 'errors' ? 'errors' : 'nothing';
  return [
    `SLO missed under load ${load.label}: attainment ${formatShare(slo.attainment)} (95% CI ${formatShare(slo.interval.lo)} .. ${formatShare(slo.interval.hi)}) below ${formatShare(slo.target)}; binding: ${why}`,
  ];
}

/** Seeds what a case randomises (its A/B order, its arrivals) by its input: the same case, the same draws every run. */
function caseSeed(spec: CaseSpec): number {
  return Number.parseInt(spec.promptHash.slice(0, 8), 16);
}

/** A measurement and the one that continued it, as one. */
function appendMeasurement(first: Measurement, more: Measurement): Measurement {
  const arms = first.arms.map((arm, i) => {
    const added = more.arms[i] as ArmRun;
    return {
      samples: [...arm.samples, ...added.samples],
      positions: [...arm.positions, ...added.positions],
      warmupSamples: arm.warmupSamples,
      firstText: arm.firstText ?? added.firstText,
    };
  });
  return { arms, durationMs: first.durationMs + more.durationMs };
}

/**
 * The case's requests. With adaptive sampling (gate/sequential.ts) `iterations` is a first batch: the verdict is
 * looked at, each look at its share of alpha, and whole ABBA blocks are added until it is decisive or the budget
 * (requests per side, time) is spent. Returns the confidence of the last look, which the final verdict uses.
 */
async function measureUntilDecisive(
  plan: CasePlan,
  context: TestContext,
  verdictAt: (measurement: Measurement, options: GateOptions) => Verdict,
): Promise<{ measurement: Measurement; confidence: number; sampling: GateResult['sampling'] | null }> {
  const { gate, params } = plan.spec;
  const measurement = await measureCase(plan, context);
  // Nothing to decide against (a new case), or the baseline is being rewritten: the fixed count.
  const nothingToCompare = plan.run.updateBaseline || (plan.base === null && plan.reference === null);
  const adaptive = nothingToCompare ? null : adaptivePlan(gate.adaptive, plan.base !== null, params.iterations);
  if (!adaptive) return { measurement, confidence: gate.confidence, sampling: null };
  const started = performance.now();
  return sampleUntilDecisive(measurement, adaptive, 1 - gate.confidence, {
    iterations: (m) => headArm(m).samples.length,
    failing: (m) => m.arms.some((arm) => !arm.samples.some((sample) => sample.ok)),
    verdict: (m, confidence) => verdictAt(m, atConfidence(gate, confidence)),
    more: async (m, count) => {
      const sent = m.arms.reduce((total, arm) => total + arm.samples.length, 0);
      return appendMeasurement(m, await measureCase(plan, context, { warmup: 0, iterations: count, timeMs: 0, firstPosition: sent }));
    },
    elapsedMs: () => performance.now() - started,
  });
}

function evaluationContext({ spec, run, identity, client }: CasePlan): EvaluationContext {
  const judge = run.config.quality?.judge;
  return {
    caseId: identity.id,
    prompt: spec.prompt,
    budgets: spec.budgets,
    judge: judge ? { options: judge, client: client.openai } : null,
    energy: run.config.energy,
    annotations: annotationsFor(run),
  };
}

/** Where a case ran and on what, known whether or not it measured anything. */
type Where = Pick<CaseMeta, 'target' | 'variant' | 'modelInfo' | 'catalog'>;

/** What measuring, evaluating and gating produced. */
interface Measured {
  samples: CaseMeta['samples'];
  evaluation: Evaluation;
  gate: GateResult;
  fingerprint: NonNullable<CaseMeta['fingerprint']>;
  durationMs: number;
  request: RecordedRequest;
  load?: LoadResult;
}

/** The case record, made once from what each step returned; a case that measured nothing has empty figures. */
export function recordCase(identity: CaseIdentity, where: Where, measured: Measured | null, failures: string[], skipReason: string | null = null): CaseMeta {
  return { ...identity, ...where, skipReason, failures, ...(measured ? figures(measured) : unmeasured()) };
}

function figures({ samples, evaluation: e, gate, fingerprint, durationMs, request, load }: Measured): CaseFigures {
  const { warmup, stats, errors, determinism, budgetViolations, quality, cost, sampleOutput } = e;
  return {
    samples,
    warmup,
    stats,
    errors,
    determinism,
    budgetViolations,
    fingerprint,
    quality,
    cost,
    gate,
    sampleOutput,
    request,
    durationMs,
    ...(load ? { load } : {}),
  };
}

function failed(identity: CaseIdentity, where: Where, failures: string[]): EndedEarly {
  return { kind: 'fail', failures, record: recordCase(identity, where, null, failures) };
}

function skipped(identity: CaseIdentity, where: Where, reason: string): EndedEarly {
  return { kind: 'skip', reason, record: recordCase(identity, where, null, [], reason) };
}

/** The request a case sends to `model`: its prompt with its parameters. */
function caseRequest(spec: CaseSpec, model: string): RequestSpec {
  const { maxTokens, temperature, seed, stream, timeoutMs } = spec.params;
  return { model, messages: spec.prompt.messages, maxTokens, temperature, seed, stream, timeoutMs };
}

/** The request the case's own arm sends, as results and baselines record it (the timeout is the harness's own). */
function recordedRequest({ spec, servedId }: CasePlan): RecordedRequest {
  const { timeoutMs: _timeout, ...request } = caseRequest(spec, servedId);
  return request;
}

/** A failure whose message is the whole story: no stack frames pointing into the harness. */
export function benchFailure(lines: readonly string[]): Error {
  const error = new Error(lines.join('\n'));
  error.name = 'BenchFailure';
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

// Per worker: one probe per spec target, one client per target (connection reuse keeps setup out of the samples),
// each baseline file and the annotations read once.
const specTargets = new Map<string, Promise<RunTarget>>();
const clients = new Map<string, RequestClient>();
const baselines = new Map<string, BaselineFile | null>();
const annotations = new Map<string, Annotation[]>();
const baseWarmUps = new Map<string, Promise<WarmUp>>();

/** The value for `key`, made once. */
function once<K, V>(cache: Map<K, V>, key: K, make: () => V): V {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key) as V;
}

async function targetFor(specTarget: string | undefined, run: RunOptions | null): Promise<RunTarget> {
  if (!run) return unusableTarget(NO_TARGET_MESSAGE);
  if (specTarget === undefined) return followFoundry(inject('benchTarget') ?? unusableTarget(NO_TARGET_MESSAGE));
  return once(specTargets, specTarget, () => resolvePlainTarget(specTarget, 'spec option "target"', 'spec', run.apiKey));
}

/** The run's target as the latest model found it: Foundry Local may have come back on another port since. */
let followed: RunTarget | null = null;

/** Before a model is prepared: a Foundry Local service that stopped answering is looked for again, and its move said. */
async function followFoundry(target: RunTarget): Promise<RunTarget> {
  const current = followed ?? target;
  if (current.kind !== 'ready' || !current.foundry) return current;
  const origin = await movedOrigin(current.foundry);
  if (!origin) return current;
  process.stderr.write(
    `foundry-bench: Foundry Local stopped answering at ${current.foundry.origin} and is now at ${origin} (its port changed): following it\n`,
  );
  followed = { ...current, info: { ...current.info, baseURL: `${origin}/v1` }, foundry: { ...current.foundry, origin } };
  return followed;
}

function clientFor(target: TargetInfo, apiKey: string): RequestClient {
  return once(clients, target.baseURL, () => createClient(target.baseURL, apiKey));
}

/** The run's baseline file: the working tree's, or with `--base-ref` the one committed at that ref. */
function baselineFor(run: RunOptions): { path: string; file: BaselineFile | null } {
  const file = baselinePath(run.baselineDir, run.profile);
  const ref = run.baseReplay?.ref ?? null;
  if (ref === null) return { path: file, file: once(baselines, file, () => readBaseline(file)) };
  const path = `${file}@${ref}`;
  return { path, file: once(baselines, path, () => parseBaseline(parseJsonText(fileAtRef(ref, file, run.root), `baseline ${path}`), path)) };
}

/** The run's baseline, or what is wrong with it (then no file: under --update-baseline, what the update repairs). */
function runBaseline(run: RunOptions): { path: string; file: BaselineFile | null; problem: string | null } {
  try {
    return { ...baselineFor(run), problem: null };
  } catch (error) {
    return { path: baselinePath(run.baselineDir, run.profile), file: null, problem: (error as Error).message };
  }
}

function annotationsFor(run: RunOptions): Annotation[] {
  const path = annotationsPath(run.config, run.root);
  return once(annotations, path, () => loadAnnotations(path, run.config.annotations !== undefined));
}
