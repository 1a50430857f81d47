-- CreateEnum
CREATE TYPE "SsfStreamStatus" AS ENUM ('ENABLED', 'PAUSED', 'DISABLED');

-- CreateEnum
CREATE TYPE "SsfDeliveryState" AS ENUM ('PENDING', 'DELIVERED', 'REJECTED', 'EXPIRED', 'DROPPED');

-- CreateTable
CREATE TABLE "ssf_streams" (
    "id" UUID NOT NULL,
    "resource_id" UUID NOT NULL,
    "issuer" TEXT NOT NULL,
    "endpoint_url" TEXT NOT NULL,
    "authorization_header_sealed" TEXT,
    "events_requested" TEXT[],
    "events_delivered" TEXT[],
    "description" TEXT,
    "status" "SsfStreamStatus" NOT NULL DEFAULT 'ENABLED',
    "status_reason" TEXT,
    "verified_at" TIMESTAMPTZ(3),
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ssf_streams_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ssf_deliveries" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "stream_id" UUID NOT NULL,
    "event_type" TEXT NOT NULL,
    "facts" JSONB NOT NULL,
    "txn" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "state" "SsfDeliveryState" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_attempt_at" TIMESTAMPTZ(3),
    "last_status" INTEGER,
    "last_error" TEXT,
    "settled_at" TIMESTAMPTZ(3),

    CONSTRAINT "ssf_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ssf_delivery_attempts" (
    "id" UUID NOT NULL,
    "delivery_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" INTEGER,
    "error" TEXT,
    "duration_ms" INTEGER NOT NULL,

    CONSTRAINT "ssf_delivery_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ssf_streams_resource_id_key" ON "ssf_streams"("resource_id");

-- CreateIndex
CREATE INDEX "ssf_deliveries_stream_id_state_seq_idx" ON "ssf_deliveries"("stream_id", "state", "seq");

-- CreateIndex
CREATE INDEX "ssf_deliveries_state_settled_at_idx" ON "ssf_deliveries"("state", "settled_at");

-- CreateIndex
CREATE INDEX "ssf_delivery_attempts_delivery_id_at_idx" ON "ssf_delivery_attempts"("delivery_id", "at");

-- AddForeignKey
ALTER TABLE "ssf_streams" ADD CONSTRAINT "ssf_streams_resource_id_fkey" FOREIGN KEY ("resource_id") REFERENCES "protected_resources"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ssf_deliveries" ADD CONSTRAINT "ssf_deliveries_stream_id_fkey" FOREIGN KEY ("stream_id") REFERENCES "ssf_streams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ssf_delivery_attempts" ADD CONSTRAINT "ssf_delivery_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "ssf_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Shared Signals (issue 14 §4, docs/shared-signals.md): the SETs to push are queued by these
-- triggers, in the transaction of the change itself (an outbox): a revocation, a grant's new status
-- or a policy's new version that committed has its events committed with it, whatever happens to
-- the process next; one that rolled back has none. Each queued row NOTIFYs `leash_ssf` (delivered
-- at commit) so every instance's delivery worker (lib/ssf/delivery-worker.ts) wakes at once.
-- A row goes to every stream, not disabled, whose resource is one of the audiences and which
-- delivers that event type. `facts` holds the ids the SET's subject is built from
-- (lib/ssf/security-event-token.ts); `txn` the transaction, shared by the SETs of one change.
CREATE FUNCTION "leash_ssf_enqueue"(kind text, audiences text[], details jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  uri text := CASE kind
    WHEN 'session-revoked' THEN 'https://schemas.openid.net/secevent/caep/event-type/session-revoked'
    ELSE 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change' END;
  target uuid;
BEGIN
  IF audiences IS NULL OR cardinality(audiences) = 0 THEN RETURN; END IF;
  FOR target IN
    SELECT s.id FROM "ssf_streams" s JOIN "protected_resources" r ON r.id = s.resource_id
    WHERE r.identifier = ANY (audiences) AND s.status <> 'DISABLED' AND uri = ANY (s.events_delivered)
  LOOP
    INSERT INTO "ssf_deliveries" (id, stream_id, event_type, facts, txn)
    VALUES (gen_random_uuid(), target, kind, details, pg_current_xact_id()::text);
    PERFORM pg_notify('leash_ssf', target::text);
  END LOOP;
END;
$$;

-- An access token revoked (whatever revoked it: lib/tokens/revoke-tokens.ts is the one writer of
-- revoked_at, and narrowed tokens die with their parent by trigger) or deleted unrevoked (a
-- cascade): CAEP session-revoked naming the token, its grant, its agent and its user. Refresh
-- tokens never reach a resource server; expired tokens need no announcement.
CREATE FUNCTION "leash_ssf_token_revoked"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  t "tokens";
BEGIN
  IF TG_OP = 'DELETE' THEN t := OLD; ELSE t := NEW; END IF;
  IF t.expires_at <= now() THEN RETURN NULL; END IF;
  PERFORM leash_ssf_enqueue('session-revoked', t.audience, jsonb_build_object(
    'token_id', t.id, 'grant_id', t.grant_id, 'user_id', t.user_id,
    'client_id', (SELECT a.client_id FROM "agents" a WHERE a.id = t.agent_id),
    'reason', COALESCE(t.revoked_reason, 'token deleted')));
  RETURN NULL;
END;
$$;

CREATE TRIGGER "tokens_ssf_revoked" AFTER UPDATE OF "revoked_at" ON "tokens"
  FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL AND NEW.kind = 'ACCESS')
  EXECUTE FUNCTION "leash_ssf_token_revoked"();
CREATE TRIGGER "tokens_ssf_deleted" AFTER DELETE ON "tokens"
  FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND OLD.kind = 'ACCESS')
  EXECUTE FUNCTION "leash_ssf_token_revoked"();

-- A grant suspended (the kill switch), revoked, or resumed: session-revoked, or token-claims-change
-- `grant_status: active`, naming the grant, its agent and its user, for the grant's resources and
-- the audiences of its unexpired tokens.
CREATE FUNCTION "leash_ssf_grant_status"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  audiences text[];
  named jsonb := jsonb_build_object('grant_id', NEW.id, 'user_id', NEW.user_id,
    'client_id', (SELECT a.client_id FROM "agents" a WHERE a.id = NEW.agent_id));
BEGIN
  SELECT array_agg(DISTINCT x.a) INTO audiences FROM (
    SELECT unnest(NEW.resources) AS a
    UNION SELECT unnest(t.audience) FROM "tokens" t WHERE t.grant_id = NEW.id AND t.expires_at > now()
  ) x;
  IF NEW.status = 'ACTIVE' THEN
    PERFORM leash_ssf_enqueue('token-claims-change', audiences, named || jsonb_build_object('claims', jsonb_build_object('grant_status', 'active'), 'reason', 'grant resumed'));
  ELSE
    PERFORM leash_ssf_enqueue('session-revoked', audiences, named || jsonb_build_object('reason',
      CASE NEW.status WHEN 'SUSPENDED' THEN 'grant suspended (kill switch)' ELSE 'grant revoked' END));
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "grants_ssf_status" AFTER UPDATE OF "status" ON "grants"
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION "leash_ssf_grant_status"();

-- A new version of a user's policy for an agent (saved or rolled back): token-claims-change
-- `policy_version`, naming the agent and the user, for the audiences of the agent's live tokens for
-- that user and the resources of its grants from them.
CREATE FUNCTION "leash_ssf_policy_saved"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  audiences text[];
BEGIN
  SELECT array_agg(DISTINCT x.a) INTO audiences FROM (
    SELECT unnest(t.audience) AS a FROM "tokens" t
      WHERE t.user_id = NEW.user_id AND t.agent_id = NEW.agent_id AND t.revoked_at IS NULL AND t.expires_at > now()
    UNION SELECT unnest(g.resources) FROM "grants" g
      WHERE g.user_id = NEW.user_id AND g.agent_id = NEW.agent_id AND g.status <> 'REVOKED'
  ) x;
  PERFORM leash_ssf_enqueue('token-claims-change', audiences, jsonb_build_object('user_id', NEW.user_id,
    'client_id', (SELECT a.client_id FROM "agents" a WHERE a.id = NEW.agent_id),
    'claims', jsonb_build_object('policy_version', NEW.version), 'reason', 'policy changed'));
  RETURN NULL;
END;
$$;

CREATE TRIGGER "policies_ssf_saved" AFTER INSERT ON "policies"
  FOR EACH ROW EXECUTE FUNCTION "leash_ssf_policy_saved"();
