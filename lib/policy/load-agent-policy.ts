// The policy in force for a user's agent: the newest stored version (compiled from its document,
// or its hand-written Cedar), or the defaults for a new agent (or for an agent acting as itself,
// with no user). Stored documents are validated on the way out too (zod at every boundary); one that fails denies every request (fail closed).
// Which version is newest is kept in the hot cache (lib/cache/hot-cache.ts, issue 16 §2), so a
// request asks the database nothing about its policy: saving a policy drops the entry on the
// saving instance after its commit, before it answers (`forgettingAfter` in save-agent-policy.ts),
// so it applies to that instance's next request; every other instance drops it when the
// `policies_notify_cache` trigger's notification arrives (measured: `npm run bench`,
// "policy change between instances"). Without the notification connection nothing is cached.
import 'server-only';
import { dbPool } from '@/lib/db/client';
import { cached } from '@/lib/cache/hot-cache';
import { compilePolicy, type CompiledPolicy } from '@/lib/policy/compile-policy';
import { validateCedarPolicies } from '@/lib/policy/cedar-schema';
import { compileHandWrittenCedar } from '@/lib/policy/hand-written-cedar';
import { defaultPolicyDocument, policyDocumentSchema, type PolicyDocument } from '@/lib/policy/policy-document';
import crypto from 'node:crypto';
import { declaredActionId, type DeclaredAction } from '@/lib/policy/declared-actions';

export type LoadedPolicy = { compiled: CompiledPolicy; cacheKey: string; version: number; document: PolicyDocument; handWritten: boolean };

const DEFAULT_DOCUMENT = defaultPolicyDocument();
const DEFAULT: LoadedPolicy = { compiled: compilePolicy(DEFAULT_DOCUMENT), cacheKey: 'default-v1', version: 0, document: DEFAULT_DOCUMENT, handWritten: false };
// Versions never change once written, so a compiled version can be kept for the process's life.
const compiledById = new Map<string, LoadedPolicy>();

/**
 * `declared`: registered resources' actions to compile beside Leash's own (the AuthZEN PDP and the
 * simulator pass them; Leash's own API does not need them). The compiled set is cached under the
 * version and the list, so a resource registered or changed later compiles anew.
 */
export function loadAgentPolicy(options: { userId: string | null; agentId: string; declared?: readonly DeclaredAction[] }): LoadedPolicy | Promise<LoadedPolicy> {
  const declared = options.declared ?? [];
  const declaredSuffix = declared.length ? `~${declaredKey(declared)}` : '';
  if (!options.userId) return declared.length ? withDeclaredDefault(declared, declaredSuffix) : DEFAULT;
  // Known version (the hot path): answered without a promise; a stored policy that fails its
  // checks still rejects, as it does after a load.
  const row = newestVersion(options.userId, options.agentId);
  if (row instanceof Promise) return row.then((loaded) => policyOf(loaded, declared, declaredSuffix));
  try {
    return policyOf(row, declared, declaredSuffix);
  } catch (error) {
    return Promise.reject(error);
  }
}

function policyOf(row: PolicyRow | null, declared: readonly DeclaredAction[], declaredSuffix: string): LoadedPolicy {
  if (!row) return declared.length ? withDeclaredDefault(declared, declaredSuffix) : DEFAULT;
  const cached = compiledById.get(row.id + declaredSuffix);
  if (cached) return cached;
  const parsed = policyDocumentSchema.safeParse(row.document);
  if (!parsed.success) throw new Error(`stored policy ${row.id} (v${row.version}) is invalid: ${parsed.error.issues[0]?.message}`);
  let compiled: CompiledPolicy;
  if (row.handWritten) {
    // Validated when saved, and again here: the schema may have changed since.
    const handWritten = compileHandWrittenCedar(row.cedar, parsed.data, declared);
    if ('problems' in handWritten) throw new Error(`policy ${row.id} (v${row.version}) does not validate: ${handWritten.problems[0]!.message}`);
    compiled = handWritten.compiled;
  } else {
    compiled = compilePolicy(parsed.data, declared);
    // Defence in depth: what the compiler produced must validate against the schema the resource
    // server evaluates with, or no request is decided by it. Saving validated exactly the text it
    // stored (save-agent-policy.ts), so the same text again needs no second check; a different one
    // (declared actions compiled in, or a build whose compiler writes it differently) is checked
    // here. This is most of what the first request after a change pays on every other instance
    // (validation parses the whole schema: about 12 ms; issue 16 §2's bound).
    if (declared.length || compiled.text !== row.cedar) {
      const problems = validateCedarPolicies(compiled.text, declaredIds(declared));
      if (problems.length) throw new Error(`policy ${row.id} (v${row.version}) does not validate: ${problems[0]!.message}`);
    }
  }
  const loaded = { compiled, cacheKey: `policy-${row.id}${declaredSuffix}`, version: row.version, document: parsed.data, handWritten: row.handWritten };
  if (compiledById.size > 10_000) compiledById.clear();
  compiledById.set(row.id + declaredSuffix, loaded);
  return loaded;
}

type PolicyRow = { id: string; version: number; document: unknown; cedar: string; handWritten: boolean };

/** The newest stored version of a user's policy for an agent (null: none yet, the defaults), cached. */
function newestVersion(userId: string, agentId: string): PolicyRow | null | Promise<PolicyRow | null> {
  // Cached under the pair the trigger names ('policy:<user_id>:<agent_id>'); "no row" is cached too.
  const pair = `${userId}:${agentId}`;
  const found = cached<{ row: PolicyRow | null }>(
    'policy',
    pair,
    async () => {
      // Raw SQL (one indexed row; Prisma's query engine costs more than the query).
      const { rows } = await dbPool().query<PolicyRow>(
        'SELECT id, version, document, cedar, hand_written AS "handWritten" FROM policies WHERE user_id = $1 AND agent_id = $2 ORDER BY version DESC LIMIT 1',
        [userId, agentId],
      );
      return { row: rows[0] ?? null };
    },
    () => [pair],
  );
  return found instanceof Promise ? found.then((loaded) => loaded?.row ?? null) : found.row;
}

/** A short key for a list of declared actions (part of a compiled policy's cache key). */
function declaredKey(actions: readonly DeclaredAction[]): string {
  const canonical = actions.map((a) => [a.resource, a.name, a.scope, a.risk, a.resourceName]);
  return crypto.createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 16);
}

const declaredIds = (declared: readonly DeclaredAction[]) => declared.map((a) => declaredActionId(a.resource, a.name));

/** The defaults, with the declared actions at their default tiers. */
function withDeclaredDefault(declared: readonly DeclaredAction[], suffix: string): LoadedPolicy {
  const key = `default${suffix}`;
  let loaded = compiledById.get(key);
  if (!loaded) {
    loaded = { ...DEFAULT, compiled: compilePolicy(DEFAULT_DOCUMENT, declared), cacheKey: `default-v1${suffix}` };
    compiledById.set(key, loaded);
  }
  return loaded;
}
