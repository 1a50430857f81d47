// The static checks `npm test` runs before any test: formatting (Prettier, check mode) and lint
// (ESLint, zero warnings). Both run at once and cache their results under node_modules/.cache, so
// an unchanged tree is checked in a few seconds. A failure names the files and the command that fixes it.
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT } from './prepare';

type Result = { code: number; output: string };

function capture(script: string, args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', script), ...args], { cwd: ROOT, env: process.env });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ code: 1, output: String(error) }));
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

/** Runs both checks; prints what failed and returns false when either did. */
export async function runChecks(log: (line: string) => void): Promise<boolean> {
  log('Checking formatting (Prettier) and lint (ESLint)…');
  const [format, lint] = await Promise.all([
    // --list-different prints only the files whose formatting differs.
    capture(path.join('prettier', 'bin', 'prettier.cjs'), ['--list-different', '--cache', '.']),
    capture(path.join('eslint', 'bin', 'eslint.js'), ['.', '--cache', '--cache-location', 'node_modules/.cache/eslint/', '--max-warnings', '0']),
  ]);
  let ok = true;
  if (format.code !== 0) {
    ok = false;
    const files = format.output.trim();
    console.error(`\n[test] Formatting differs from Prettier's in:\n${files.replace(/^/gm, '  ')}\n[test] Fix with: npm run format\n`);
  }
  if (lint.code !== 0) {
    ok = false;
    console.error(`\n[test] ESLint found problems:\n${lint.output.trim()}\n[test] Fix them (npm run lint -- --fix fixes some), then: npm run lint\n`);
  }
  return ok;
}
