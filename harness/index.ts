/** Public API of foundry-bench for `.bench.ts` specs. */
export { benchModel } from './run/spec.ts';
export type {
  BenchOptions,
  Budgets,
  CaseMeta,
  CaseResult,
  ChatMessage,
  PromptInput,
  RequestSample,
  RunResults,
  Summary,
  SummaryWithCI,
} from './types.ts';
