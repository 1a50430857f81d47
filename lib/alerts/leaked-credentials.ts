// Tells the people concerned that a credential was found in public and what Leash did about it
// (heard on the `credentials.leaked` event that lib/secret-scanning emits after its commit):
// one alert per report, person and agent, naming every place it was found (the scanner's URL and
// kind of source), through raiseAlert like every other rule (stored, shown live, sent to the
// person's webhook, and the agent suspended for them if their settings ask for it at this severity).
import 'server-only';
import { db } from '@/lib/db/client';
import { raiseAlert } from '@/lib/alerts/raise-alert';

/** What a scanner reported, as the alert names it (the token itself is never repeated). */
export type LeakPlace = { type: string; url: string; source: string };
export type LeakedCredential = 'access_token' | 'refresh_token' | 'client_secret' | 'registration_access_token' | 'api_key';

export type LeakNotice = {
  userId: string;
  agentId: string | null;
  credential: LeakedCredential;
  finding: LeakPlace;
  /** Tokens revoked with it. */
  revoked: number;
  /** The agent was suspended (its client secret leaked). */
  suspended?: true;
  /** The protected API whose secret leaked. */
  resource?: string;
};

/** The alert kind: one per report (the first 12 hex digits of its replay id), so no report hides another. */
export const LEAK_ALERT_KIND = 'credential_leaked';

const WORDS: Record<LeakedCredential, string> = {
  access_token: 'An access token',
  refresh_token: 'A refresh token',
  client_secret: 'The client secret',
  registration_access_token: 'The registration access token',
  api_key: 'An API key',
};

function where(finding: LeakPlace): string {
  const source = finding.source ? finding.source.toLowerCase().replace(/_/g, ' ') : 'unknown source';
  return finding.url ? `${finding.url} (${source})` : `a place GitHub did not name (${source})`;
}

function sentence(notice: LeakNotice, agentName: string): string {
  const { credential, finding, revoked } = notice;
  if (notice.resource) return `The client secret of the protected API ${notice.resource} was found in public at ${where(finding)}. Leash voided it: make a new one in Settings → Protected APIs.`;
  if (credential === 'client_secret') {
    return `The client secret of ${agentName} was found in public at ${where(finding)}. Leash suspended the agent and revoked its ${revoked} token${revoked === 1 ? '' : 's'}: it has to be registered again.`;
  }
  if (credential === 'registration_access_token') {
    return `The registration access token of ${agentName} was found in public at ${where(finding)}. Leash voided it, so nobody can change the agent's registration with it; the agent keeps working.`;
  }
  if (credential === 'api_key') {
    const tokens = revoked ? ` and the ${revoked} token${revoked === 1 ? '' : 's'} exchanged for it` : '';
    return `An API key of ${agentName} was found in public at ${where(finding)}. Leash revoked it${tokens}: make a new key on the agent's page (or better, move the agent to OAuth), and check how it got out.`;
  }
  const session = revoked > 1 ? ` and the ${revoked - 1} other token${revoked === 2 ? '' : 's'} of the same session` : '';
  return `${WORDS[credential]} of ${agentName} was found in public at ${where(finding)}. Leash revoked it${session}; the agent has to sign in again. Remove it from there and check how it got out.`;
}

export async function alertLeakedCredentials(notices: LeakNotice[], replayId: string): Promise<void> {
  const groups = new Map<string, LeakNotice[]>();
  for (const notice of notices) {
    const key = `${notice.userId}\0${notice.agentId ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), notice]);
  }
  for (const group of groups.values()) {
    const { userId, agentId } = group[0]!;
    const agentName = agentId ? ((await db().agent.findUnique({ where: { id: agentId }, select: { name: true } }))?.name ?? 'an agent') : 'an agent';
    const secret = group.some((n) => n.credential === 'client_secret');
    await raiseAlert({
      userId,
      agentId,
      kind: `${LEAK_ALERT_KIND}:${replayId.slice(0, 12)}`,
      // A leaked secret suspended the agent for everyone: critical. A token is already dead: a warning.
      severity: secret ? 'CRITICAL' : 'WARNING',
      dedupeMinutes: 0,
      decide: async () => ({
        message: group.map((n) => sentence(n, agentName)).join(' '),
        details: {
          reporter: 'github',
          findings: group.map((n) => ({ credential: n.credential, url: n.finding.url, source: n.finding.source, type: n.finding.type, revoked: n.revoked })),
        },
      }),
    });
  }
}
