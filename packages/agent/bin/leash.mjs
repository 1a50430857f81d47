#!/usr/bin/env node
// The `leash` CLI. The package ships TypeScript sources; tsx loads them (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
