-- AlterTable
ALTER TABLE "policies" ADD COLUMN     "hand_written" BOOLEAN NOT NULL DEFAULT false;
