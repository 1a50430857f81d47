-- AlterTable
ALTER TABLE "audit_events" ADD COLUMN     "chain_seq" BIGINT,
ALTER COLUMN "hash" DROP NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_chain_seq_key" ON "audit_events"("chain_seq");

-- Rows sealed before this migration keep their hashes (which never covered chain_seq); their
-- place in the chain is their id order, as before.
ALTER TABLE "audit_events" DISABLE TRIGGER "audit_events_no_update_delete";
UPDATE "audit_events" AS e SET "chain_seq" = o.seq
  FROM (SELECT "id", row_number() OVER (ORDER BY "id") AS seq FROM "audit_events" WHERE "hash" IS NOT NULL) AS o
 WHERE e."id" = o."id";
ALTER TABLE "audit_events" ENABLE TRIGGER "audit_events_no_update_delete";

-- The one change the log allows: sealing an unsealed row (chain_seq, prev_hash and hash from
-- null to values), with every other column untouched. Everything else stays refused.
CREATE OR REPLACE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND OLD."hash" IS NULL AND OLD."chain_seq" IS NULL
     AND NEW."hash" IS NOT NULL AND NEW."chain_seq" IS NOT NULL
     AND (to_jsonb(NEW) - 'hash' - 'prev_hash' - 'chain_seq') = (to_jsonb(OLD) - 'hash' - 'prev_hash' - 'chain_seq') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
