-- AlterTable
ALTER TABLE "tokens" ADD COLUMN     "parent_token_id" UUID;

-- CreateIndex
CREATE INDEX "tokens_parent_token_id_idx" ON "tokens"("parent_token_id");

-- AddForeignKey
ALTER TABLE "tokens" ADD CONSTRAINT "tokens_parent_token_id_fkey" FOREIGN KEY ("parent_token_id") REFERENCES "tokens"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A narrowed token (RFC 8693 exchange of an agent's own token, lib/oauth/narrow-own-token.ts)
-- dies with the token it was narrowed from. Whatever revokes a token (RFC 7009, the dashboard's
-- revoke, the kill switch, a refresh family, a replayed code, a deleted client, a policy), its
-- children are revoked by this trigger in the same transaction, and theirs in turn (the UPDATE
-- below fires it again for each child). A database rule rather than a step in each revoking
-- function, so no revocation path can forget it. The cache and live triggers fire for each child
-- too, so every instance drops them and the Tokens screen updates. Written by hand: Prisma's
-- schema language has no triggers.
CREATE FUNCTION "leash_revoke_child_tokens"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "tokens"
     SET "revoked_at" = NEW."revoked_at",
         "revoked_reason" = CASE
           WHEN NEW."revoked_reason" LIKE 'parent token revoked:%' THEN NEW."revoked_reason"
           ELSE 'parent token revoked: ' || coalesce(NEW."revoked_reason", 'no reason given')
         END
   WHERE "parent_token_id" = NEW."id" AND "revoked_at" IS NULL;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "tokens_revoke_children" AFTER UPDATE OF "revoked_at" ON "tokens"
  FOR EACH ROW WHEN (OLD."revoked_at" IS NULL AND NEW."revoked_at" IS NOT NULL)
  EXECUTE FUNCTION "leash_revoke_child_tokens"();
