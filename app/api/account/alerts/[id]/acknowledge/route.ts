// POST /api/account/alerts/{id}/acknowledge: the user has seen this alert.
import { handleAcknowledgeAlert } from '@/lib/endpoints/account/alerts';

export const dynamic = 'force-dynamic';

export const POST = handleAcknowledgeAlert;
