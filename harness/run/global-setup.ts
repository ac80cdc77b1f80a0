/**
 * Vitest global setup for bench runs: resolves the run's target once, tells
 * the user which one is in use, and provides it to the spec files. With no
 * target configured it finds Foundry Local or starts the embedded engine, and
 * at the end stops what it started.
 */
import type { TestProject } from 'vitest/node';
import { resolveBenchTarget } from '../targets/resolve.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { target, close } = await resolveBenchTarget(log);
  project.provide('benchTarget', target);
  const where = target.info ? `${target.info.baseURL} (${target.info.kind}, from ${target.info.source})` : 'none';
  const models = target.models ? `, serves ${target.models.length} model(s)` : '';
  log(`target ${where}${models}`);
  if (target.error) log(target.error);
  return close;
}

function log(line: string): void {
  process.stderr.write(`foundry-bench: ${line}\n`);
}
