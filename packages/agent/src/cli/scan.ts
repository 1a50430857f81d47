// `leash scan [path...]`: finds Leash credentials in files before they leave the machine (a
// pre-commit hook, a CI step). Only checksum-valid tokens count (../token-format.ts), so a
// look-alike in a test fixture or the docs is not a finding. Walks directories without following
// symbolic links, skips .git and node_modules, files larger than MAX_FILE_BYTES and binary files
// (a NUL byte in the first 8 KiB, as git decides). Prints `file:line:column: kind masked-token`, or
// JSON with --json; the exit status is 1 when anything was found, 0 when nothing was.
import fs from 'node:fs/promises';
import path from 'node:path';
import { findLeashTokens, maskToken, type TokenKind } from '../token-format.js';

export const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
const BINARY_SNIFF_BYTES = 8 * 1024;

export type Finding = { file: string; line: number; column: number; kind: TokenKind; label: string; masked: string };
export type ScanResult = { findings: Finding[]; filesScanned: number; skipped: { large: number; binary: number; unreadable: number }; lookAlikes: number };

export class ScanPathError extends Error {}

/** Scans files and directories (recursively). A path that does not exist is an error. */
export async function scanPaths(paths: string[]): Promise<ScanResult> {
  const result: ScanResult = { findings: [], filesScanned: 0, skipped: { large: 0, binary: 0, unreadable: 0 }, lookAlikes: 0 };
  for (const given of paths) {
    const stat = await fs.stat(given).catch(() => null); // a path given by name is followed
    if (!stat) throw new ScanPathError(`${given}: no such file or directory`);
    await visit(given, stat, result);
  }
  result.findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return result;
}

async function visit(file: string, stat: import('node:fs').Stats, result: ScanResult): Promise<void> {
  if (stat.isDirectory()) {
    const entries = await fs.readdir(file, { withFileTypes: true }).catch(() => null);
    if (!entries) {
      result.skipped.unreadable++;
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && SKIPPED_DIRECTORIES.has(entry.name)) continue;
      if (!entry.isDirectory() && !entry.isFile()) continue; // symbolic links, sockets, devices
      const child = path.join(file, entry.name);
      const childStat = await fs.lstat(child).catch(() => null);
      if (childStat) await visit(child, childStat, result);
    }
    return;
  }
  if (!stat.isFile()) return;
  if (stat.size > MAX_FILE_BYTES) {
    result.skipped.large++;
    return;
  }
  const bytes = await fs.readFile(file).catch(() => null);
  if (!bytes) {
    result.skipped.unreadable++;
    return;
  }
  if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
    result.skipped.binary++;
    return;
  }
  result.filesScanned++;
  const text = bytes.toString('utf8');
  const { tokens, lookAlikes } = findLeashTokens(text);
  result.lookAlikes += lookAlikes;
  for (const found of tokens) {
    const before = text.slice(0, found.index);
    const line = before.split('\n').length;
    const column = found.index - before.lastIndexOf('\n');
    result.findings.push({ file, line, column, kind: found.kind, label: found.label, masked: maskToken(found.token) });
  }
}

/** The report: one line per finding on stdout, a summary on stderr; the exit status. */
export async function runScan(args: string[], out: { log: (line: string) => void; error: (line: string) => void } = console): Promise<number> {
  const json = args.includes('--json');
  const unknown = args.find((a) => a.startsWith('--') && a !== '--json');
  if (unknown) throw new ScanPathError(`Unknown option ${unknown}.`);
  const paths = args.filter((a) => !a.startsWith('--'));
  const result = await scanPaths(paths.length ? paths : ['.']);
  if (json) {
    out.log(JSON.stringify(result.findings.map(({ file, line, column, kind, masked }) => ({ file, line, column, kind, token: masked }))));
  } else {
    for (const f of result.findings) out.log(`${f.file}:${f.line}:${f.column}: ${f.label} ${f.masked}`);
  }
  const { large, binary, unreadable } = result.skipped;
  const notes = [large ? `${large} larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB` : '', binary ? `${binary} binary` : '', unreadable ? `${unreadable} unreadable` : ''].filter(Boolean);
  const files = `${result.filesScanned} file${result.filesScanned === 1 ? '' : 's'} scanned${notes.length ? ` (skipped: ${notes.join(', ')})` : ''}`;
  const lookAlikes = result.lookAlikes ? `; ${result.lookAlikes} look-alike${result.lookAlikes === 1 ? '' : 's'} with a wrong checksum ignored` : '';
  const count = result.findings.length;
  out.error(
    count
      ? `${count} Leash credential${count === 1 ? '' : 's'} found, ${files}${lookAlikes}. Revoke ${count === 1 ? 'it' : 'them'} (Tokens in the dashboard, or leash logout) and remove ${count === 1 ? 'it' : 'them'} from these files and their history.`
      : `No Leash credentials found, ${files}${lookAlikes}.`,
  );
  return count ? 1 : 0;
}
