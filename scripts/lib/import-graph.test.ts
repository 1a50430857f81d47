// The domain stays acyclic (issue 13): no two lib/ folders import each other, directly or through
// others. A new cycle fails here with the edges that make it, each with a file:line to start from.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderCycles, folderGraph } from './import-graph';

const ROOT = path.resolve(__dirname, '../..');

describe('lib/ folder imports', () => {
  it('have no cycle', () => {
    const graph = folderGraph(ROOT);
    const cycles = folderCycles(graph).map((cycle) => cycle.flatMap((from) => [...(graph.get(from) ?? [])].filter(([to]) => cycle.includes(to)).map(([to, where]) => `${from} → ${to} (${where})`)));
    expect(cycles).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['oauth', new Map([['alerts', 'lib/oauth/a.ts:1']])],
      ['alerts', new Map([['agents', 'lib/alerts/b.ts:2']])],
      ['agents', new Map([['oauth', 'lib/agents/c.ts:3']])],
      ['db', new Map()],
    ]);
    expect(folderCycles(graph)).toEqual([['agents', 'alerts', 'oauth']]);
  });

  it('reads static, type-only and dynamic imports of lib/ folders', () => {
    const graph = folderGraph(ROOT);
    expect(graph.get('endpoints')?.has('oauth')).toBe(true);
    expect(graph.get('oauth')?.has('endpoints')).toBe(false); // the transport layer is on top
  });
});
