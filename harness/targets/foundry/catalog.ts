/**
 * Foundry Local's model catalog, as the harness sees it: one entry per
 * variant (a concrete model id such as `qwen2.5-0.5b-instruct-generic-cpu:4`),
 * grouped by alias (`qwen2.5-0.5b`). Each generation describes variants in
 * its own shape; the parsers here turn them into `FoundryVariant`, and
 * `resolveVariant` picks the variant a spec means.
 */
import type { DeviceType, FoundryGeneration, FoundryVariant, VariantSelector } from '../../types.ts';

type Json = Record<string, unknown>;

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** `name:version` split; an id without `:N` has version null. */
export function splitId(id: string): { name: string; version: number | null } {
  const match = /^(.*):(\d+)$/.exec(id);
  return match ? { name: match[1] as string, version: Number(match[2]) } : { name: id, version: null };
}

// Variant names end in `-<accelerator>-<device>`; the accelerator says which execution provider runs it.
const SUFFIX = /-(generic|cuda|trtrtx|openvino|qnn|vitis|webgpu)-(cpu|gpu|npu)$/i;
const PROVIDER_BY_ACCELERATOR: Record<string, Record<string, string>> = {
  generic: { cpu: 'CPUExecutionProvider', gpu: 'WebGpuExecutionProvider' },
  cuda: { gpu: 'CUDAExecutionProvider' },
  trtrtx: { gpu: 'NvTensorRTRTXExecutionProvider' },
  openvino: { cpu: 'OpenVINOExecutionProvider', gpu: 'OpenVINOExecutionProvider', npu: 'OpenVINOExecutionProvider' },
  qnn: { npu: 'QNNExecutionProvider' },
  vitis: { npu: 'VitisAIExecutionProvider' },
  webgpu: { gpu: 'WebGpuExecutionProvider' },
};

/** Device and execution provider implied by a variant's name, for sources that only give ids. */
export function runtimeFromId(id: string): { deviceType: DeviceType | null; executionProvider: string | null } {
  const match = SUFFIX.exec(splitId(id).name);
  if (!match) return { deviceType: null, executionProvider: null };
  const accelerator = (match[1] as string).toLowerCase();
  const device = (match[2] as string).toLowerCase();
  return { deviceType: device.toUpperCase() as DeviceType, executionProvider: PROVIDER_BY_ACCELERATOR[accelerator]?.[device] ?? null };
}

function deviceType(value: unknown): DeviceType | null {
  const text = str(value)?.toUpperCase();
  return text === 'CPU' || text === 'GPU' || text === 'NPU' ? text : null;
}

/**
 * One variant from any generation's description of it: gen-1 `/foundry/list`
 * entries (`name`, `runtime`, `fileSizeMb`), SDK 1.x `ModelInfo` (`id`, `cached`)
 * and the gen-2 CLI's `-o json` entries (same fields, some flattened).
 */
export function variantFromJson(entry: Json): FoundryVariant | null {
  // `variantId` is the gen-2 CLI's `model list --variants -o json` (its `variantName` has no version).
  const id = str(entry.variantId) ?? str(entry.id) ?? str(entry.modelId) ?? str(entry.name);
  if (!id) return null;
  const runtime = (entry.runtime ?? {}) as Json;
  const fromId = runtimeFromId(id);
  const versionField = num(entry.version) ?? (str(entry.version) && /^\d+$/.test(entry.version as string) ? Number(entry.version) : null);
  return {
    id,
    alias: str(entry.alias) ?? aliasFromId(id),
    version: splitId(id).version ?? versionField,
    deviceType: deviceType(runtime.deviceType) ?? deviceType(entry.deviceType) ?? deviceType(entry.device) ?? fromId.deviceType,
    executionProvider: str(runtime.executionProvider) ?? str(entry.executionProvider) ?? fromId.executionProvider,
    fileSizeMb: num(entry.fileSizeMb) ?? num(entry.fileSizeMB) ?? num(entry.sizeMb),
    license: str(entry.license),
    task: str(entry.task),
    ...(typeof entry.cached === 'boolean' ? { cached: entry.cached } : {}),
    ...(str(entry.uri) ? { downloadRef: { uri: entry.uri as string, publisher: str(entry.publisher), promptTemplate: entry.promptTemplate ?? null } } : {}),
  };
}

/**
 * Parses a list of variant descriptions: a bare array, `{models: [...]}` (variants nested or flat; the gen-2 CLI
 * without `--variants` lists one build per alias this way) or `{variants: [...]}` (gen-2 `--variants`: every build).
 */
export function parseCatalog(payload: unknown): FoundryVariant[] {
  const listed = (key: string) => (Array.isArray((payload as Json)?.[key]) ? ((payload as Json)[key] as unknown[]) : null);
  const entries = Array.isArray(payload) ? payload : (listed('variants') ?? listed('models'));
  if (!entries) throw new Error('expected an array of models, {"models": [...]} or {"variants": [...]}');
  const variants: FoundryVariant[] = [];
  for (const entry of entries) {
    if (!entry || typeof entry !== 'object') continue;
    const nested = (entry as Json).variants;
    if (Array.isArray(nested) && nested.length > 0) {
      for (const variant of nested) {
        const parsed = variant && typeof variant === 'object' ? variantFromJson({ alias: (entry as Json).alias, ...(variant as Json) }) : null;
        if (parsed) variants.push(parsed);
      }
    } else {
      const parsed = variantFromJson(entry as Json);
      if (parsed) variants.push(parsed);
    }
  }
  return variants;
}

/**
 * Best-effort alias for a bare id (a gen-2 `/v1/models` list has nothing
 * else): the name without its version, its variant suffix and an
 * `-instruct`/`-it`/`-chat` tag, lower-cased. Exact for the qwen and phi
 * families; other families need a richer catalog source (CLI or SDK).
 */
export function aliasFromId(id: string): string {
  return splitId(id)
    .name.replace(SUFFIX, '')
    .replace(/-(instruct|it|chat)$/i, '')
    .toLowerCase();
}

export type Resolution = { variant: FoundryVariant; reason: string } | { variant: null; reason: string };

/**
 * The variant a spec means by `model` (an alias or an exact id) and an
 * optional selector. Without a selector it is the one Foundry Local itself
 * would pick: a cached variant first, else the catalog's first (the catalog
 * lists only variants this machine can run, best first). Among versions of one
 * name the highest wins.
 */
export function resolveVariant(
  catalog: readonly FoundryVariant[],
  model: string,
  selector: VariantSelector | undefined,
  cached: ReadonlySet<string>,
  rule: AliasRule = { generation: 'server', platform: process.platform },
): Resolution {
  const exact = findById(catalog, selector && !isDevice(selector) ? selector : model);
  if (exact) return { variant: exact, reason: 'exact id' };
  if (selector && !isDevice(selector)) {
    return { variant: null, reason: `variant "${selector}" is not in the Foundry Local catalog${nearby(catalog, model)}` };
  }
  const lower = model.toLowerCase();
  const family = latestVersions(catalog.filter((v) => v.alias.toLowerCase() === lower));
  if (family.length === 0)
    return { variant: null, reason: `"${model}" is neither an alias nor a model id in the Foundry Local catalog${nearby(catalog, model)}` };
  const candidates = selector ? family.filter((v) => v.deviceType === selector.toUpperCase()) : family;
  if (candidates.length === 0) {
    const devices = [...new Set(family.map((v) => v.deviceType ?? 'unknown'))].join(', ');
    return {
      variant: null,
      reason: `"${model}" has no ${selector?.toUpperCase()} variant on this machine (the catalog offers ${devices}: ${family.map((v) => v.id).join(', ')})`,
    };
  }
  const first = candidates[0] as FoundryVariant;
  if (rule.generation === 'service') {
    // Gen-1's SDKs and CLI take the first match in catalog order, cached or not; on Windows a generic-GPU first
    // pick without a CUDA build to take it becomes the CPU build (sdk_legacy/python/foundry_local/api.py).
    const cuda = catalog.some((v) => v.executionProvider === 'CUDAExecutionProvider');
    const cpu = candidates.find((v) => v.deviceType === 'CPU');
    if (!selector && rule.platform === 'win32' && /-generic-gpu$/i.test(splitId(first.id).name) && !cuda && cpu) {
      return { variant: cpu, reason: 'CPU build, as Foundry Local picks on Windows without CUDA' };
    }
    return { variant: first, reason: 'first variant in catalog order' };
  }
  const cachedOne = candidates.find((v) => cached.has(v.id));
  if (cachedOne) return { variant: cachedOne, reason: 'cached variant' };
  return { variant: first, reason: 'first variant in catalog order' };
}

/** Whose alias rule applies: the current generation prefers a cached build (SDK 1.x `Model`), the older does not. */
export interface AliasRule {
  generation: FoundryGeneration;
  platform: NodeJS.Platform;
}

function isDevice(selector: VariantSelector): selector is 'cpu' | 'gpu' | 'npu' {
  return selector === 'cpu' || selector === 'gpu' || selector === 'npu';
}

/** An exact id, or a name without version (then its highest version). Case-insensitive, as Foundry Local is. */
export function findById(catalog: readonly FoundryVariant[], wanted: string): FoundryVariant | null {
  const lower = wanted.toLowerCase();
  const exact = catalog.find((v) => v.id.toLowerCase() === lower);
  if (exact) return exact;
  const named = catalog.filter((v) => splitId(v.id).name.toLowerCase() === lower);
  return named.sort((a, b) => (b.version ?? 0) - (a.version ?? 0))[0] ?? null;
}

/** Keeps the highest version of each variant name, in catalog order. */
function latestVersions(variants: readonly FoundryVariant[]): FoundryVariant[] {
  const best = new Map<string, FoundryVariant>();
  for (const v of variants) {
    const name = splitId(v.id).name.toLowerCase();
    const current = best.get(name);
    if (!current || (v.version ?? 0) > (current.version ?? 0)) best.set(name, v);
  }
  return variants.filter((v) => best.get(splitId(v.id).name.toLowerCase()) === v);
}

function nearby(catalog: readonly FoundryVariant[], model: string): string {
  const stem = /^[a-z]+/.exec(model.toLowerCase())?.[0] ?? ''; // the family: qwen, phi, mistral
  const aliases = [...new Set(catalog.map((v) => v.alias))];
  const close = aliases.filter((a) => stem !== '' && a.toLowerCase().startsWith(stem)).slice(0, 6);
  if (close.length > 0) return ` (close: ${close.join(', ')})`;
  return aliases.length > 0 ? ` (${aliases.length} aliases, e.g. ${aliases.slice(0, 4).join(', ')})` : ' (the catalog is empty: is the service offline?)';
}
