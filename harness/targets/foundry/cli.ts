/**
 * The `foundry` command line, for what only it can tell or do: where the
 * service listens (the port is dynamic), its version, the gen-2 catalog in
 * JSON, and gen-2 downloads. Both generations print differently; the parsers
 * below take either.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `foundry` on a PATH (or an explicit path, `FOUNDRY_CLI`), or null when it is not installed. */
export function findFoundryCli(path: string, explicit?: string): string | null {
  if (explicit) return existsSync(explicit) ? explicit : null;
  const names = process.platform === 'win32' ? ['foundry.exe', 'foundry.cmd', 'foundry'] : ['foundry'];
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    for (const name of names) if (existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/**
 * Runs the CLI; never throws for a non-zero exit (the caller reads `code`). It is asked for plain output
 * (NO_COLOR), and any colour or cursor movement left is stripped: the parsers read plain text.
 */
export function runCli(cli: string, args: string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(cli, args, { timeout: timeoutMs, maxBuffer: 16 * 2 ** 20, env: plainOutputEnv() }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
      resolve({ code, stdout: plain(String(stdout)), stderr: plain(String(stderr || (error && !stdout ? error.message : ''))) });
    });
  });
}

function plain(text: string): string {
  return stripVTControlCharacters(text);
}

/**
 * The environment the CLI inherits, with NO_COLOR asking it for plain text. This passes the user's
 * environment through to the child; it reads no setting of foundry-bench's.
 */
function plainOutputEnv(): NodeJS.ProcessEnv {
  // biome-ignore lint/style/noProcessEnv: a child process inherits the environment; nothing here configures the run.
  return { ...process.env, NO_COLOR: '1' };
}

const URL_PATTERN = /https?:\/\/(?:[a-zA-Z0-9.-]+|\[[0-9a-fA-F:]+\]):\d+/;

export type ServiceStatus = { running: true; url: string; pid: number | null } | { running: false; unrecognized: boolean; message: string };

/**
 * Reads `foundry server status` (gen-2: a `Web URLs http://...` line next to
 * `State Ready`) or `foundry service status` (gen-1: `🟢 ... running on
 * http://.../openai/status`, or `🔴 ... not running!`). The URL is reduced to
 * its origin. `unrecognized` means this generation's command does not exist.
 */
export function parseServiceStatus(result: CliResult): ServiceStatus {
  const text = `${result.stdout}\n${result.stderr}`;
  if (/unrecognized command|unknown command|not recognized|is not a valid command/i.test(text)) {
    return { running: false, unrecognized: true, message: firstLine(text) };
  }
  const webUrls = /^\s*Web URLs?\s*[:\s]\s*(\S+)/im.exec(text);
  const stopped = /not running|State\s+(Stopped|NotStarted|Stopping)|🔴/i.test(text);
  const url = URL_PATTERN.exec(webUrls?.[1] ?? (stopped ? '' : text))?.[0] ?? null;
  if (url && result.code === 0) {
    const pid = /PID\s*[:\s]\s*(\d+)/i.exec(text);
    return { running: true, url: new URL(url).origin, pid: pid ? Number(pid[1]) : null };
  }
  return { running: false, unrecognized: false, message: firstLine(text) || `exit code ${result.code}` };
}

/**
 * Runs `foundry server start` / `foundry service start`. They leave a daemon behind that inherits the command's
 * stdout, so a pipe would stay open as long as the daemon lives (the legacy JS SDK: "it never completes"). The
 * output goes to a file instead, read as it grows: the result is ready once a URL has been printed on a whole
 * line or the command has exited, and the daemon keeps a file to write to, not a pipe that closes under it.
 */
export function runStart(cli: string, args: string[], timeoutMs = 180_000): Promise<CliResult> {
  const file = join(mkdtempSync(join(tmpdir(), 'foundry-bench-start-')), 'output.log');
  const fd = openSync(file, 'w');
  const read = () => plain(readFileSync(file, 'utf8'));
  return new Promise((resolve) => {
    let done = false;
    const finish = (code: number, note = '') => {
      if (done) return;
      done = true;
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, stdout: read(), stderr: note });
    };
    const child = spawn(cli, args, { stdio: ['ignore', fd, fd], env: plainOutputEnv() });
    closeSync(fd);
    child.unref();
    child.on('error', (error) => finish(1, error.message));
    child.on('exit', (code) => finish(code ?? 1));
    const poll = setInterval(() => {
      const text = read();
      const lastLine = text.slice(0, text.lastIndexOf('\n') + 1);
      if (parseStartOutput({ code: 0, stdout: lastLine, stderr: '' })) finish(0);
    }, 100);
    const timer = setTimeout(() => finish(1, `no URL within ${timeoutMs / 1000} s`), timeoutMs);
  });
}

/**
 * `foundry server status -o json` (CLI 0.10+: `{"running": true, "state": "ready", "webUrls": [...]}`), sturdier
 * than the text; null when the answer is not that JSON (an older CLI, or one without `-o json` here).
 */
export function parseServiceStatusJson(result: CliResult): ServiceStatus | null {
  let value: unknown;
  try {
    value = jsonOutput(result.stdout);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object' || typeof (value as { running?: unknown }).running !== 'boolean') return null;
  const { running, state, webUrls, pid } = value as { running: boolean; state?: unknown; webUrls?: unknown; pid?: unknown };
  const url = Array.isArray(webUrls) ? webUrls.map((u) => (typeof u === 'string' ? URL_PATTERN.exec(u)?.[0] : undefined)).find(Boolean) : undefined;
  if (running && url) return { running: true, url: new URL(url).origin, pid: typeof pid === 'number' ? pid : null };
  return { running: false, unrecognized: false, message: `state ${typeof state === 'string' ? state : 'not running'}` };
}

/** `foundry server start` / `foundry service start` print the URL they serve on, and sometimes a PID. */
export function parseStartOutput(result: CliResult): { url: string; pid: number | null } | null {
  const text = `${result.stdout}\n${result.stderr}`;
  // Early gen-1 builds answer a second start with the port of the running service.
  const busy = /port (\d+) already in use/i.exec(text);
  if (busy) return { url: `http://127.0.0.1:${busy[1]}`, pid: null };
  if (/error/i.test(text) && !/ready|started|already running/i.test(text)) return null;
  const url = URL_PATTERN.exec(text)?.[0];
  if (!url) return null;
  const pid = /PID\s*[:\s]?\s*(\d+)/i.exec(text);
  return { url: new URL(url).origin, pid: pid ? Number(pid[1]) : null };
}

/**
 * The JSON a command printed, after whatever it printed first: a gen-2 command that has to start the daemon or
 * fetch execution providers prints "■ Starting Foundry Local server ... ● success: Server ready (...)", a progress
 * bar (`[####] 100.00 %`, #706) or log lines (`[13:51:41 WRN] ...`, #752) before its JSON. The JSON is the rest of
 * the output from the first line start where the rest parses as one JSON value.
 */
export function jsonOutput(stdout: string): unknown {
  for (const start of stdout.matchAll(/^[ \t]*[[{]/gm)) {
    try {
      return JSON.parse(stdout.slice(start.index));
    } catch {
      // a preamble line that merely starts like JSON: try the next
    }
  }
  throw new Error(`no JSON in the output${stdout.trim() ? ` (it begins "${firstLine(stdout).slice(0, 80)}")` : ''}`);
}

/** `foundry --version` prints the bare version (e.g. `0.8.117` or `0.10.1+abc`). */
export function parseVersion(result: CliResult): string | null {
  if (result.code !== 0) return null;
  return /\d+\.\d+\.\d+(?:[-+][\w.]+)?/.exec(result.stdout)?.[0] ?? null;
}

/**
 * Percentages in download output: `Total 45.67% Downloading model.onnx.data` (gen-1), a progress bar's `45%`, or
 * the tuple lines some builds print, `("model.onnx.data", 0.78)` (a fraction).
 */
export function parsePercents(text: string): number[] {
  const percents = [...text.matchAll(/(\d+(?:\.\d+)?)\s*%/g)].map((m) => Number(m[1]));
  const fractions = [...text.matchAll(/\(\s*"[^"]*"\s*,\s*(\d+(?:\.\d+)?)\s*\)/g)].map((m) => Number(m[1]) * 100);
  return [...percents, ...fractions].filter((p) => p >= 0 && p <= 100);
}

/**
 * Percentages of a stream of output, read whole line by whole line (a carriage return ends a progress bar's
 * line too): a number split between two network chunks is never read as two numbers.
 */
export function progressLines(onPercent: (percent: number) => void): { push(text: string): void; end(): void } {
  let pending = '';
  return {
    push(text) {
      const lines = (pending + text).split(/[\r\n]/);
      pending = lines.pop() ?? '';
      for (const line of lines) for (const percent of parsePercents(line)) onPercent(percent);
    },
    end() {
      for (const percent of parsePercents(pending)) onPercent(percent);
      pending = '';
    },
  };
}

/**
 * Runs `foundry model download <id>` and reports progress as it streams. Resolves with the exit code, the output's
 * last lines (for the reason of a failure) and whether any progress was printed (a refusal of the name prints none).
 */
export function cliDownload(
  cli: string,
  id: string,
  onPercent: (percent: number) => void,
  signal?: AbortSignal,
): Promise<{ code: number; tail: string; progressed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(cli, ['model', 'download', id], { env: plainOutputEnv(), ...(signal ? { signal } : {}) });
    let tail = '';
    let progressed = false;
    const progress = progressLines((percent) => {
      progressed = true;
      onPercent(percent);
    });
    const read = (chunk: Buffer) => {
      const text = plain(chunk.toString('utf8'));
      tail = (tail + text).slice(-2000);
      progress.push(text);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', (error) => resolve({ code: 1, tail: error.message, progressed }));
    child.on('close', (code) => {
      progress.end();
      resolve({ code: code ?? 1, tail: tail.trim().split('\n').slice(-3).join(' / '), progressed });
    });
  });
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}
