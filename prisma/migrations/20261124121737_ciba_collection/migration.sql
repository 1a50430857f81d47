-- AlterTable
ALTER TABLE "approval_requests" ADD COLUMN     "collected_at" TIMESTAMPTZ(3),
ADD COLUMN     "window_seconds" INTEGER NOT NULL DEFAULT 600;

-- The Approvals inbox is live like Tokens (DECISIONS 8): every new or decided elevation request is
-- announced on `leash_live` (the row has user_id and agent_id, as the shared function expects).
CREATE TRIGGER "approval_requests_notify_live"
  AFTER INSERT OR UPDATE OF "status" ON "approval_requests"
  FOR EACH ROW EXECUTE FUNCTION "leash_notify_live"('approvals');
