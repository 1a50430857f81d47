// The one reader for OAuth form bodies (STYLE habit 5). RFC 6749 §3.1 and §3.2: parameters sent
// without a value are treated as omitted, and request parameters MUST NOT be included more than
// once. The single exception is `resource`, which RFC 8707 §2 allows to repeat.
import 'server-only';
import { OAuthError } from '@/lib/oauth/errors';
import { BodyNotUtf8Error, BodyTooLargeError, readBodyText } from '@/lib/http/read-body';
import type { MachineRequest } from '@/lib/http/machine-request';

const MAX_BODY_BYTES = 64 * 1024;
const MULTI_VALUED = new Set(['resource']);

export class OAuthParams {
  constructor(
    private readonly single: Map<string, string>,
    /** RFC 8707 resource indicators, in order. */
    readonly resources: string[],
  ) {}

  get(name: string): string | undefined {
    return this.single.get(name);
  }

  has(name: string): boolean {
    return this.single.has(name);
  }
}

export async function readOAuthForm(request: MachineRequest): Promise<OAuthParams> {
  if (request.method !== 'POST') {
    throw new OAuthError('invalid_request', 'Use POST.', { status: 405, headers: { Allow: 'POST' } });
  }
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    throw new OAuthError('invalid_request', 'The body must be application/x-www-form-urlencoded.');
  }
  let text: string;
  try {
    text = await readBodyText(request, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new OAuthError('invalid_request', 'The request body is too large.', { status: 413 });
    if (error instanceof BodyNotUtf8Error) throw new OAuthError('invalid_request', 'The request body is not valid UTF-8.');
    throw error;
  }
  return parseParameters(new URLSearchParams(text));
}

/** Also used for query strings (the authorization endpoint). */
export function parseParameters(params: URLSearchParams): OAuthParams {
  const single = new Map<string, string>();
  const resources: string[] = [];
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name).filter((v) => v !== '');
    if (MULTI_VALUED.has(name)) {
      resources.push(...values);
      continue;
    }
    if (params.getAll(name).length > 1) throw new OAuthError('invalid_request', `The parameter "${name}" is repeated.`);
    if (values[0] !== undefined) single.set(name, values[0]);
  }
  return new OAuthParams(single, resources);
}
