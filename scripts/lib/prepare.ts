// Brings generated code and the production build up to date, doing work only when inputs changed:
// `prisma generate` when the schema (prisma/schema/*.prisma) changed, `next build` when any source file changed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

const BUILD_INPUTS = ['app', 'components', 'lib', 'server', 'types', 'public', path.join('prisma', 'schema')];
const BUILD_FILES = ['proxy.ts', 'instrumentation.ts', 'next.config.ts', 'postcss.config.mjs', 'tsconfig.json', 'package-lock.json'];

function hashFiles(files: string[]): string {
  const hash = crypto.createHash('sha256');
  for (const file of files.sort()) {
    hash.update(file);
    hash.update('\0');
    hash.update(fs.readFileSync(path.join(ROOT, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function listFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith(path.join('lib', 'generated')) && !/\.test\.tsx?$/.test(f));
}

function run(command: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}

/** `prisma generate`, offline: the CLI only needs *a* schema-engine path to skip its download. */
export function generatePrismaClient(log: (s: string) => void = console.log) {
  const marker = path.join(ROOT, 'lib', 'generated', 'prisma', '.schema-hash');
  const wanted = hashFiles([...listFiles(path.join('prisma', 'schema')), 'package-lock.json']);
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === wanted) return;
  log('Generating the Prisma client…');
  run(process.execPath, [path.join(ROOT, 'node_modules', 'prisma', 'build', 'index.js'), 'generate'], {
    PRISMA_SCHEMA_ENGINE_BINARY: path.join(ROOT, 'package.json'),
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  });
  fs.writeFileSync(marker, wanted);
}

/** `next build` when the last build is missing or was made from other sources. */
export function buildIfNeeded(log: (s: string) => void = console.log) {
  const marker = path.join(ROOT, '.next', 'leash-build-hash');
  const wanted = hashFiles([...BUILD_INPUTS.flatMap(listFiles), ...BUILD_FILES.filter((f) => fs.existsSync(path.join(ROOT, f)))]);
  const current = fs.existsSync(marker) && fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID')) ? fs.readFileSync(marker, 'utf8') : null;
  if (current === wanted) return;
  log('Building Leash for production (first start or sources changed; about a minute)…');
  run(process.execPath, [path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
    NODE_ENV: 'production',
  });
  fs.writeFileSync(marker, wanted);
}
