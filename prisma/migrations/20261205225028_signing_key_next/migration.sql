-- AlterEnum
ALTER TYPE "SigningKeyStatus" ADD VALUE 'NEXT';

-- AlterTable
ALTER TABLE "signing_keys" ADD COLUMN     "activate_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "tokens" ADD COLUMN     "signing_key_id" TEXT;

-- CreateIndex
CREATE INDEX "tokens_signing_key_id_expires_at_idx" ON "tokens"("signing_key_id", "expires_at");

-- AddForeignKey
ALTER TABLE "tokens" ADD CONSTRAINT "tokens_signing_key_id_fkey" FOREIGN KEY ("signing_key_id") REFERENCES "signing_keys"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
