// POST /api/secret-scanning/github: leaked Leash credentials reported by GitHub's secret scanning partner program.
import { handleGithubSecretScanning } from '@/lib/endpoints/secret-scanning';

export const dynamic = 'force-dynamic';

export const POST = handleGithubSecretScanning;
