// The operations of the agents' API over the sample workspace (issue 4, "the sample API"): one
// definition each, served as /api/v1 routes and as MCP tools, described by /api/v1/openapi.json.
// Answers carry `_links` to the next actions this token may actually take (scope and policy).
import 'server-only';
import type { ActionName } from '@/lib/scopes/actions';
import { operationRoute, type Operation } from '@/lib/resource/operation';
import { datasetsList, datasetsQuery, reportsCreate, reportsList, reportsRead, reportsUpdate, workflowsList, workflowsTrigger } from '@/lib/workspace/operations-data';
import { invoicesDispute, invoicesList, invoicesRead, paymentsInitiate } from '@/lib/workspace/operations-finance';

export const OPERATIONS: readonly Operation[] = [
  datasetsList,
  datasetsQuery,
  reportsList,
  reportsRead,
  reportsCreate,
  reportsUpdate,
  workflowsList,
  workflowsTrigger,
  invoicesList,
  invoicesRead,
  invoicesDispute,
  paymentsInitiate,
];

export const OPERATIONS_BY_ACTION: ReadonlyMap<ActionName, Operation> = new Map(OPERATIONS.map((o) => [o.action, o]));

export function operation(action: ActionName): Operation {
  return OPERATIONS_BY_ACTION.get(action)!;
}

const API_ROUTES = new Map(OPERATIONS.map((o) => [o.action, operationRoute(o, OPERATIONS_BY_ACTION)]));

/** The route handler that serves one operation under /api/v1 (one function per operation, shared by
 * the Next route and the fast path: lib/endpoints/machine-routes.ts). */
export function apiRoute(action: ActionName) {
  return API_ROUTES.get(action)!;
}
