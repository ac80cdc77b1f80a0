/**
 * The run's default target: resolved once (in vitest's global setup) and
 * provided to every spec file, so `/v1/models` is read once per run. Specs that
 * name a `target` of their own resolve it once per file.
 */
import { apiKeyFromEnv, listModels, normalizeBaseURL, targetFromEnv } from './targets/openai.ts';
import type { ProvidedTarget, TargetInfo } from './types.ts';

/** Only seen when a spec runs outside `npm run bench`, whose global setup would start the embedded engine. */
export const NO_TARGET_MESSAGE =
  'no target configured: run specs with `npm run bench` (which starts the embedded engine), or set BENCH_BASE_URL (or FOUNDRY_LOCAL_ENDPOINT) to the base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:5273/v1';

/** A target nothing can be sent to; every case fails with `message`. */
export function unusableTarget(message: string): ProvidedTarget {
  return { info: null, models: null, error: message, modelInfo: {} };
}

/** Looks the target up and asks it for its models. Never throws: problems become `error`. */
export async function probeTarget(info: TargetInfo | null, env: NodeJS.ProcessEnv = process.env): Promise<ProvidedTarget> {
  if (!info) return unusableTarget(NO_TARGET_MESSAGE);
  const { models, error } = await listModels(info.baseURL, apiKeyFromEnv(env));
  return { info, models, error, modelInfo: {} };
}

export async function resolveRunTarget(env: NodeJS.ProcessEnv = process.env): Promise<ProvidedTarget> {
  let info: TargetInfo | null;
  try {
    info = targetFromEnv(env);
  } catch (error) {
    return unusableTarget((error as Error).message);
  }
  return probeTarget(info, env);
}

export async function resolveSpecTarget(url: string): Promise<ProvidedTarget> {
  let info: TargetInfo;
  try {
    info = { baseURL: normalizeBaseURL(url, 'spec option "target"'), source: 'spec', kind: 'openai-compatible' };
  } catch (error) {
    return unusableTarget((error as Error).message);
  }
  return probeTarget(info);
}
