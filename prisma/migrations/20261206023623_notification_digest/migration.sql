-- AlterTable
ALTER TABLE "notification_settings" ADD COLUMN     "digest_due_at" TIMESTAMPTZ(3),
ADD COLUMN     "digest_sent_for" DATE;

-- CreateIndex
CREATE INDEX "notification_settings_digest_due_at_idx" ON "notification_settings"("digest_due_at");
