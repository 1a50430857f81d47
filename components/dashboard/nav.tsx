'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { AgentIcon, ApprovalIcon, AuditIcon, BellIcon, KeyIcon, SettingsIcon } from '@/components/icons';
import { AlertsBadge, useOpenAlertCount } from '@/components/dashboard/alerts-badge';

export const NAV_ITEMS = [
  { href: '/agents', label: 'Agents', Icon: AgentIcon },
  { href: '/tokens', label: 'Tokens', Icon: KeyIcon },
  { href: '/approvals', label: 'Approvals', Icon: ApprovalIcon },
  { href: '/alerts', label: 'Alerts', Icon: BellIcon },
  { href: '/audit', label: 'Audit', Icon: AuditIcon },
  { href: '/settings', label: 'Settings', Icon: SettingsIcon },
] as const;

function useActive() {
  const pathname = usePathname();
  return (href: string) => pathname === href || pathname.startsWith(`${href}/`);
}

/** Sidebar navigation, from the `md` breakpoint up. */
export function SidebarNav() {
  const isActive = useActive();
  const openAlerts = useOpenAlertCount(true);
  return (
    <nav aria-label="Main" className="flex flex-col gap-0.5">
      {NAV_ITEMS.map(({ href, label, Icon }) => {
        const active = isActive(href);
        return (
          <Link
            key={href}
            href={href}
            aria-current={active ? 'page' : undefined}
            className={`flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium transition-colors ${active ? 'bg-accent-soft text-accent' : 'text-muted hover:bg-subtle hover:text-fg'}`}
          >
            <Icon className="h-[18px] w-[18px]" />
            {label}
            {href === '/alerts' ? <AlertsBadge count={openAlerts} /> : null}
          </Link>
        );
      })}
    </nav>
  );
}

/** Bottom tab bar on phones: approvals are often done there, so every section is one tap away. */
export function TabBarNav() {
  const isActive = useActive();
  const openAlerts = useOpenAlertCount(false);
  return (
    <nav aria-label="Main" className="fixed inset-x-0 bottom-0 z-20 grid grid-cols-6 border-t border-line bg-surface/95 pb-[env(safe-area-inset-bottom)] backdrop-blur md:hidden">
      {NAV_ITEMS.map(({ href, label, Icon }) => {
        const active = isActive(href);
        return (
          <Link
            key={href}
            href={href}
            aria-current={active ? 'page' : undefined}
            className={`relative flex flex-col items-center gap-1 py-2.5 text-[11px] font-medium ${active ? 'text-accent' : 'text-muted'}`}
          >
            <Icon className="h-5 w-5" />
            {label}
            {href === '/alerts' ? <AlertsBadge count={openAlerts} compact /> : null}
          </Link>
        );
      })}
    </nav>
  );
}
