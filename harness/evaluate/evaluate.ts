/**
 * What a case's measurements amount to, once its requests are done: the
 * statistics, the quality rubric, the cost estimate and the budgets, with a
 * failure line for every budget broken. The judge model is asked here, after
 * timing. The regression gate is the next step (gate/gate.ts).
 */
import type OpenAI from 'openai';
import type { ArmRun } from '../measure/runner.ts';
import type {
  Annotation,
  BudgetViolation,
  Budgets,
  CaseStats,
  CostEstimate,
  Determinism,
  EnergyOptions,
  ErrorSummary,
  JudgeOptions,
  Prompt,
  QualityResult,
  SampleOutput,
} from '../types.ts';
import { checkBudgets } from './budgets.ts';
import { estimateCost } from './energy.ts';
import { caseStats, determinism, errorSummary } from './metrics.ts';
import { attachAnnotations, facetScore, judgeOutput, mergeQuality } from './quality.ts';

/** How much of an output a result keeps as its example. */
const SAMPLE_OUTPUT_CHARS = 2000;

/** What evaluating a case needs besides its samples. */
export interface EvaluationContext {
  /** The case id, to find its annotations. */
  caseId: string;
  /** The prompt, for its expected facets and the judge's question. */
  prompt: Prompt;
  /** The case's absolute limits. */
  budgets: Budgets;
  /** A judge model on the case's target, when configured. */
  judge: { options: JudgeOptions; client: OpenAI } | null;
  /** Inputs of the cost estimate, when configured. */
  energy: EnergyOptions | undefined;
  /** People's scores of the project's outputs. */
  annotations: readonly Annotation[];
}

/** A case's measurements, evaluated. */
export interface Evaluation {
  warmup: { count: number; errors: number; e2eMs: Array<number | null> };
  stats: CaseStats;
  errors: ErrorSummary;
  determinism: Determinism;
  sampleOutput: SampleOutput | null;
  quality: QualityResult | null;
  cost: CostEstimate | null;
  budgetViolations: BudgetViolation[];
  /** One line per broken budget, then the first errors when the error rate broke its budget. */
  failures: string[];
}

export async function evaluateCase(run: ArmRun, ctx: EvaluationContext): Promise<Evaluation> {
  const stats = caseStats(run.samples);
  const errors = errorSummary(run.samples);
  const first = run.samples.find((s) => s.ok);
  let sampleOutput: SampleOutput | null = null;
  let quality: QualityResult | null = null;
  if (first && run.firstText !== null) {
    sampleOutput = {
      text: run.firstText.slice(0, SAMPLE_OUTPUT_CHARS),
      truncated: run.firstText.length > SAMPLE_OUTPUT_CHARS,
      sha256: first.outputSha256 ?? '',
      outputTokens: first.outputTokens,
      finishReason: first.finishReason,
    };
    const judge = ctx.judge ? await judgeOutput(ctx.judge.client, ctx.judge.options, promptText(ctx.prompt), run.firstText) : null;
    quality = mergeQuality({
      facets: facetScore(run.firstText, ctx.prompt.expected?.facets ?? []),
      judge,
      ...attachAnnotations(ctx.annotations, ctx.caseId, sampleOutput.sha256),
    });
  }
  const budgetViolations = checkBudgets(ctx.budgets, stats, errors, quality?.score ?? null);
  const failures = budgetViolations.map((v) => v.message);
  if (errors.count > 0 && budgetViolations.some((v) => v.budget === 'maxErrorRate')) {
    failures.push(...errors.first.map((e) => `  request ${e.iteration + 1}: ${e.kind}: ${e.message}`));
  }
  return {
    warmup: {
      count: run.warmupSamples.length,
      errors: run.warmupSamples.filter((s) => !s.ok).length,
      e2eMs: run.warmupSamples.map((s) => (s.ok ? s.e2eMs : null)),
    },
    stats,
    errors,
    determinism: determinism(run.samples),
    sampleOutput,
    quality,
    cost: estimateCost(stats.e2eTokPerSec?.p50, ctx.energy),
    budgetViolations,
    failures,
  };
}

/** The prompt as one text, for the judge. */
function promptText(prompt: Prompt): string {
  return prompt.messages.map((m) => (m.role === 'user' ? m.content : `${m.role}: ${m.content}`)).join('\n');
}
