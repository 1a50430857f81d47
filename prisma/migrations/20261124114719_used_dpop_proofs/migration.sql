-- CreateTable
CREATE TABLE "used_dpop_proofs" (
    "id" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "used_dpop_proofs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "used_dpop_proofs_expires_at_idx" ON "used_dpop_proofs"("expires_at");
