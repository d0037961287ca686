-- Delivery receipts by provider id, kept even when they arrive before the
-- sender has recorded which ledger row the provider id belongs to (a fast
-- gateway reports delivery before the batch is finished).
CREATE TABLE receipts (
	provider_id TEXT PRIMARY KEY,
	status      TEXT NOT NULL,
	at          INTEGER NOT NULL
);
