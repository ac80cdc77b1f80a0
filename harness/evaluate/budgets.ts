/** Absolute budgets: limits a case must stay within, whatever the baseline says. */
import type { BudgetViolation, Budgets, CaseStats, ErrorSummary } from '../types.ts';

const fmt = (value: number, digits = 1) => value.toFixed(digits);

export function checkBudgets(budgets: Budgets, stats: CaseStats, errors: ErrorSummary, qualityScore: number | null = null): BudgetViolation[] {
  const violations: BudgetViolation[] = [];
  const above = (budget: keyof Budgets, actual: number | undefined, label: string, unit = 'ms') => {
    const limit = budgets[budget];
    if (limit === undefined || actual === undefined || actual <= limit) return;
    violations.push({ budget, limit, actual, message: `${label} ${fmt(actual)} ${unit} exceeds budget ${budget} = ${limit} ${unit}` });
  };
  above('p95Ms', stats.e2eMs?.p95, 'e2e p95');
  above('p99Ms', stats.e2eMs?.p99, 'e2e p99');
  above('ttftP95Ms', stats.ttftMs?.p95, 'TTFT p95');

  const minRate = budgets.minTokensPerSec;
  const rate = stats.e2eTokPerSec?.p50;
  if (minRate !== undefined && rate !== undefined && rate < minRate) {
    violations.push({
      budget: 'minTokensPerSec',
      limit: minRate,
      actual: rate,
      message: `median e2e throughput ${fmt(rate)} tok/s is below budget minTokensPerSec = ${minRate}`,
    });
  }

  if (budgets.minQuality !== undefined && (qualityScore === null || qualityScore < budgets.minQuality)) {
    violations.push({
      budget: 'minQuality',
      limit: budgets.minQuality,
      actual: qualityScore ?? 0,
      message:
        qualityScore === null
          ? `no quality score (no expected facets, judge score or annotation) for budget quality.minScore = ${budgets.minQuality}`
          : `quality score ${fmt(qualityScore)} is below budget quality.minScore = ${budgets.minQuality}`,
    });
  }

  const maxErrorRate = budgets.maxErrorRate ?? 0;
  if (errors.rate > maxErrorRate) {
    const kinds = Object.entries(errors.byKind)
      .map(([kind, n]) => `${kind} x${n}`)
      .join(', ');
    violations.push({
      budget: 'maxErrorRate',
      limit: maxErrorRate,
      actual: errors.rate,
      message: `error rate ${fmt(errors.rate * 100)}% (${errors.count} errors: ${kinds}) exceeds budget maxErrorRate = ${maxErrorRate}`,
    });
  }
  return violations;
}
