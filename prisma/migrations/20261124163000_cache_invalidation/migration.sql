-- Cache invalidation (issue 7): each instance keeps the tokens, clients and policies the hot path
-- reads in memory, and drops them when PostgreSQL announces a change on `leash_cache`
-- (lib/cache/hot-cache.ts). Payload: '<kind>:<id>' ('policy:<user_id>:<agent_id>' for policies).
-- Only the columns the cached decisions depend on fire, so `last_used_at` updates stay quiet.
CREATE FUNCTION "leash_notify_cache"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  row_id text;
BEGIN
  IF TG_ARGV[0] = 'policy' THEN
    IF TG_OP = 'DELETE' THEN row_id := OLD.user_id || ':' || OLD.agent_id; ELSE row_id := NEW.user_id || ':' || NEW.agent_id; END IF;
  ELSIF TG_OP = 'DELETE' THEN
    row_id := OLD.id;
  ELSE
    row_id := NEW.id;
  END IF;
  PERFORM pg_notify('leash_cache', TG_ARGV[0] || ':' || row_id);
  RETURN NULL;
END;
$$;

CREATE TRIGGER "tokens_notify_cache" AFTER UPDATE OF "revoked_at", "expires_at", "used_at", "grant_id" OR DELETE ON "tokens"
  FOR EACH ROW EXECUTE FUNCTION "leash_notify_cache"('token');
CREATE TRIGGER "grants_notify_cache" AFTER UPDATE OR DELETE ON "grants"
  FOR EACH ROW EXECUTE FUNCTION "leash_notify_cache"('grant');
CREATE TRIGGER "agents_notify_cache" AFTER UPDATE OR DELETE ON "agents"
  FOR EACH ROW EXECUTE FUNCTION "leash_notify_cache"('agent');
CREATE TRIGGER "users_notify_cache" AFTER UPDATE OR DELETE ON "users"
  FOR EACH ROW EXECUTE FUNCTION "leash_notify_cache"('user');
CREATE TRIGGER "policies_notify_cache" AFTER INSERT OR UPDATE OR DELETE ON "policies"
  FOR EACH ROW EXECUTE FUNCTION "leash_notify_cache"('policy');
