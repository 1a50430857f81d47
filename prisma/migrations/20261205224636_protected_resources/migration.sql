-- CreateEnum
CREATE TYPE "ResourceTokenFormat" AS ENUM ('OPAQUE', 'JWT');

-- CreateTable
CREATE TABLE "protected_resources" (
    "id" UUID NOT NULL,
    "slug" TEXT,
    "identifier" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "scopes" JSONB NOT NULL DEFAULT '[]',
    "actions" JSONB NOT NULL DEFAULT '[]',
    "token_format" "ResourceTokenFormat" NOT NULL DEFAULT 'OPAQUE',
    "client_id" TEXT,
    "auth_method" TEXT,
    "client_secret_hash" TEXT,
    "jwks" JSONB,
    "built_in" BOOLEAN NOT NULL DEFAULT false,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "protected_resources_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "protected_resources_slug_key" ON "protected_resources"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "protected_resources_identifier_key" ON "protected_resources"("identifier");

-- CreateIndex
CREATE UNIQUE INDEX "protected_resources_client_id_key" ON "protected_resources"("client_id");

-- Every instance keeps the list of resources in memory (lib/protected-resources/registry.ts) and
-- drops it when any row changes, as the hot cache does for tokens (migration cache_invalidation).
CREATE FUNCTION "leash_notify_resources"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('leash_cache', 'resource:protected-resources');
  RETURN NULL;
END;
$$;
CREATE TRIGGER "protected_resources_notify_cache" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "protected_resources"
  FOR EACH STATEMENT EXECUTE FUNCTION "leash_notify_resources"();
