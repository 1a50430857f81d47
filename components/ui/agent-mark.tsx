// What tells two agents with the same name apart, wherever an agent is named: an identicon drawn
// from its client id (which Leash generates at random, or the URL of its verified metadata
// document: never something the agent picks to look like another) and, in words, its verified
// domain or the end of its client id. Names and logos are the agent's own claims; this is not.
import { clientIdFragment } from '@/lib/agents/client-id-fragment';

/** FNV-1a: spreads client ids over shapes and colours (uniqueness comes from the id itself). */
function hash(text: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The words of the mark: a verified domain, else a fragment of the client id. */
export function agentMarkText(clientId: string, verifiedDomain?: string | null): string {
  return verifiedDomain || clientIdFragment(clientId);
}

/** A 5×5 mirrored identicon of the client id. */
export function AgentIdenticon({ clientId, className = 'h-4 w-4' }: { clientId: string; className?: string }) {
  const bits = hash(clientId, 1);
  const hue = hash(clientId, 2) % 360;
  const cells: { x: number; y: number }[] = [];
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 3; x++) {
      if ((bits >>> (y * 3 + x)) & 1) {
        cells.push({ x, y });
        if (x < 2) cells.push({ x: 4 - x, y });
      }
    }
  }
  return (
    <svg viewBox="0 0 5 5" aria-hidden="true" className={`${className} shrink-0 rounded-sm`} style={{ backgroundColor: `hsl(${hue} 60% 92%)` }} shapeRendering="crispEdges">
      {cells.map((c) => (
        <rect key={`${c.x}-${c.y}`} x={c.x} y={c.y} width="1" height="1" fill={`hsl(${hue} 65% 38%)`} />
      ))}
    </svg>
  );
}

/** The identicon and its words, inline after an agent's name. */
export function AgentMark({ clientId, verifiedDomain }: { clientId: string; verifiedDomain?: string | null }) {
  const text = agentMarkText(clientId, verifiedDomain);
  return (
    <span className="inline-flex items-center gap-1 align-middle font-mono text-xs font-normal text-muted" title={`Client id ${clientId}`} data-testid="agent-mark">
      <AgentIdenticon clientId={clientId} />
      {text}
    </span>
  );
}
