/**
 * Prompt sets: inline in a spec or in a JSON/YAML file. This loader checks
 * only what the runner needs (ids, text or messages); schema validation of
 * prompt files with line numbers is the config loader's job.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import type { ChatMessage, Prompt, PromptInput } from './types.ts';

const ROLES = new Set(['system', 'user', 'assistant']);

/** Loads and normalises prompts; `source` names the file or spec in errors. */
export function loadPrompts(prompts: string | ReadonlyArray<PromptInput | string>, root = process.cwd()): Prompt[] {
  if (typeof prompts === 'string') {
    const file = resolve(root, prompts);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`${prompts}: cannot read prompt file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    let data: unknown;
    try {
      data = parse(text, { maxAliasCount: 50, uniqueKeys: true });
    } catch (error) {
      throw new Error(`${prompts}: ${(error as Error).message.split('\n')[0]}`);
    }
    const list = Array.isArray(data) ? data : (data as { prompts?: unknown } | null)?.prompts;
    if (!Array.isArray(list)) throw new Error(`${prompts}: expected a list of prompts or an object with a "prompts" list`);
    return normalizePrompts(list, prompts);
  }
  return normalizePrompts(prompts, 'inline prompts');
}

export function normalizePrompts(list: readonly unknown[], source: string): Prompt[] {
  if (list.length === 0) throw new Error(`${source}: the prompt list is empty`);
  const seen = new Set<string>();
  return list.map((entry, index) => {
    const prompt = normalizePrompt(entry, index, source);
    if (seen.has(prompt.id)) throw new Error(`${source}: prompts[${index}].id "${prompt.id}" is used twice`);
    seen.add(prompt.id);
    return prompt;
  });
}

function normalizePrompt(entry: unknown, index: number, source: string): Prompt {
  const where = `${source}: prompts[${index}]`;
  if (typeof entry === 'string') return { id: `prompt-${index + 1}`, messages: [{ role: 'user', content: entry }] };
  if (typeof entry !== 'object' || entry === null) throw new Error(`${where} must be a string or an object`);
  const input = entry as PromptInput;
  if (typeof input.id !== 'string' || input.id.trim() === '') throw new Error(`${where}.id must be a non-empty string`);
  const messages: ChatMessage[] = [];
  if (input.system !== undefined) {
    if (typeof input.system !== 'string') throw new Error(`${where}.system must be a string`);
    messages.push({ role: 'system', content: input.system });
  }
  if (input.text !== undefined && input.messages !== undefined) throw new Error(`${where} has both "text" and "messages"; use one`);
  if (typeof input.text === 'string') {
    messages.push({ role: 'user', content: input.text });
  } else if (Array.isArray(input.messages)) {
    input.messages.forEach((message, i) => {
      if (!ROLES.has(message?.role) || typeof message?.content !== 'string') {
        throw new Error(`${where}.messages[${i}] must have a role (system|user|assistant) and string content`);
      }
      messages.push({ role: message.role, content: message.content });
    });
  } else {
    throw new Error(`${where} needs "text" (a string) or "messages" (a list)`);
  }
  if (input.maxTokens !== undefined && !(Number.isInteger(input.maxTokens) && input.maxTokens > 0)) {
    throw new Error(`${where}.maxTokens must be a positive integer`);
  }
  return { id: input.id, messages, ...(input.maxTokens !== undefined ? { maxTokens: input.maxTokens } : {}) };
}
