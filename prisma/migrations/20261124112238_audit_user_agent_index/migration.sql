-- CreateIndex
CREATE INDEX "audit_events_user_id_agent_id_id_idx" ON "audit_events"("user_id", "agent_id", "id" DESC);
