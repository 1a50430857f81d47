import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Leash', template: '%s · Leash' },
  description: 'Authorization for AI agents: consent, scoped tokens, policies, approvals and audit.',
  referrer: 'no-referrer',
  // Installed on a phone's home screen, the approvals inbox runs standalone (app/manifest.ts).
  appleWebApp: { capable: true, title: 'Leash', statusBarStyle: 'default' },
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f6f7f9' },
    { media: '(prefers-color-scheme: dark)', color: '#0b0e14' },
  ],
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Reading the request makes every page dynamic, so each response gets the CSP nonce (proxy.ts).
  await headers();
  return (
    <html lang="en">
      <body className="min-h-dvh">{children}</body>
    </html>
  );
}
