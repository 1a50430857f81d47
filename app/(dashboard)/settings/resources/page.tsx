// Settings → Protected APIs (administrators): the APIs Leash issues tokens for, Leash's own two and
// the ones registered here, with the credentials each API uses to check its tokens (issue 14 §1).
import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/ui/page-header';
import { Alert } from '@/components/ui/alert';
import { ResourcesManager } from '@/components/dashboard/resources-manager';
import { requireUser } from '@/lib/auth/session';
import { listProtectedResources } from '@/lib/protected-resources/registry';
import { presentResource } from '@/lib/endpoints/account/resources';

export const metadata: Metadata = { title: 'Protected APIs' };

export default async function ResourcesPage() {
  const user = await requireUser();
  if (user.role !== 'ADMIN') {
    return (
      <>
        <PageHeader title="Protected APIs" description="The APIs agents get tokens for." />
        <Alert tone="warning">Only an administrator can see and register protected APIs.</Alert>
      </>
    );
  }
  const resources = (await listProtectedResources()).map(presentResource);
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/settings" className="text-muted hover:text-fg">
          ← Settings
        </Link>
      </p>
      <PageHeader
        title="Protected APIs"
        description="The APIs agents get tokens for. Register your own so that agents can ask for it on the consent screen and it can check their tokens, ask for policy decisions and hear of revocations."
      />
      <ResourcesManager initial={resources} />
    </>
  );
}
