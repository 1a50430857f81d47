-- AlterTable
ALTER TABLE "authorization_requests" ADD COLUMN     "device_code_hash" TEXT,
ADD COLUMN     "last_polled_at" TIMESTAMPTZ(3),
ADD COLUMN     "poll_interval_seconds" INTEGER,
ADD COLUMN     "user_code" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "authorization_requests_device_code_hash_key" ON "authorization_requests"("device_code_hash");

-- CreateIndex
CREATE UNIQUE INDEX "authorization_requests_user_code_key" ON "authorization_requests"("user_code");
