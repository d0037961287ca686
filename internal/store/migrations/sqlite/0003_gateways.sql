-- Real gateways: provider webhooks, delivery receipts, reconciliation.

-- A provider's webhook request as the web tier received it, sealed to the
-- sender (it holds phone numbers); the sender checks the provider's
-- signature and acts on it, then deletes it.
CREATE TABLE hook_requests (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	provider    TEXT NOT NULL,
	sealed      BLOB NOT NULL,
	received_at INTEGER NOT NULL
);

-- Delivery receipts on ledger rows.
ALTER TABLE deliveries ADD COLUMN receipt TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN receipt_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX deliveries_provider_id ON deliveries (provider_id);

-- Every message the sender handed to a provider (alerts and one-to-one
-- texts), by the provider's id only: reconciliation compares the provider's
-- own list with it. No number, no text.
CREATE TABLE sent_messages (
	provider    TEXT NOT NULL,
	provider_id TEXT NOT NULL,
	at          INTEGER NOT NULL,
	PRIMARY KEY (provider, provider_id)
);
CREATE INDEX sent_messages_at ON sent_messages (at);
