// The pages an agent links to in its registration or metadata document (RFC 7591 §2: client_uri,
// policy_uri, tos_uri), for the consent screen. Registration already accepts only https URLs
// (lib/oauth/clients/client-metadata.ts) and keeps them in the agent's stored metadata (client_uri also
// in its own column); they are checked again on the way out, as any JSON column read back is
// (STYLE habit 4), so an older or hand-edited record cannot put a javascript: link on the page.
// The agent chose them: the screen says so and Leash vouches for none of them.
import { z } from 'zod';

const httpsUrl = z
  .string()
  .max(2000)
  .refine((v) => URL.canParse(v) && new URL(v).protocol === 'https:')
  .optional()
  .catch(undefined);

const linksSchema = z.object({ client_uri: httpsUrl, policy_uri: httpsUrl, tos_uri: httpsUrl }).catch({});

export type AgentLinks = { website: string | null; privacyPolicy: string | null; terms: string | null };

export function agentLinks(agent: { clientUri: string | null; metadata: unknown }): AgentLinks {
  const stored = linksSchema.parse(agent.metadata ?? {});
  return {
    website: httpsUrl.parse(agent.clientUri ?? undefined) ?? stored.client_uri ?? null,
    privacyPolicy: stored.policy_uri ?? null,
    terms: stored.tos_uri ?? null,
  };
}
