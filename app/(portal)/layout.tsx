// Sign-in, sign-up (and later consent, step-up, device code entry): minimal chrome, centred card.
import Link from 'next/link';
import { Logo } from '@/components/logo';

export default function PortalLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col items-center px-4 py-10 sm:justify-center sm:py-16">
      <Link href="/" className="mb-8" aria-label="Leash home">
        <Logo />
      </Link>
      <main className="w-full max-w-[400px]">{children}</main>
      <p className="mt-10 text-xs text-muted">Leash · authorization for AI agents</p>
    </div>
  );
}
