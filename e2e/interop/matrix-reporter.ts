// Writes docs/interop.md from the `interop` project's results: one row per test, with the client
// package and version it names (annotation `client`: the npm package name; the version is read
// from the installed package) and the flow it drives (annotation `flow`). Written only when the
// whole interop project ran, so the committed matrix always describes a complete run.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';

type Row = { client: string; version: string; flow: string; title: string; outcome: string; note: string };

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(path.join(ROOT, 'package.json'));

function installedVersion(pkg: string): string {
  // The hoisted install first; then the package's own export of package.json; then walk up from
  // its entry point (packages that export neither, or have no root entry).
  const hoisted = path.join(ROOT, 'node_modules', pkg, 'package.json');
  if (fs.existsSync(hoisted)) {
    const version = (JSON.parse(fs.readFileSync(hoisted, 'utf8')) as { version?: unknown }).version;
    if (typeof version === 'string') return version;
  }
  try {
    const version = (require(`${pkg}/package.json`) as { version?: unknown }).version;
    if (typeof version === 'string') return version;
  } catch {
    /* no exported package.json: walk up from the entry below */
  }
  try {
    let dir = path.dirname(require.resolve(pkg));
    while (dir !== path.dirname(dir)) {
      const file = path.join(dir, 'package.json');
      if (fs.existsSync(file)) {
        const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (json.name === pkg && json.version) return json.version;
      }
      dir = path.dirname(dir);
    }
  } catch {
    /* not resolvable: reported as unknown */
  }
  return 'unknown';
}

function annotation(test: TestCase, result: TestResult, type: string): string | undefined {
  return [...test.annotations, ...(result.annotations ?? [])].find((a) => a.type === type)?.description;
}

export default class MatrixReporter implements Reporter {
  private rows: Row[] = [];
  private expected = 0;

  onBegin(_config: unknown, suite: Suite) {
    this.expected = suite.allTests().filter((t) => t.parent.project()?.name === 'interop').length;
  }

  onTestEnd(test: TestCase, result: TestResult) {
    if (test.parent.project()?.name !== 'interop') return;
    const client = annotation(test, result, 'client') ?? 'unnamed';
    const outcome = result.status === 'passed' ? 'pass' : result.status === 'failed' && test.expectedStatus === 'failed' ? 'expected failure' : result.status === 'skipped' ? 'skipped' : 'FAIL';
    this.rows.push({
      client,
      version: client === 'unnamed' ? '' : installedVersion(client),
      flow: annotation(test, result, 'flow') ?? test.title,
      title: test.title,
      outcome: test.expectedStatus === 'failed' && result.status === 'passed' ? 'FAIL (expected to fail)' : outcome,
      note: annotation(test, result, 'spec') ?? '',
    });
  }

  onEnd(result: FullResult) {
    // An interrupted or timed-out run (Ctrl-C, a killed suite) describes nothing: the matrix is kept.
    if (result.status === 'interrupted' || result.status === 'timedout') return;
    if (this.expected === 0 || this.rows.length !== this.expected) return;
    this.rows.sort((a, b) => a.client.localeCompare(b.client) || a.flow.localeCompare(b.flow));
    const cell = (s: string | undefined) =>
      String(s ?? '')
        .replace(/\|/g, '\\|')
        .replace(/\n/g, ' ');
    const lines = [
      '# Interoperability matrix',
      '',
      'Written by `npm test` (Playwright project `interop`, `e2e/interop/`): each row is one test driving Leash end to end',
      "with a real, pinned client package used as shipped; the person's part (sign-in, consent, approval) is done in",
      'Chromium. Regenerate with `npm test -- e2e --project=interop`.',
      '',
      '| client (npm) | version | flow | result | note |',
      '| --- | --- | --- | --- | --- |',
      ...this.rows.map((r) => `| \`${cell(r.client)}\` | ${cell(r.version)} | ${cell(r.flow)} | ${r.outcome} | ${cell(r.note)} |`),
      '',
    ];
    fs.writeFileSync(path.join(ROOT, 'docs', 'interop.md'), lines.join('\n'));
  }
}
