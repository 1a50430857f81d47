'use client';

// Settings → Second factors → Passkeys: add one (the browser's WebAuthn ceremony), see those added.
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { startRegistration } from '@simplewebauthn/browser';
import { Alert } from '@/components/ui/alert';
import { Button, Spinner } from '@/components/ui/button';
import { useHydrated } from '@/components/ui/use-hydrated';

export function PasskeySettings({ passkeys }: { passkeys: { id: string; name: string; createdAt: string; lastUsedAt: string | null }[] }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ tone: 'success' | 'danger'; text: string } | null>(null);
  async function add() {
    setPending(true);
    setMessage(null);
    try {
      const options = await (await fetch('/api/account/passkeys/register-options', { method: 'POST' })).json();
      const response = await startRegistration({ optionsJSON: options });
      const saved = await fetch('/api/account/passkeys/register', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ response, name: 'Passkey' }) });
      if (!saved.ok) throw new Error(((await saved.json().catch(() => ({}))) as { message?: string }).message ?? 'The passkey could not be saved.');
      setMessage({ tone: 'success', text: 'Passkey added. Leash can now ask for it when a request needs phishing-resistant proof.' });
      router.refresh();
    } catch (error) {
      setMessage({ tone: 'danger', text: error instanceof Error && error.name === 'NotAllowedError' ? 'The passkey prompt was cancelled.' : (error as Error).message });
    } finally {
      setPending(false);
    }
  }
  return (
    <div className="space-y-3 rounded-2xl border border-line bg-surface p-5">
      <p className="text-sm text-muted">A passkey (Touch ID, Windows Hello, a security key) proves it is you and cannot be phished: it only works on Leash’s own address.</p>
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      {passkeys.length ? (
        <ul aria-label="Passkeys" className="divide-y divide-line text-sm">
          {passkeys.map((p) => (
            <li key={p.id} className="py-2">
              {p.name} · added {new Date(p.createdAt).toLocaleDateString('en-GB')}
              {p.lastUsedAt ? ` · last used ${new Date(p.lastUsedAt).toLocaleDateString('en-GB')}` : ''}
            </li>
          ))}
        </ul>
      ) : null}
      <Button variant="secondary" onClick={add} disabled={!hydrated || pending}>
        {pending ? <Spinner /> : null}
        Add a passkey
      </Button>
    </div>
  );
}
