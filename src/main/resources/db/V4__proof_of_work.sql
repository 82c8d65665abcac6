-- The proof of work a join of the sale's waiting room costs (ALTCHA's maxnumber, 0 for none), restored with the
-- other waiting room settings. Null for a sale without a waiting room and for one opened before this version (a
-- restore then asks for none). Idempotent, as V1.

ALTER TABLE ticket_sale ADD COLUMN IF NOT EXISTS queue_proof_of_work bigint;
