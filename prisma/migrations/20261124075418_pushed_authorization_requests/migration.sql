-- AlterTable
ALTER TABLE "authorization_requests" ADD COLUMN     "request_uri_expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "request_uri_hash" TEXT,
ADD COLUMN     "request_uri_used_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE UNIQUE INDEX "authorization_requests_request_uri_hash_key" ON "authorization_requests"("request_uri_hash");
