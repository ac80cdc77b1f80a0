/**
 * One sanitiser for every string that came from a server or a user before it is stored or printed: the run's
 * secrets (API keys, credentials in target URLs) become `***`, even when a server echoes them back; control and
 * terminal escape characters are removed from stored data; and, where GitHub Actions reads the log, printed text
 * cannot become a workflow command (`::error::...` at a line's start, `##[error]` anywhere, which the runner also
 * accepts). Commands are neutralised where text is printed, not in what is stored: a case's identity and its
 * request must round-trip exactly, or it would never match its baseline again and a replay would send other text.
 */
import { stripVTControlCharacters } from 'node:util';
import type { RunOptions } from '../types.ts';

/** U+2060 WORD JOINER: invisible, not whitespace, so the runner's trimmed line no longer starts with `::`. */
const JOINER = '\u2060';

// C0 and C1 controls except tab and newline (carriage returns rewrite terminal lines; the rest are not text).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export class Sanitizer {
  private readonly secrets: string[];

  /**
   * @param secrets strings never to show (shorter than 4 characters are ignored: they would redact ordinary text)
   * @param actions the output is read by GitHub Actions: neutralise workflow commands
   */
  constructor(
    secrets: readonly string[],
    readonly actions: boolean,
  ) {
    this.secrets = [];
    this.conceal(secrets);
  }

  /** Adds secrets learnt later (a config file's target): redacted from every string sanitised from now on. */
  conceal(secrets: readonly string[]): void {
    // Longest first, so a secret containing another is replaced whole.
    const all = new Set([...this.secrets, ...secrets.filter((s) => s.length >= 4)]);
    this.secrets.splice(0, this.secrets.length, ...[...all].sort((a, b) => b.length - a.length));
  }

  /** A data string (a server's error, a model's output) to store: secrets redacted, controls and escapes removed. */
  text(value: string): string {
    // Redact first: a secret with a control character in it would no longer match once the character is stripped.
    return this.redact(plainText(this.redact(value)));
  }

  /** Text the harness itself writes to a terminal (colours, `\r` progress): secrets redacted, nothing else removed. */
  output(value: string): string {
    return this.commands(this.redact(value));
  }

  /** A value with every string inside sanitised as data (results documents, case records). */
  deep<T>(value: T): T {
    return this.walk(value, (text) => this.text(text));
  }

  /**
   * A case record to store: every string sanitised as data, except its identity and its request (`EXACT_KEYS`),
   * which only have secrets redacted: they are matched against the baseline and replayed, so they must stay the
   * user's own text, control characters and `##[` included (JSON escapes the one, output neutralises the other).
   */
  record<T extends object>(value: T): T {
    const entries = Object.entries(value).map(([key, item]) => [key, EXACT_KEYS.has(key) ? this.walk(item, (text) => this.redact(text)) : this.deep(item)]);
    return Object.fromEntries(entries) as T;
  }

  private walk<T>(value: T, clean: (text: string) => string): T {
    if (typeof value === 'string') return clean(value) as T;
    if (Array.isArray(value)) return value.map((item) => this.walk(item, clean)) as T;
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.walk(item, clean)])) as T;
    }
    return value;
  }

  private redact(value: string): string {
    let out = value;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }

  private commands(value: string): string {
    return this.actions ? neutraliseCommands(value) : value;
  }
}

/** Text from a server, printable: terminal escapes and control characters (but tab and newline) removed. */
export function plainText(value: string): string {
  return stripVTControlCharacters(value).replace(CONTROL, '');
}

/** A case record's fields that are its identity or its request: stored exactly (secrets aside). */
const EXACT_KEYS = new Set(['id', 'name', 'model', 'promptId', 'request']);

/** Text that the Actions runner cannot read as a workflow command, whatever line it ends up on. */
export function neutraliseCommands(value: string): string {
  return value.replace(/##\[/g, `##${JOINER}[`).replace(/^([ \t]*)::/gm, `$1${JOINER}::`);
}

/** The secrets in a URL: its password and user name (`http://user:key@host`). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const ANY_CONTROL = /[\u0000-\u001f\u007f]/;

/** Whether a name (a model, an id) holds a control character: a line break or escape that could forge output lines. */
export function hasControlCharacters(text: string): boolean {
  return ANY_CONTROL.test(text);
}

/** A name as messages quote it: control characters written as JSON escapes (`\n`), so they are seen, not obeyed. */
export function escapeControlCharacters(text: string): string {
  return text.replace(new RegExp(ANY_CONTROL.source, 'g'), (c) => JSON.stringify(c).slice(1, -1));
}

export function urlSecrets(value: string | null | undefined): string[] {
  if (!value) return [];
  try {
    const url = new URL(value);
    return [decodeURIComponent(url.password), decodeURIComponent(url.username), url.password, url.username].filter(Boolean);
  } catch {
    return [];
  }
}

/** Secrets from keys as given and from the credentials of URLs (unset ones skipped). */
export function secretsOf(keys: ReadonlyArray<string | null | undefined>, urls: ReadonlyArray<string | null | undefined>): string[] {
  return [...keys.map((k) => k?.trim() ?? ''), ...urls.flatMap(urlSecrets)];
}

/** What a run must never show: its API key and the credentials in any URL it was given. */
export function runSecrets(options: Pick<RunOptions, 'apiKey' | 'baseUrl' | 'baseTarget' | 'foundry' | 'config'>): string[] {
  const key = options.apiKey === 'not-needed' ? null : options.apiKey;
  return secretsOf([key], [options.baseUrl, options.baseTarget, options.foundry.endpoint, options.config.target]);
}

const byRun = new WeakMap<object, Sanitizer>();

/** The run's sanitiser, made once per options object. */
export function runSanitizer(options: RunOptions): Sanitizer {
  let sanitizer = byRun.get(options);
  if (!sanitizer) {
    sanitizer = new Sanitizer(runSecrets(options), options.output.githubActions);
    byRun.set(options, sanitizer);
  }
  return sanitizer;
}
