-- CreateTable
CREATE TABLE "deployment_settings" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_by_id" UUID,

    CONSTRAINT "deployment_settings_pkey" PRIMARY KEY ("key")
);
