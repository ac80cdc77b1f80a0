/**
 * What changed in a case's input since its reference: the prompt's text, a
 * request parameter. The case keeps its id when its input changes (the most
 * common latency regression in an app is a longer prompt), so the gate still
 * compares it, and every report says what changed.
 */
import type { ChatMessage, RecordedRequest } from '../types.ts';

/** What is known of a side's input: always its hash; the request itself when it was recorded. */
export interface InputRecord {
  /** sha256 of messages and parameters (or, from an old id, its first 12 hex digits); null when unknown. */
  hash: string | null;
  /** The messages sent; null when not recorded. */
  messages: readonly ChatMessage[] | null;
  /** The parameters that change the output; null when not recorded. */
  params: Pick<RecordedRequest, 'maxTokens' | 'temperature' | 'seed' | 'stream'> | null;
}

const PARAMS = ['maxTokens', 'temperature', 'seed', 'stream'] as const;

/** Hashes match when both are known and one is a prefix of the other (old ids kept 12 digits). */
export function sameHash(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  return n >= 12 && a.slice(0, n) === b.slice(0, n);
}

/**
 * The changes from `base` to `head`, one phrase each ("prompt text changed", "maxTokens 64 -> 80");
 * empty when the input is the same, or when the base's input is unknown.
 */
export function inputChanges(base: InputRecord | null, head: InputRecord): string[] {
  if (!base?.hash || !head.hash || sameHash(base.hash, head.hash)) return [];
  const changes: string[] = [];
  if (base.params && head.params) {
    for (const name of PARAMS) {
      if (base.params[name] !== head.params[name]) changes.push(`${name} ${String(base.params[name])} -> ${String(head.params[name])}`);
    }
  }
  const messagesKnown = base.messages !== null && head.messages !== null;
  if (messagesKnown ? JSON.stringify(base.messages) !== JSON.stringify(head.messages) : changes.length === 0) {
    changes.unshift(messagesKnown || base.params ? 'prompt text changed' : 'prompt or parameters changed');
  }
  return changes;
}

/** A case id's base (`model/promptId`) and the load profile it carries (`c4`, `r2-poisson`; null: sequential). */
function profileOf(id: string): { base: string; label: string | null } {
  const slash = id.lastIndexOf('/');
  const at = id.indexOf('@', slash + 1);
  return at === -1 ? { base: id, label: null } : { base: id.slice(0, at), label: id.slice(at + 1) };
}

/**
 * When a case has no reference but its prompt was stored under another load profile (or without one): what changed.
 * The profile is part of the case's id, so such a case is new, never compared across profiles; this says why.
 */
export function profileChange(id: string, known: Iterable<string>): string | null {
  const head = profileOf(id);
  for (const other of known) {
    const base = profileOf(other);
    if (base.base === head.base && base.label !== head.label) {
      return `load profile ${base.label ?? 'sequential'} -> ${head.label ?? 'sequential'}: a new case, not compared across profiles`;
    }
  }
  return null;
}
