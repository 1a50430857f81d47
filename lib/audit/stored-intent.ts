// The natural-language instruction an agent may send with a call (`Agent-Intent` header), kept as
// the user chose in their privacy setting: not at all, as a SHA-256 only (provable later,
// unreadable now), or in full for a retention period. The append-only log row always holds the
// SHA-256; the full text lives beside it in `audit_intent_texts` and is purged when its retention
// ends (lib/audit/purge-intent-texts.ts), so the hash chain verifies before and after a purge.
// Bounded in size; control characters removed.
import crypto from 'node:crypto';

export type IntentStorage = 'OFF' | 'HASHED' | 'FULL';

export type IntentPrivacy = { intentStorage: IntentStorage; intentRetentionDays: number };

/** What the audit row stores: the hash, and the text to keep until `purgeAfter` (FULL only). */
export type StoredIntent = { hash: string; text: { text: string; purgeAfter: Date } | null };

const MAX_INTENT = 2000;
const DAY_MS = 86_400_000;

export function storedIntent(raw: string | null, privacy: IntentPrivacy | null | undefined, now = new Date()): StoredIntent | null {
  const storage = privacy?.intentStorage ?? 'HASHED';
  if (!raw || storage === 'OFF') return null;
  const clean = cleanIntent(raw);
  if (!clean) return null;
  const hash = intentHash(clean);
  if (storage === 'HASHED') return { hash, text: null };
  const days = privacy?.intentRetentionDays ?? 30;
  return { hash, text: { text: clean, purgeAfter: new Date(now.getTime() + days * DAY_MS) } };
}

export function cleanIntent(raw: string): string {
  return raw
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .trim()
    .slice(0, MAX_INTENT);
}

export function intentHash(clean: string): string {
  return `sha256:${crypto.createHash('sha256').update(clean).digest('hex')}`;
}
