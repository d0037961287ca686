-- The public transparency log (package tlog): entries in order, each with
-- its RFC 6962 leaf hash, and the checkpoints the sender signed.
CREATE TABLE log_leaves (
	idx   BIGINT PRIMARY KEY,
	hash  BYTEA NOT NULL,
	entry BYTEA NOT NULL
);
CREATE TABLE log_checkpoints (
	size   BIGINT PRIMARY KEY,
	signed BYTEA NOT NULL
);
CREATE INDEX log_leaves_hash ON log_leaves (hash);
