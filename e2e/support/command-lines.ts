// A command-line program a test runs as its user would (an example agent, the `leash` CLI): its
// output read line by line as it comes, so the test can act on a line (a URL to open, a code to
// type) while the program waits, then collect how it ended.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

export type RunningCommand = {
  child: ChildProcess;
  /** Resolves with the first output line (stdout) matching `pattern`, already seen or still to come. */
  line(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Resolves when the program ends: its exit code and everything it printed. */
  done(): Promise<{ code: number | null; stdout: string; stderr: string }>;
};

export function runCommand(args: string[], env: Record<string, string> = {}): RunningCommand {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk;
    lines.splice(0, lines.length, ...stdout.split('\n'));
    for (const wake of waiters) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  exited.then(() => {
    for (const wake of waiters) wake();
  });
  return {
    child,
    line(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (const line of lines) {
            const match = line.match(pattern);
            if (match) {
              waiters.delete(check);
              return resolve(match);
            }
          }
          if (child.exitCode !== null) {
            waiters.delete(check);
            reject(new Error(`exited (${child.exitCode}) before printing ${pattern}:\n${stdout}\n${stderr}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
    async done() {
      const code = await exited;
      return { code, stdout, stderr };
    },
  };
}
