-- AlterTable
ALTER TABLE "agents" ADD COLUMN     "metadata_expires_at" TIMESTAMPTZ(3);
