/**
 * `foundry-bench models`: the model catalog as a table. Against Foundry Local
 * (found as a run finds it) one row per variant: alias, the variant the alias
 * resolves to, id, device and execution provider, size, license, cached,
 * loaded and disk footprint, merged with fixtures/models.yaml. Against another
 * target (flag, environment or config) the catalog with which models it serves.
 */
import { catalogPath, loadCatalog } from '../files/catalog.ts';
import { resolveVariant } from '../targets/foundry/catalog.ts';
import { FoundryService } from '../targets/foundry/service.ts';
import { findModel, normalizeBaseURL } from '../targets/openai.ts';
import { probeTarget, resolveRunTarget } from '../targets/resolve.ts';
import type { CatalogEntry, FoundryTarget, RunOptions, RunTarget } from '../types.ts';
import type { Io } from './run-bench.ts';

/** `--target` here names a plain server directly; otherwise the target is found as a run finds it, without starting the embedded engine. */
export async function modelsCommand(options: RunOptions, targetFlag: string | undefined, io: Io): Promise<number> {
  const path = catalogPath(options.config, options.root);
  const catalog = loadCatalog(path, options.config.catalog !== undefined);
  const log = (line: string) => void io.stderr.write(`foundry-bench: ${line}\n`);
  const resolved = targetFlag
    ? {
        target: await probeTarget({ baseURL: normalizeBaseURL(targetFlag, '--target'), source: 'cli', kind: 'openai-compatible' }, options.apiKey),
        close: async () => {},
      }
    : await resolveRunTarget(options, log, false);
  try {
    const target = resolved?.target ?? null;
    const foundry = target?.kind === 'ready' ? target.foundry : null;
    const out = foundry ? await foundryTable(foundry, catalog) : catalogTable(catalog, target);
    out.unshift(`catalog: ${path}`);
    if (target)
      out.push(
        '',
        `target: ${target.info?.baseURL ?? 'none'}${target.info?.server ? ` (${target.info.server})` : ''}${target.kind === 'unusable' ? ` (${target.error})` : ''}`,
      );
    else out.push('', 'no target found: start Foundry Local, or pass --target URL (or set BENCH_BASE_URL) to see which models a server serves');
    io.stdout.write(`${out.join('\n')}\n`);
    return target?.kind === 'unusable' ? 1 : 0;
  } finally {
    await resolved?.close();
  }
}

function catalogTable(catalog: Record<string, CatalogEntry>, target: RunTarget | null): string[] {
  const rows = Object.entries(catalog).map(([alias, m]) => [
    alias,
    m.family ?? '-',
    m.parameters ? `${(m.parameters / 1e6).toFixed(m.parameters < 1e7 ? 1 : 0)}M` : '-',
    m.size_mb === null ? 'unknown' : `${m.size_mb} MiB`,
    m.license,
    m.capabilities.join(', '),
    ...(target ? [target.kind === 'ready' && target.models ? (findModel(target.models, alias) ? 'yes' : 'no') : 'unknown'] : []),
  ]);
  return renderRows(['alias', 'family', 'parameters', 'size', 'license', 'capabilities', ...(target ? ['served'] : [])], rows);
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
