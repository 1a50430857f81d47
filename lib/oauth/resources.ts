// The protected resources Leash issues tokens for (RFC 8707 resource indicators). A token's
// audience is one or more of these; a resource server accepts only tokens naming it.
import 'server-only';
import { getConfig } from '@/lib/config/config';

export function knownResources(): string[] {
  const { issuer } = getConfig();
  return [`${issuer}/api`, `${issuer}/mcp`];
}

export function defaultResource(): string {
  return knownResources()[0]!;
}
