// Where the consent screen sends the browser after a device request was answered.
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Device' };

export default async function DeviceDonePage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const denied = (await searchParams).error !== undefined;
  return (
    <div role="status" className="rounded-2xl border border-line bg-surface p-6 shadow-sm sm:p-8">
      <h1 className="text-xl font-semibold tracking-tight">{denied ? 'Access denied' : 'Device connected'}</h1>
      <p className="mt-2 text-sm leading-6 text-muted">
        {denied
          ? 'The device was told no. It cannot act for you; you can close this page.'
          : 'You can go back to your device: it will continue on its own in a few seconds. You can see and stop it any time under Agents and Tokens.'}
      </p>
    </div>
  );
}
