import Link from 'next/link';
import { buttonClasses } from '@/components/ui/button';

export default function NotFound() {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center px-4 text-center">
      <p className="text-sm font-semibold text-accent">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">This page does not exist</h1>
      <p className="mt-2 text-sm text-muted">The link may be old, or the page may have moved.</p>
      <Link href="/" className={buttonClasses('secondary', 'mt-6')}>
        Back to Leash
      </Link>
    </main>
  );
}
