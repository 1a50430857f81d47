-- CreateTable
CREATE TABLE "used_client_assertions" (
    "id" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "used_client_assertions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "used_client_assertions_expires_at_idx" ON "used_client_assertions"("expires_at");
