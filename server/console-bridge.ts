// Everything the server process prints goes through the one logger (issue 19 §1): Next's own
// messages and any library's `console.*` become log lines like ours (JSON in production), with the
// request id when printed while a request is handled. A leading `[component]` becomes the line's
// component; an Error argument becomes its `err`. The logger cannot fail (lib/log/destination.ts),
// so nothing printed here can recurse into more printing.
import { format } from 'node:util';
import { log } from '../lib/log/logger';

const ANSI = /\u001b\[[0-9;]*m/g;
type Level = 'debug' | 'info' | 'warn' | 'error';

export function bridgeConsoleToLogger(): void {
  const root = log();
  const print =
    (level: Level) =>
    (...args: unknown[]) => {
      let component: string | undefined;
      if (typeof args[0] === 'string') {
        const prefix = /^\s*\[([\w.-]+)\]\s*/.exec(args[0]);
        if (prefix) {
          component = prefix[1];
          args[0] = args[0].slice(prefix[0].length);
        }
      }
      const error = args.find((arg) => arg instanceof Error);
      const message = format(...args.filter((arg) => arg !== error))
        .replace(ANSI, '')
        .trim();
      const logger = component ? root.child({ component }) : root;
      if (error) logger[level]({ err: error }, message);
      else logger[level](message);
    };
  console.log = print('info');
  console.info = print('info');
  console.debug = print('debug');
  console.warn = print('warn');
  console.error = print('error');
}
