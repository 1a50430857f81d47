-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "grant_detail" INTEGER,
ADD COLUMN     "grant_id" UUID;

-- CreateIndex
CREATE UNIQUE INDEX "payments_grant_id_grant_detail_key" ON "payments"("grant_id", "grant_detail");
