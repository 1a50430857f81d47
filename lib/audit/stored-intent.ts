// The natural-language instruction an agent may send with a call (`Agent-Intent` header), kept as
// the user chose in their privacy setting: not at all, as a SHA-256 (provable later, unreadable
// now), or in full. Bounded in size; control characters removed.
import crypto from 'node:crypto';

export type IntentStorage = 'OFF' | 'HASHED' | 'FULL';

const MAX_INTENT = 2000;

export function storedIntent(raw: string | null, storage: IntentStorage): string | null {
  if (!raw || storage === 'OFF') return null;
  const clean = raw.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, MAX_INTENT);
  if (!clean) return null;
  if (storage === 'HASHED') return `sha256:${crypto.createHash('sha256').update(clean).digest('hex')}`;
  return clean;
}
