-- Only rows a provider took have a provider id: the index of receipts'
-- look-ups holds those, and writing a ledger (every row without one)
-- touches it no more.
DROP INDEX deliveries_provider_id;
CREATE INDEX deliveries_provider_id ON deliveries (provider_id) WHERE provider_id <> '';
