-- The ledger keyed by its order, (alert_id, seq), not by subscriber: rows
-- are written nearest first, so a key on the subscriber id took a random
-- page for every row (a 1,000,000-row ledger took twice as long). A
-- subscriber is in an alert's ledger once by construction, and each row's
-- MAC binds its subscriber and its place, so no forged row can go out.
CREATE TABLE deliveries_new (
	alert_id      TEXT NOT NULL REFERENCES alerts (id),
	subscriber_id INTEGER NOT NULL,
	seq           INTEGER NOT NULL,
	status        TEXT NOT NULL,
	attempts      INTEGER NOT NULL DEFAULT 0,
	provider_id   TEXT NOT NULL DEFAULT '',
	error         TEXT NOT NULL DEFAULT '',
	mac           BLOB,
	receipt       TEXT NOT NULL DEFAULT '',
	receipt_at    INTEGER NOT NULL DEFAULT 0,
	claimed_by    TEXT NOT NULL DEFAULT '',
	claimed_at    BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (alert_id, seq)
);
INSERT INTO deliveries_new (alert_id, subscriber_id, seq, status, attempts, provider_id, error, mac, receipt, receipt_at, claimed_by, claimed_at)
	SELECT alert_id, subscriber_id, seq, status, attempts, provider_id, error, mac, receipt, receipt_at, claimed_by, claimed_at FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX deliveries_work ON deliveries (alert_id, status, seq);
CREATE INDEX deliveries_provider_id ON deliveries (provider_id);
CREATE INDEX deliveries_sending ON deliveries (claimed_at, claimed_by) WHERE status = 'sending';
