// The signed-in shell: sidebar on desktop, top bar and bottom tabs on phones.
import Link from 'next/link';
import { Logo } from '@/components/logo';
import { SidebarNav, TabBarNav } from '@/components/dashboard/nav';
import { SignOutButton } from '@/components/dashboard/sign-out-button';
import { Providers } from '@/components/providers';
import { ServiceWorker } from '@/components/dashboard/service-worker';
import { requireUser } from '@/lib/auth/session';

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  // Each page checks again where it reads its data; this guards the shell itself.
  const user = await requireUser();
  const initials = (user.name ?? user.email).slice(0, 1).toUpperCase();
  return (
    <Providers>
      <div className="min-h-dvh md:flex">
        <aside className="sticky top-0 hidden h-dvh w-60 shrink-0 flex-col border-r border-line bg-surface px-3 py-5 md:flex">
          <Link href="/agents" className="mb-7 px-2">
            <Logo />
          </Link>
          <SidebarNav />
          <div className="mt-auto border-t border-line pt-4">
            <div className="mb-2 flex items-center gap-3 px-2">
              <span className="flex h-8 w-8 items-center justify-center rounded-full bg-accent-soft text-sm font-semibold text-accent">{initials}</span>
              <div className="min-w-0">
                {user.name ? <p className="truncate text-sm font-medium">{user.name}</p> : null}
                <p className="truncate text-xs text-muted" data-testid="current-user-email">
                  {user.email}
                </p>
              </div>
            </div>
            <SignOutButton />
          </div>
        </aside>
        <header className="sticky top-0 z-20 flex h-14 items-center justify-between border-b border-line bg-surface/95 px-4 backdrop-blur md:hidden">
          <Link href="/agents">
            <Logo />
          </Link>
          <SignOutButton compact />
        </header>
        <main className="mx-auto w-full max-w-5xl flex-1 px-4 pb-28 pt-6 sm:px-6 md:px-10 md:pb-12 md:pt-10">{children}</main>
        <TabBarNav />
        <ServiceWorker />
      </div>
    </Providers>
  );
}
