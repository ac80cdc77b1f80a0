/**
 * The quality rubric: three sources of a 1-5 score for a case's sample output,
 * merged. (a) facet coverage of the prompt's expected facets; (b) an optional
 * judge model on the same target, asked at temperature 0 after the timed
 * requests (so its latency is never measured); (c) people's annotations,
 * attached by case id and output hash, so a score stays with the text it judged.
 */
import { currentCaseId } from '../files/case-id.ts';
import { asChatCompletion } from '../measure/request.ts';
import type OpenAI from 'openai';
import type { Annotation, Facet, JudgeOptions, QualityResult } from '../types.ts';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a facet is present: any keyword as a whole word or phrase (case-insensitive), or its regex. */
export function facetPresent(text: string, facet: Facet): boolean {
  if (facet.regex) return new RegExp(facet.regex, facet.flags ?? 'i').test(text);
  return (facet.keywords ?? []).some((keyword) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(keyword)}(?![\\p{L}\\p{N}])`, 'iu').test(text));
}

/** Share of facets present, mapped linearly to 1 (none) .. 5 (all). */
export function facetScore(text: string, facets: readonly Facet[]): QualityResult['facets'] {
  if (facets.length === 0) return null;
  const matched = facets.filter((f) => facetPresent(text, f)).map((f) => f.id);
  const share = matched.length / facets.length;
  return { score: 1 + 4 * share, share, matched, missing: facets.map((f) => f.id).filter((id) => !matched.includes(id)) };
}

export const JUDGE_PROMPT = [
  'You grade answers. Rate how well the ANSWER responds to the QUESTION, from 1 (useless or wrong) to 5 (complete and correct).',
  'Reply with the score only, as a single digit.',
].join(' ');

/**
 * A score from whatever a judge said: a JSON `{"score": n}`, "Score: n", "n/5",
 * "n out of 5", or a lone digit. Anything else is no score (null), never an error.
 */
export function parseJudgeScore(answer: string): number | null {
  const text = answer.trim();
  const candidates = [
    /"score"\s*:\s*"?(\d+(?:\.\d+)?)/i,
    /\bscore\b\W{0,3}(\d+(?:\.\d+)?)/i,
    /\b(\d+(?:\.\d+)?)\s*(?:\/|out of)\s*5\b/i,
    /^\**(\d(?:\.\d+)?)\**\.?$/,
  ];
  for (const pattern of candidates) {
    const value = Number(pattern.exec(text)?.[1]);
    if (Number.isFinite(value) && value >= 1 && value <= 5) return value;
  }
  return null;
}

/** How long a judge may take unless the config says otherwise. */
export const DEFAULT_JUDGE_TIMEOUT_MS = 60_000;

/** Asks the judge model; its failures (a stalled judge included) are recorded as `error`, never thrown. */
export async function judgeOutput(openai: OpenAI, judge: JudgeOptions, question: string, answer: string): Promise<QualityResult['judge']> {
  const timeoutMs = judge.timeoutMs ?? DEFAULT_JUDGE_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const completion = asChatCompletion(
      await openai.chat.completions.create(
        {
          model: judge.model,
          messages: [
            { role: 'system', content: JUDGE_PROMPT },
            { role: 'user', content: `QUESTION:\n${question}\n\nANSWER:\n${answer}` },
          ],
          temperature: 0,
          seed: 42,
          max_tokens: judge.maxTokens ?? 16,
        },
        { signal },
      ),
    );
    const text = completion.choices[0]?.message?.content ?? '';
    const score = parseJudgeScore(text);
    return { model: judge.model, status: score === null ? 'unscored' : 'scored', score, answer: text.slice(0, 200) };
  } catch (error) {
    const message = signal.aborted ? `the judge gave no answer within ${timeoutMs} ms` : (error as Error).message;
    return { model: judge.model, status: 'error', score: null, answer: message.slice(0, 200) };
  }
}

/** The manual score for this exact output, and how many annotations of the case judged another output. */
export function attachAnnotations(
  annotations: readonly Annotation[],
  caseId: string,
  outputSha256: string | null,
): Pick<QualityResult, 'manual' | 'detachedAnnotations'> {
  // Annotations written against an earlier version's ids (with an input-hash suffix) still attach.
  const forCase = annotations.filter((a) => currentCaseId(a.case) === currentCaseId(caseId));
  const current = forCase.filter((a) => a.outputSha256 === outputSha256).at(-1);
  return {
    manual: current ? { score: current.score, note: current.note ?? null, by: current.by ?? null } : null,
    detachedAnnotations: forCase.filter((a) => a.outputSha256 !== outputSha256).length,
  };
}

/** The case's score: a person's if there is one, else the mean of the automatic scores. */
export function mergeQuality(parts: Omit<QualityResult, 'score'>): QualityResult {
  const automatic = [parts.facets?.score, parts.judge?.score].filter((s): s is number => typeof s === 'number');
  const score = parts.manual?.score ?? (automatic.length > 0 ? automatic.reduce((a, b) => a + b, 0) / automatic.length : null);
  return { ...parts, score };
}
