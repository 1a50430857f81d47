-- AlterTable
ALTER TABLE "reports" ALTER COLUMN "agent_id" DROP NOT NULL;
