// Reading the resource server's refusals: the `WWW-Authenticate` challenge (RFC 6750 §3, RFC 9449
// §7.1, RFC 9470 §3, RFC 9728 §5.1) and the JSON body Leash sends with it.

export type Challenge = { scheme: string; params: Record<string, string> };

/** Parses `Scheme k="v", k2=v2, Other k="v"` into challenges (RFC 9110 §11.6.1; quoted strings unescaped). */
export function parseWwwAuthenticate(header: string | null): Challenge[] {
  if (!header) return [];
  const challenges: Challenge[] = [];
  const tokenChar = /[\w!#$%&'*+.^`|~-]/;
  let i = 0;
  let current: Challenge | undefined;
  const token = () => {
    const start = i;
    while (i < header.length && tokenChar.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  const spaces = () => {
    while (header[i] === ' ' || header[i] === '\t') i++;
  };
  while (i < header.length) {
    while (i < header.length && /[\s,]/.test(header[i]!)) i++;
    const name = token();
    if (!name) {
      i++;
      continue;
    }
    spaces();
    if (header[i] !== '=') {
      current = { scheme: name, params: {} };
      challenges.push(current);
      continue;
    }
    i++;
    spaces();
    let value = '';
    if (header[i] === '"') {
      for (i++; i < header.length && header[i] !== '"'; i++) value += header[i] === '\\' ? (header[++i] ?? '') : header[i];
      i++;
    } else {
      value = token();
    }
    if (current) current.params[name.toLowerCase()] = value;
  }
  return challenges;
}

/** A refusal body from /api/v1 or /mcp (lib/resource/error-body.ts on the server). */
export type Refusal = {
  status: number;
  error: string;
  error_description?: string;
  scope?: string;
  acr_values?: string;
  required_scope?: string;
  backchannel_authentication_endpoint?: string;
  login_hint_token_type?: string;
  grant_type?: string;
  policy_rule?: string;
  challenges: Challenge[];
};

/** The refusal a 401/403 carries (body first, challenge as fallback), or null for anything else. */
export async function readRefusal(response: Response): Promise<Refusal | null> {
  if (response.status !== 401 && response.status !== 403) return null;
  const challenges = parseWwwAuthenticate(response.headers.get('www-authenticate'));
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = await response.clone().json();
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: the challenge alone says what happened
  }
  const error = typeof body.error === 'string' ? body.error : challenges.find((c) => c.params.error)?.params.error;
  if (!error) return null;
  const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : undefined);
  return {
    status: response.status,
    error,
    error_description: text('error_description') ?? challenges.find((c) => c.params.error_description)?.params.error_description,
    scope: text('scope'),
    acr_values: text('acr_values'),
    required_scope: text('required_scope'),
    backchannel_authentication_endpoint: text('backchannel_authentication_endpoint'),
    login_hint_token_type: text('login_hint_token_type'),
    grant_type: text('grant_type'),
    policy_rule: text('policy_rule'),
    challenges,
  };
}
