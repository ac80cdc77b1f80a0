/**
 * Prompt sets: inline in a spec or in a JSON/YAML file validated against
 * `schemas/prompts.schema.json`. Both are normalised to `Prompt`s, with the
 * checks a schema cannot express (unique ids, text or messages, a facet's
 * keywords or regex) reported with file, line and field.
 */
import { resolve } from 'node:path';
import { DataFileError, fieldName, loadDataFile, locate, type Located } from './data-file.ts';
import type { ChatMessage, Prompt, PromptInput } from '../types.ts';

/** A prompt id: the same rule inline as in prompt files (schemas/prompts.schema.json), as ids become case ids. */
const PROMPT_ID = /^[A-Za-z0-9._-]+$/;

/** Loads and normalises prompts; errors name the file (or "inline prompts"), line and field. */
export function loadPrompts(prompts: string | ReadonlyArray<PromptInput | string>, root = process.cwd()): Prompt[] {
  if (typeof prompts === 'string') {
    const { value, located } = loadDataFile<{ prompts: PromptInput[] }>(resolve(root, prompts), 'prompts');
    return normalizePrompts(value.prompts, located.file, located);
  }
  return normalizePrompts(prompts, 'inline prompts');
}

export function normalizePrompts(list: ReadonlyArray<unknown>, source: string, located?: Located): Prompt[] {
  const problems: string[] = [];
  const problem = (path: Array<string | number>, message: string) =>
    problems.push(`${located ? locate(located, ['prompts', ...path]) : source} ${fieldName(['prompts', ...path])}: ${message}`);
  if (list.length === 0) problem([], 'the prompt list is empty');
  const seen = new Map<string, number>();
  const prompts = list.map((entry, index) => {
    if (typeof entry === 'string') return { id: `prompt-${index + 1}`, messages: [{ role: 'user' as const, content: entry }] };
    const input = (entry ?? {}) as PromptInput;
    if (typeof input.id !== 'string' || input.id.trim() === '') problem([index, 'id'], 'must be a non-empty string');
    else if (!PROMPT_ID.test(input.id)) problem([index, 'id'], `${JSON.stringify(input.id)} may only contain letters, digits, ".", "_" and "-"`);
    else if (seen.has(input.id)) problem([index, 'id'], `"${input.id}" is already the id of prompts[${seen.get(input.id)}]`);
    else seen.set(input.id, index);
    const messages: ChatMessage[] = [];
    if (input.system !== undefined) messages.push({ role: 'system', content: String(input.system) });
    if (input.text !== undefined && input.messages !== undefined) problem([index], 'has both "text" and "messages"; use one');
    else if (typeof input.text === 'string') messages.push({ role: 'user', content: input.text });
    else if (Array.isArray(input.messages)) {
      input.messages.forEach((m, i) => {
        if (!['system', 'user', 'assistant'].includes(m?.role) || typeof m?.content !== 'string') {
          problem([index, 'messages', i], 'must have a role (system, user or assistant) and string content');
        } else messages.push({ role: m.role, content: m.content });
      });
    } else problem([index], 'needs "text" (a string) or "messages" (a list)');
    if (input.maxTokens !== undefined && !(Number.isInteger(input.maxTokens) && input.maxTokens > 0))
      problem([index, 'maxTokens'], 'must be a positive integer');
    (input.expected?.facets ?? []).forEach((facet, i) => {
      if (!facet.keywords === !facet.regex) problem([index, 'expected', 'facets', i], 'needs "keywords" or "regex" (one of them)');
      if (facet.regex) {
        try {
          new RegExp(facet.regex, facet.flags ?? 'i');
        } catch (error) {
          problem([index, 'expected', 'facets', i, 'regex'], (error as Error).message);
        }
      }
    });
    const prompt: Prompt = { id: input.id, messages };
    if (input.maxTokens !== undefined) prompt.maxTokens = input.maxTokens;
    if (input.expected) prompt.expected = input.expected;
    return prompt;
  });
  if (problems.length > 0) throw new DataFileError(problems);
  return prompts;
}
