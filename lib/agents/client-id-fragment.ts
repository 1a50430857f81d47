// A short, stable piece of an agent's client_id, shown beside its name where two agents could
// share one (the policy editor's delegation picker): the end of the random id Leash generated
// ("id …f9QmZ0"), or the host of a metadata document's URL (CIMD). Never something the agent
// chose, unlike its name. Pure.
export function clientIdFragment(clientId: string): string {
  if (/^https?:\/\//.test(clientId)) {
    try {
      return new URL(clientId).host;
    } catch {
      // Not a URL after all: shortened like any other id.
    }
  }
  return clientId.length > 8 ? `id …${clientId.slice(-6)}` : `id ${clientId}`;
}
