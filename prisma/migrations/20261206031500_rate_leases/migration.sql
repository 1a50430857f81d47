-- Rate limits that hold across instances (issue 16 §4, lib/resource/agent-rate-limit.ts): an
-- instance leases a share of a key's window from PostgreSQL and counts it down in memory. The
-- lease is atomic and never grants past the limit, so every instance together admits at most
-- `lim` calls per window. Returns what was granted (0: the window is used up) and the window's
-- total granted so far. Rows live in `rate_limits` (key prefixed `lease:`); `expire` is the
-- window's end (ms since the epoch), and rows past it are swept by the limiter.
CREATE OR REPLACE FUNCTION "leash_rate_lease"(lease_key TEXT, wanted INT, lim INT, expire_ms BIGINT, OUT granted INT, OUT total INT) LANGUAGE plpgsql AS $$
DECLARE
  used INT;
BEGIN
  INSERT INTO "rate_limits" ("key", "points", "expire") VALUES (lease_key, 0, expire_ms) ON CONFLICT ("key") DO NOTHING;
  SELECT "points" INTO used FROM "rate_limits" WHERE "key" = lease_key FOR UPDATE;
  granted := GREATEST(0, LEAST(wanted, lim - used));
  total := used + granted;
  IF granted > 0 THEN
    UPDATE "rate_limits" SET "points" = total WHERE "key" = lease_key;
  END IF;
END;
$$;
