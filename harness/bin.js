#!/usr/bin/env node
// Entry point of the `foundry-bench` command: loads the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
