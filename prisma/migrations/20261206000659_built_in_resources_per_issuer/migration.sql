-- DropIndex
DROP INDEX "protected_resources_slug_key";
