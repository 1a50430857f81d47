-- AlterTable
ALTER TABLE "alerts" ADD COLUMN     "delivery" TEXT;

-- CreateTable
CREATE TABLE "alert_settings" (
    "user_id" UUID NOT NULL,
    "thresholds" JSONB NOT NULL,
    "webhook_url" TEXT,
    "webhook_secret_sealed" TEXT,
    "auto_suspend" "AlertSeverity",
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_settings_pkey" PRIMARY KEY ("user_id")
);

-- AddForeignKey
ALTER TABLE "alert_settings" ADD CONSTRAINT "alert_settings_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Alerts reach the dashboard live, like tokens and approvals (lib/live/live-channel.ts).
CREATE TRIGGER "alerts_notify_live"
  AFTER INSERT OR UPDATE ON "alerts"
  FOR EACH ROW EXECUTE FUNCTION "leash_notify_live"('alerts');
