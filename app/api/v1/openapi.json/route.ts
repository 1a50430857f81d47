// GET /api/v1/openapi.json: the OpenAPI description of the agents' API (public, cacheable).
import { openApiDocument } from '@/lib/workspace/openapi';

export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json(openApiDocument(), { headers: { 'Cache-Control': 'public, max-age=300' } });
}
