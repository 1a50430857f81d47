-- DropIndex
DROP INDEX "audit_events_chain_seq_key";

-- AlterTable
ALTER TABLE "audit_events" ADD COLUMN     "chain_id" INTEGER;

-- CreateTable
CREATE TABLE "audit_chains" (
    "id" SERIAL NOT NULL,
    "seq" BIGINT NOT NULL DEFAULT 0,
    "hash" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_chains_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_checkpoints" (
    "id" BIGSERIAL NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "heads" JSONB NOT NULL,
    "root" TEXT NOT NULL,
    "prev_hash" TEXT,
    "hash" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "audit_checkpoints_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "audit_checkpoints_hash_key" ON "audit_checkpoints"("hash");

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_chain_id_chain_seq_key" ON "audit_events"("chain_id", "chain_seq");

-- The legacy chain (records sealed after their insert, before this migration and by instances of
-- the previous version during a rolling upgrade): one place per record, as before.
CREATE UNIQUE INDEX "audit_events_legacy_chain_seq_key" ON "audit_events"("chain_seq") WHERE "chain_id" IS NULL;

-- Sixteen chains to start with; a writer that finds them all busy adds one (lib/audit/chain-append.ts).
INSERT INTO "audit_chains" ("seq") SELECT 0 FROM generate_series(1, 16);

-- The v2 link (lib/audit/chain-hash.ts linkHash), computed where the head is locked, so a record
-- is linked by the statement that inserts it: hash = "v2:" + hex SHA-256("leash-audit/v2\n" +
-- digest + "\n" + previous hash). Returns the hashes of `digests` chained one after the other.
CREATE OR REPLACE FUNCTION "leash_audit_links"(previous TEXT, digests TEXT[]) RETURNS TEXT[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  hashes TEXT[] := '{}';
  head TEXT := previous;
  digest TEXT;
BEGIN
  FOREACH digest IN ARRAY digests LOOP
    head := 'v2:' || encode(sha256(convert_to('leash-audit/v2' || E'\n' || digest || E'\n' || coalesce(head, ''), 'UTF8')), 'hex');
    hashes := hashes || head;
  END LOOP;
  RETURN hashes;
END;
$$;

-- Checkpoints are insert-only too.
CREATE OR REPLACE FUNCTION "audit_checkpoints_insert_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_checkpoints is insert-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "audit_checkpoints_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION "audit_checkpoints_insert_only"();
CREATE TRIGGER "audit_checkpoints_no_truncate" BEFORE TRUNCATE ON "audit_checkpoints"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_checkpoints_insert_only"();
