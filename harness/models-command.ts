/**
 * `foundry-bench models`: the model catalog as a table, and, when a target is
 * configured (flag, environment or config), which of its models the target serves.
 */
import { catalogPath, loadCatalog } from './catalog.ts';
import type { HarnessConfig } from './config.ts';
import { probeTarget } from './run-target.ts';
import { explicitTarget, findModel, normalizeBaseURL } from './target.ts';

export async function modelsCommand(config: HarnessConfig, targetFlag: string | undefined): Promise<number> {
  const path = catalogPath(config);
  const catalog = loadCatalog(path, config.catalog !== undefined);
  const targetInfo = targetFlag
    ? { baseURL: normalizeBaseURL(targetFlag, '--target'), source: 'cli', kind: 'openai-compatible' as const }
    : explicitTarget(config.target);
  const target = targetInfo ? await probeTarget(targetInfo) : null;
  const rows = Object.entries(catalog).map(([alias, m]) => [
    alias,
    m.family ?? '-',
    m.parameters ? `${(m.parameters / 1e6).toFixed(m.parameters < 1e7 ? 1 : 0)}M` : '-',
    m.size_mb === null ? 'unknown' : `${m.size_mb} MB`,
    m.license,
    m.capabilities.join(', '),
    ...(target ? [target.models ? (findModel(target.models, alias) ? 'yes' : 'no') : 'unknown'] : []),
  ]);
  const head = ['alias', 'family', 'parameters', 'size', 'license', 'capabilities', ...(target ? ['served'] : [])];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const out = [`catalog: ${path}`, line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (target) out.push('', `target: ${target.info?.baseURL}${target.error ? ` (${target.error})` : ''}`);
  else out.push('', 'no target configured: pass --target URL (or set BENCH_BASE_URL) to see which models it serves');
  process.stdout.write(`${out.join('\n')}\n`);
  return target?.error ? 1 : 0;
}
