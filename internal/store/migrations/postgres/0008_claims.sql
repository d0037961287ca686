-- Who claimed a ledger row and when: a sender that starts again releases
-- only its own rows, and rows of a sender that died are released once their
-- claim is older than a lease, so that several senders can share a ledger.
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN claimed_at BIGINT NOT NULL DEFAULT 0;
