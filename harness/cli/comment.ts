/**
 * One sticky PR comment: finds the comment carrying the report's hidden
 * marker among all of the pull request's comments (following pagination) and
 * updates it, or creates it when there is none, so a PR gets one comment, not
 * one per push. Uses GitHub's REST API with plain fetch and GITHUB_TOKEN; the
 * token is sent only in the Authorization header and never printed.
 */
import { readFileSync } from 'node:fs';
import { GITHUB_COMMENT_LIMIT, REPORT_MARKER } from '../../reporters/markdown.ts';
import { readBodyText } from '../measure/http-fetch.ts';
import { UsageError } from './errors.ts';
import type { Environment } from './options.ts';
import type { Io } from './run-bench.ts';

export interface UpsertOptions {
  token: string;
  /** "owner/name". */
  repository: string;
  issueNumber: number;
  body: string;
  marker?: string;
  /** GitHub's REST API, e.g. GITHUB_API_URL. @default "https://api.github.com" */
  apiUrl?: string | undefined;
  /** Linked when the body has to be cut to fit. */
  artifactUrl?: string;
  maxChars?: number;
  fetch?: typeof fetch;
}

export interface UpsertResult {
  action: 'created' | 'updated';
  id: number;
  url: string;
  truncated: boolean;
}

interface IssueComment {
  id: number;
  body?: string;
  html_url: string;
}

/** The body with the marker first, cut at a line boundary (with a link to the full report) when too long. */
export function fitBody(body: string, marker: string, maxChars: number, artifactUrl?: string): { body: string; truncated: boolean } {
  const marked = body.includes(marker) ? body : `${marker}\n${body}`;
  if (marked.length <= maxChars) return { body: marked, truncated: false };
  const note = `\n\n_The report is longer than a GitHub comment allows and was cut here.${artifactUrl ? ` Full report: ${artifactUrl}` : ' The full report is in the workflow artifacts.'}_\n`;
  const cut = marked.lastIndexOf('\n', maxChars - note.length);
  return { body: marked.slice(0, cut > 0 ? cut : maxChars - note.length) + note, truncated: true };
}

/** The body with a line linking the run's artifacts (report.html) after its summary line. */
export function withReportLink(body: string, marker: string, artifactUrl: string): string {
  const link = `📊 Charts of every case (distributions, requests in order, inter-token latency, verdicts): \`report.html\` in the [run's artifacts](${artifactUrl}).`;
  const lines = body.split('\n');
  // After the summary line (the first bold line), else at the top below the marker.
  const summary = lines.findIndex((line) => line.startsWith('**'));
  if (summary >= 0) lines.splice(summary + 1, 0, '', link);
  else lines.splice(lines[0] === marker ? 1 : 0, 0, link, '');
  return lines.join('\n');
}

function nextPage(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="next"/.exec(part);
    if (match?.[1]) return match[1];
  }
  return null;
}

/** How long one GitHub API call may take, how much of its answer is read, and how many pages of comments are searched. */
const API_TIMEOUT_MS = 30_000;
const API_BODY_BYTES = 16 * 1024 * 1024;
const MAX_COMMENT_PAGES = 50;

export async function upsertComment(options: UpsertOptions): Promise<UpsertResult> {
  const api = (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const marker = options.marker ?? REPORT_MARKER;
  const doFetch = options.fetch ?? fetch;
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${options.token}`,
    'x-github-api-version': '2022-11-28',
    'user-agent': 'foundry-bench',
    'content-type': 'application/json',
  };
  // Each answer bounded in time and size: a page of 100 comments is at most ~7 MB (65,536 characters each).
  const call = async (method: string, url: string, payload?: unknown): Promise<{ json: unknown; link: string | null }> => {
    const signal = AbortSignal.timeout(API_TIMEOUT_MS);
    const response = await doFetch(url, { method, headers, signal, ...(payload === undefined ? {} : { body: JSON.stringify(payload) }) });
    const where = `GitHub API ${method} ${url.replace(api, '')}`;
    if (!response.ok) throw new Error(`${where} answered ${response.status}: ${(await readBodyText(response, 300, 'truncate')).replace(/\s+/g, ' ')}`);
    try {
      return { json: JSON.parse(await readBodyText(response, API_BODY_BYTES, 'throw')) as unknown, link: response.headers.get('link') };
    } catch (error) {
      throw new Error(`${where} did not answer JSON: ${(error as Error).message}`);
    }
  };

  let existing: IssueComment | undefined;
  let url: string | null = `${api}/repos/${options.repository}/issues/${options.issueNumber}/comments?per_page=100`;
  for (let pages = 0; url && !existing && pages < MAX_COMMENT_PAGES; pages++) {
    const { json, link } = await call('GET', url);
    existing = (Array.isArray(json) ? (json as IssueComment[]) : []).find((comment) => comment?.body?.includes(marker));
    url = nextPage(link);
  }
  // The charts of every case are in report.html, which a comment cannot hold: say where it is, first.
  const withLink = options.artifactUrl ? withReportLink(options.body, marker, options.artifactUrl) : options.body;
  const { body, truncated } = fitBody(withLink, marker, options.maxChars ?? GITHUB_COMMENT_LIMIT, options.artifactUrl);
  const { json } = existing
    ? await call('PATCH', `${api}/repos/${options.repository}/issues/comments/${existing.id}`, { body })
    : await call('POST', `${api}/repos/${options.repository}/issues/${options.issueNumber}/comments`, { body });
  const comment = json as IssueComment;
  return { action: existing ? 'updated' : 'created', id: comment.id, url: comment.html_url, truncated };
}

/** The pull request number from the flag, or from the event that started the workflow. */
function pullRequestNumber(flag: string | undefined, eventPath: string | undefined): number {
  if (flag) {
    const n = Number(flag);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--pr must be a pull request number, got "${flag}"`);
    return n;
  }
  if (eventPath) {
    const event = JSON.parse(readFileSync(eventPath, 'utf8')) as { pull_request?: { number?: number }; number?: number };
    const n = event.pull_request?.number ?? event.number;
    if (n) return n;
  }
  throw new UsageError('no pull request: pass --pr N (or run in a pull_request workflow)');
}

/** `foundry-bench comment --file report.md [--pr N] [--repo owner/name] [--artifact-url URL]` */
export async function commentCommand(
  flags: { file?: string | undefined; pr?: string | undefined; repo?: string | undefined; artifactUrl?: string | undefined },
  env: Environment,
  io: Io,
): Promise<number> {
  if (!flags.file) throw new UsageError('comment needs --file report.md');
  const token = env.GITHUB_TOKEN;
  if (!token) throw new UsageError('comment needs GITHUB_TOKEN in the environment');
  const repository = flags.repo ?? env.GITHUB_REPOSITORY;
  if (!repository || !/^[^/\s]+\/[^/\s]+$/.test(repository)) throw new UsageError('comment needs --repo owner/name (or GITHUB_REPOSITORY)');
  let body: string;
  try {
    body = readFileSync(flags.file, 'utf8');
  } catch (error) {
    throw new Error(`report ${flags.file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const result = await upsertComment({
    token,
    repository,
    issueNumber: pullRequestNumber(flags.pr, env.GITHUB_EVENT_PATH),
    apiUrl: env.GITHUB_API_URL,
    body,
    ...(flags.artifactUrl ? { artifactUrl: flags.artifactUrl } : {}),
  });
  io.stdout.write(`foundry-bench: ${result.action} comment ${result.url}${result.truncated ? ' (cut to fit the size limit)' : ''}\n`);
  return 0;
}
