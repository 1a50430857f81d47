-- AlterTable
ALTER TABLE "agents" ADD COLUMN     "registration_access_token_hash" TEXT;
