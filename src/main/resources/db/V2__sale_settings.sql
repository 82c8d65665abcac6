-- A sale's settings, so that a sale Redis lost can be restored from here (POST /admin/events/{id}/restore).
-- Null for a sale whose orders never come here: such a sale cannot be restored. Idempotent, as V1.

ALTER TABLE ticket_sale ADD COLUMN IF NOT EXISTS tickets bigint;
ALTER TABLE ticket_sale ADD COLUMN IF NOT EXISTS hold_ms bigint;
