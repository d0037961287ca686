-- Providers' webhook requests the sender acted on, by a keyed hash of the
-- provider's id (Twilio's MessageSid): a replayed request is refused. Kept
-- for the replay window, then purged.
CREATE TABLE hooks_seen (
	hash    BLOB PRIMARY KEY,
	seen_at INTEGER NOT NULL
);
CREATE INDEX hooks_seen_at ON hooks_seen (seen_at);
