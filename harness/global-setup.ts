/**
 * Vitest global setup for bench runs: resolves the run's target once, tells
 * the user which one is in use, and provides it to the spec files.
 */
import type { TestProject } from 'vitest/node';
import { resolveRunTarget } from './run-target.ts';

export default async function setup(project: TestProject): Promise<void> {
  const target = await resolveRunTarget();
  project.provide('benchTarget', target);
  const where = target.info ? `${target.info.baseURL} (${target.info.kind}, from ${target.info.source})` : 'none';
  const models = target.models ? `, serves ${target.models.length} model(s)` : '';
  process.stderr.write(`foundry-bench: target ${where}${models}\n`);
  if (target.error) process.stderr.write(`foundry-bench: ${target.error}\n`);
}
