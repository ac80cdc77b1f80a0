#!/usr/bin/env node
// Entry point of the `foundry-bench` command: loads the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
const { cli } = await import('./cli/main.ts');
process.exitCode = await cli(process.argv.slice(2));
