/**
 * `foundry-bench models`: the model catalog as a table. Against Foundry Local
 * (found as a run finds it) one row per variant: alias, the variant the alias
 * resolves to, id, device and execution provider, size, license, cached,
 * loaded and disk footprint, merged with fixtures/models.yaml. Against another
 * target (flag, environment, config, or the embedded engine a run would start)
 * the catalog's models and the target's, with which of them it serves.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { catalogPath, loadCatalog } from '../files/catalog.ts';
import { resolveVariant } from '../targets/foundry/catalog.ts';
import { FoundryService } from '../targets/foundry/service.ts';
import { findModel } from '../targets/openai.ts';
import { resolveRunTarget } from '../targets/resolve.ts';
import type { CatalogEntry, FoundryTarget, RunOptions, RunTarget } from '../types.ts';
import type { Io } from './run-bench.ts';

/** The target is the one a run would use (the embedded engine when nothing else is configured). */
export async function modelsCommand(options: RunOptions, io: Io): Promise<number> {
  const path = catalogPath(options.config, options.root);
  const catalog = loadCatalog(path, options.config.catalog !== undefined);
  const log = (line: string) => void io.stderr.write(`foundry-bench: ${line}\n`);
  const { target, close } = await resolveRunTarget(options, log);
  try {
    const foundry = target.kind === 'ready' ? target.foundry : null;
    const out = foundry ? await foundryTable(foundry, catalog) : catalogTable(catalog, target);
    out.unshift(
      existsSync(path)
        ? `catalog: ${path}`
        : `catalog: none (no ${relative(options.root, path) || path}; a catalog adds each model's family, size and license: docs/specs.md)`,
    );
    const info = target.info;
    out.push(
      '',
      `target: ${info?.baseURL ?? 'none'}${info ? ` (${info.kind}${info.server ? `, ${info.server}` : ''}, from ${info.source})` : ''}${target.kind === 'unusable' ? `: ${target.error}` : ''}`,
    );
    io.stdout.write(`${out.join('\n')}\n`);
    return target.kind === 'unusable' ? 1 : 0;
  } finally {
    await close();
  }
}

/** The catalog's models and the target's, one row each, with whether the target serves them. */
function catalogTable(catalog: Record<string, CatalogEntry>, target: RunTarget): string[] {
  const served = target.kind === 'ready' ? target.models : null;
  const servedOnly = (served ?? []).filter((id) => !Object.keys(catalog).some((alias) => findModel([id], alias)));
  const rows = [
    ...Object.entries(catalog).map(([alias, m]) => [
      alias,
      m.family ?? '-',
      m.parameters ? `${(m.parameters / 1e6).toFixed(m.parameters < 1e7 ? 1 : 0)}M` : '-',
      m.size_mb === null ? 'unknown' : `${m.size_mb} MiB`,
      m.license,
      m.capabilities.join(', '),
      served ? (findModel(served, alias) ? 'yes' : 'no') : 'unknown',
    ]),
    ...servedOnly.map((id) => [id, '-', '-', '-', '-', '-', 'yes']),
  ];
  return renderRows(['alias', 'family', 'parameters', 'size', 'license', 'capabilities', 'served'], rows);
}

async function foundryTable(foundry: FoundryTarget, catalog: Record<string, CatalogEntry>): Promise<string[]> {
  const service = new FoundryService(foundry);
  const [cached, loaded] = await Promise.all([service.cached(), service.loaded()]);
  const variants = [...foundry.catalog].sort((a, b) => a.alias.localeCompare(b.alias));
  const picks = new Map<string, string | undefined>();
  for (const alias of new Set(variants.map((v) => v.alias)))
    picks.set(
      alias,
      resolveVariant(foundry.catalog, alias, undefined, cached ?? new Set(), { generation: foundry.generation, platform: process.platform }).variant?.id,
    );
  const rows = variants.map((v) => {
    const disk = service.diskBytes(v.id);
    return [
      v.alias,
      picks.get(v.alias) === v.id ? '*' : '',
      v.id,
      v.deviceType ?? '?',
      v.executionProvider ?? '?',
      v.fileSizeMb === null ? (catalog[v.alias]?.size_mb != null ? `${catalog[v.alias]?.size_mb} MiB` : '?') : `${v.fileSizeMb} MiB`,
      v.license ?? catalog[v.alias]?.license ?? '?',
      cached ? (cached.has(v.id) ? 'yes' : 'no') : 'unknown',
      findModel(loaded, v.id) ? 'yes' : 'no',
      disk === null ? '-' : `${(disk / 2 ** 20).toFixed(1)} MiB`,
      catalog[v.alias]?.capabilities.join(', ') ?? '',
    ];
  });
  const out = renderRows(['alias', 'pick', 'model id', 'device', 'execution provider', 'size', 'license', 'cached', 'loaded', 'disk', 'capabilities'], rows);
  out.push(
    '',
    `* the variant an alias resolves to on this machine (a cached one first, else the catalog's first); pin another with the spec option variant: 'cpu' | 'gpu' | 'npu' | '<model id>'`,
  );
  const missing = Object.keys(catalog).filter((alias) => !picks.has(alias) && !foundry.catalog.some((v) => v.id.toLowerCase() === alias.toLowerCase()));
  if (missing.length > 0) out.push(`not in this Foundry Local catalog: ${missing.join(', ')}`);
  return out;
}

function renderRows(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
