// The development format: one readable line per event (time, level, component, message, then the
// other fields as key=value and an error's stack), from the JSON line pino produced.
const LEVEL_WIDTH = 5;
const OMITTED = new Set(['time', 'level', 'pid', 'component', 'msg', 'err', 'error']);

export function prettyLine(jsonLine: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine;
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const level = String(entry.level ?? '')
    .toUpperCase()
    .padEnd(LEVEL_WIDTH);
  const component = entry.component ? `[${String(entry.component)}] ` : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !OMITTED.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const error = (entry.err ?? entry.error) as { stack?: string; message?: string } | undefined;
  const trace = error ? `\n    ${(error.stack ?? error.message ?? JSON.stringify(error)).replace(/\n/g, '\n    ')}` : '';
  return `${time} ${level} ${component}${String(entry.msg ?? '')}${fields ? `  ${fields}` : ''}${trace}\n`;
}
