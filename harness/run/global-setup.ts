/**
 * Vitest global setup for bench runs: resolves the run's target once, in
 * vitest's main process, tells the user which one is in use, and provides it
 * to the spec files. With no target configured it finds Foundry Local or
 * starts the embedded engine, and at the end stops what it started.
 */
import type { TestProject } from 'vitest/node';
import type { RunTarget } from '../types.ts';
import { casesToRun } from './selection.ts';
import { resolvePlainTarget, resolveRunTarget } from '../targets/resolve.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const options = project.getProvidedContext().runOptions;
  // vitest's own error stream: the CLI's stderr, or whatever an in-process caller passed.
  const log = (line: string) => void project.vitest.logger.errorStream.write(`foundry-bench: ${line}\n`);
  const { target, close } = await resolveRunTarget(options, log);
  project.provide('benchTarget', target);
  project.provide('gatedCases', casesToRun(project.getProvidedContext().specCases ?? {}, options, target));
  describe('target', target, log);
  const base = options.baseTarget ? await resolvePlainTarget(options.baseTarget, '--base-target', 'base-target', options.apiKey) : null;
  project.provide('benchBaseTarget', base);
  if (base) describe('A/B base target', base, log);
  return close;
}

function describe(what: string, target: RunTarget, log: (line: string) => void): void {
  const where = target.info ? `${target.info.baseURL} (${target.info.kind}, from ${target.info.source})` : 'none';
  const models = target.kind === 'ready' && target.models ? `, serves ${target.models.length} model(s)` : '';
  log(`${what} ${where}${models}`);
  if (target.kind === 'unusable') log(target.error);
}
