-- CreateTable
CREATE TABLE "used_scanning_signatures" (
    "id" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "used_scanning_signatures_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "used_scanning_signatures_expires_at_idx" ON "used_scanning_signatures"("expires_at");
