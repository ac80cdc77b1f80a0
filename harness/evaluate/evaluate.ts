/**
 * What a case's measurements amount to, once its requests are done: the
 * statistics, the quality rubric, the cost estimate, the budgets and the
 * regression gate, each recorded on the case's meta, with a failure line for
 * everything that fails it. The judge model is asked here, after timing.
 */
import type OpenAI from 'openai';
import { fingerprintMismatch } from '../gate/baseline.ts';
import { checkBudgets } from './budgets.ts';
import type { HarnessConfig } from '../files/config.ts';
import { estimateCost } from './energy.ts';
import { compareCase, failsGate, type GateOptions } from '../gate/verdict.ts';
import { caseStats, determinism, errorSummary } from './metrics.ts';
import { attachAnnotations, facetScore, judgeOutput, mergeQuality, projectAnnotations } from './quality.ts';
import type { CaseRun } from '../measure/runner.ts';
import type { Budgets, CaseMeta, Fingerprint, GateResult, GateSample, Prompt, RequestSample } from '../types.ts';

/** How much of an output a result keeps as its example. */
const SAMPLE_OUTPUT_CHARS = 2000;

/** The reference a case is compared with: a baseline entry, or a case of another results file. */
export interface Reference {
  file: string;
  samples: readonly GateSample[];
  outputSha256: string | null;
  fingerprint: Fingerprint | null;
  updatedAt: string;
  gitSha: string | null;
}

/** The gate's result for a case and the failure lines it adds (none when it passes, or while updating the baseline). */
export function gateCase(
  reference: Reference | null,
  head: { samples: readonly RequestSample[]; fingerprint: Fingerprint | null; outputSha256: string | null },
  options: GateOptions,
  updating = false,
): { gate: GateResult; failures: string[] } {
  const comparison = compareCase(reference?.samples ?? null, head.samples, options);
  // Updating the baseline accepts the new figures: nothing fails for having changed.
  const failed = !updating && failsGate(comparison.verdict, options.failOn);
  const mismatch = reference?.fingerprint && head.fingerprint ? fingerprintMismatch(reference.fingerprint, head.fingerprint) : [];
  const gate: GateResult = {
    ...comparison,
    failed,
    tolerance: options.tolerance,
    failOn: options.failOn,
    baseline: reference?.fingerprint ? { file: reference.file, updatedAt: reference.updatedAt, gitSha: reference.gitSha, fingerprint: reference.fingerprint } : null,
    fingerprintMismatch: mismatch,
    outputChanged: reference?.outputSha256 && head.outputSha256 ? reference.outputSha256 !== head.outputSha256 : null,
  };
  const failures = failed ? comparison.metrics.filter((m) => failsGate(m.verdict, options.failOn)).map((m) => m.message) : [];
  if (failed && mismatch.length > 0) failures.push(`note: the baseline was measured elsewhere (${mismatch.join('; ')})`);
  return { gate, failures };
}

export interface EvaluationContext {
  prompt: Prompt;
  budgets: Budgets;
  gate: GateOptions;
  config: HarnessConfig;
  /** The baseline entry of this case, or null when it is new. */
  reference: Reference | null;
  updatingBaseline: boolean;
  fingerprint: Fingerprint;
  /** Client for the judge model, on the case's target. */
  judgeClient: OpenAI;
}

export async function evaluateCase(meta: CaseMeta, run: CaseRun, ctx: EvaluationContext): Promise<void> {
  meta.samples = run.samples;
  meta.warmup = { count: run.warmupSamples.length, errors: run.warmupSamples.filter((s) => !s.ok).length };
  meta.stats = caseStats(run.samples);
  meta.errors = errorSummary(run.samples);
  meta.determinism = determinism(run.samples);
  meta.durationMs = run.durationMs;
  meta.fingerprint = ctx.fingerprint;
  const first = run.samples.find((s) => s.ok);
  if (first && run.firstText !== null) {
    meta.sampleOutput = {
      text: run.firstText.slice(0, SAMPLE_OUTPUT_CHARS),
      truncated: run.firstText.length > SAMPLE_OUTPUT_CHARS,
      sha256: first.outputSha256 ?? '',
      outputTokens: first.outputTokens,
      finishReason: first.finishReason,
    };
    const judge = ctx.config.quality?.judge ? await judgeOutput(ctx.judgeClient, ctx.config.quality.judge, promptText(ctx.prompt), run.firstText) : null;
    meta.quality = mergeQuality({
      facets: facetScore(run.firstText, ctx.prompt.expected?.facets ?? []),
      judge,
      ...attachAnnotations(projectAnnotations(ctx.config), meta.id, meta.sampleOutput.sha256),
    });
  }
  meta.cost = estimateCost(meta.stats.e2eTokPerSec?.p50, ctx.config.energy);
  meta.budgetViolations = checkBudgets(ctx.budgets, meta.stats, meta.errors, meta.quality?.score ?? null);

  const { gate, failures } = gateCase(ctx.reference, { samples: meta.samples, fingerprint: meta.fingerprint, outputSha256: meta.sampleOutput?.sha256 ?? null }, ctx.gate, ctx.updatingBaseline);
  meta.gate = gate;
  meta.failures.push(...failures, ...meta.budgetViolations.map((v) => v.message));
  if (meta.errors.count > 0 && meta.budgetViolations.some((v) => v.budget === 'maxErrorRate')) {
    meta.failures.push(...meta.errors.first.map((e) => `  request ${e.iteration + 1}: ${e.kind}: ${e.message}`));
  }
}

/** The prompt as one text, for the judge. */
function promptText(prompt: Prompt): string {
  return prompt.messages.map((m) => (m.role === 'user' ? m.content : `${m.role}: ${m.content}`)).join('\n');
}
