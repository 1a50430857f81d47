// The JSON body of every refusal of the agents' API (HTTP and, as tool errors, MCP): an OAuth
// style `error` code (RFC 6750 §3.1 for the token errors) with a description, plus the fields some
// refusals add. Loose on purpose: OAuth error responses may carry extension fields (RFC 6749
// §8.5), so clients must not be told that no other field can appear.
import { z } from 'zod';

export const errorBodySchema = z.looseObject({
  error: z
    .string()
    .describe('invalid_token, insufficient_scope, insufficient_user_authentication, access_denied, approval_required, not_found, conflict, invalid_request, rate_limited, temporarily_unavailable, …'),
  error_description: z.string().optional(),
  scope: z.string().optional().describe('With insufficient_scope: every scope the operation needs.'),
  policy_rule: z.string().optional().describe('The policy rule that decided.'),
  acr_values: z.string().optional().describe('With insufficient_user_authentication: the assurance to get (RFC 9470).'),
  required_scope: z.string().optional().describe('With approval_required and insufficient_user_authentication: the scope of this action, to ask the user to approve (OpenID CIBA).'),
  backchannel_authentication_endpoint: z.string().optional().describe('With approval_required: where to ask for the approval (OpenID CIBA).'),
  login_hint_token_type: z.string().optional().describe('With approval_required: send the access token of this call as login_hint_token (OpenID CIBA §7.1).'),
  grant_type: z.string().optional().describe('With approval_required: the grant type to poll the token endpoint with.'),
});
