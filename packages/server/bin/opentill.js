#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx compiles on load); no build step needed.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
