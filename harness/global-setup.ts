/**
 * Vitest global setup for bench runs: resolves the run's target once, tells
 * the user which one is in use, and provides it to the spec files. With no
 * target configured it starts the embedded engine, and stops it at the end.
 */
import type { TestProject } from 'vitest/node';
import { resolveBenchTarget } from './bench-target.ts';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const { target, embedded } = await resolveBenchTarget(log);
  project.provide('benchTarget', target);
  const where = target.info ? `${target.info.baseURL} (${target.info.kind}, from ${target.info.source})` : 'none';
  const models = target.models ? `, serves ${target.models.length} model(s)` : '';
  log(`target ${where}${models}`);
  if (target.error) log(target.error);
  return embedded ? () => embedded.close() : undefined;
}

function log(line: string): void {
  process.stderr.write(`foundry-bench: ${line}\n`);
}
