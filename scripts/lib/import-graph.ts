// The import graph between lib/ folders, read from the source (static `import … from`, `export …
// from` and dynamic `import()` of '@/lib/…' and relative paths), and its cycles: the strongly
// connected components of more than one folder (Tarjan). Type-only imports count too: a folder
// that needs another's types to compile depends on it.
import fs from 'node:fs';
import path from 'node:path';

const SPECIFIER = /(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g;

/** The folder a lib/ file belongs to: its first path segment under lib/ (`oauth` for lib/oauth/grants/x.ts). */
export function folderOf(file: string, root: string): string | null {
  const rel = path.relative(path.join(root, 'lib'), file).split(path.sep);
  return rel.length > 1 && rel[0] !== '..' ? rel[0]! : null;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** folder → the folders it imports from, with one file:line per edge as evidence. */
export function folderGraph(root: string, ignore: readonly string[] = ['generated']): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(path.join(root, 'lib'))) {
    const from = folderOf(file, root);
    if (!from || ignore.includes(from)) continue;
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    for (const [i, line] of lines.entries()) {
      for (const match of line.matchAll(SPECIFIER)) {
        const spec = match[1]!;
        const target = spec.startsWith('@/') ? path.join(root, spec.slice(2)) : spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : null;
        const to = target && folderOf(target, root);
        if (!to || to === from || ignore.includes(to)) continue;
        if (!edges.has(to)) edges.set(to, `${path.relative(root, file)}:${i + 1}`);
      }
    }
  }
  return graph;
}

/** The cycles: strongly connected components with more than one folder, each sorted. */
export function folderCycles(graph: Map<string, Map<string, string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return components;
}
