-- A sale's waiting room settings, so that a sale Redis lost comes back from here with its waiting room (POST
-- /admin/events/{id}/restore) and still sells only to admitted buyers. Null for a sale without a waiting room, and
-- for one opened before this version. Idempotent, as V1.

ALTER TABLE ticket_sale ADD COLUMN IF NOT EXISTS queue_opens_at bigint;
ALTER TABLE ticket_sale ADD COLUMN IF NOT EXISTS queue_admit_per_second bigint;
ALTER TABLE ticket_sale ADD COLUMN IF NOT EXISTS queue_window_ms bigint;
ALTER TABLE ticket_sale ADD COLUMN IF NOT EXISTS queue_overbook double precision;
