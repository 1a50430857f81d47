-- CreateEnum
CREATE TYPE "AuthorizationRequestStatus" AS ENUM ('PENDING', 'APPROVED', 'DENIED');

-- AlterTable
ALTER TABLE "tokens" ADD COLUMN     "authorization_request_id" TEXT;

-- CreateTable
CREATE TABLE "authorization_requests" (
    "id" TEXT NOT NULL,
    "agent_id" UUID NOT NULL,
    "user_id" UUID,
    "status" "AuthorizationRequestStatus" NOT NULL DEFAULT 'PENDING',
    "redirect_uri" TEXT NOT NULL,
    "redirect_uri_sent" BOOLEAN NOT NULL,
    "scopes" TEXT[],
    "resources" TEXT[],
    "state" TEXT,
    "code_challenge" TEXT NOT NULL,
    "authorization_details" JSONB,
    "prompt" TEXT,
    "max_age" INTEGER,
    "acr_values" TEXT[],
    "consent_token_hash" TEXT NOT NULL,
    "code_hash" TEXT,
    "code_expires_at" TIMESTAMPTZ(3),
    "code_used_at" TIMESTAMPTZ(3),
    "grant_id" UUID,
    "session_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "decided_at" TIMESTAMPTZ(3),

    CONSTRAINT "authorization_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "authorization_requests_code_hash_key" ON "authorization_requests"("code_hash");

-- CreateIndex
CREATE INDEX "authorization_requests_expires_at_idx" ON "authorization_requests"("expires_at");

-- CreateIndex
CREATE INDEX "tokens_authorization_request_id_idx" ON "tokens"("authorization_request_id");

-- AddForeignKey
ALTER TABLE "authorization_requests" ADD CONSTRAINT "authorization_requests_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
