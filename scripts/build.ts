// `npm run build`: generate the Prisma client and build for production, when inputs changed.
// `--generate-only` (npm run db:generate) stops after the Prisma client.
import { buildIfNeeded, generatePrismaClient } from './lib/prepare';

generatePrismaClient();
if (!process.argv.includes('--generate-only')) buildIfNeeded();
