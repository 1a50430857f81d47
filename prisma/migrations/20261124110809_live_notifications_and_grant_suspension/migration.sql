-- AlterEnum
ALTER TYPE "GrantStatus" ADD VALUE 'SUSPENDED';

-- Live updates (DECISIONS 8): every change to a user's tokens or grants is announced on the
-- `leash_live` channel, delivered when its transaction commits, to every app instance listening
-- (lib/live/live-channel.ts). Written by hand: Prisma's schema language has no triggers.
CREATE FUNCTION "leash_notify_live"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.user_id IS NOT NULL THEN
    PERFORM pg_notify('leash_live', json_build_object(
      'topic', TG_ARGV[0], 'user_id', NEW.user_id, 'agent_id', NEW.agent_id, 'id', NEW.id, 'op', lower(TG_OP)
    )::text);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "tokens_notify_live"
  AFTER INSERT OR UPDATE OF "revoked_at", "last_used_at" ON "tokens"
  FOR EACH ROW EXECUTE FUNCTION "leash_notify_live"('tokens');

CREATE TRIGGER "grants_notify_live"
  AFTER INSERT OR UPDATE OF "status" ON "grants"
  FOR EACH ROW EXECUTE FUNCTION "leash_notify_live"('agents');
