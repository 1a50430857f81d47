// Module resolution hook for the production server process: `server-only` (a guard that throws
// when a server module is pulled into a client bundle) resolves as it does inside Next's server
// layer, so the fast path (server/fast-path.ts) can load the same lib/ handlers Next serves.
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'server-only') {
    return nextResolve(specifier, { ...context, conditions: [...context.conditions, 'react-server'] });
  }
  return nextResolve(specifier, context);
}
