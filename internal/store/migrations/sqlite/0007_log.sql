-- The public transparency log (package tlog): entries in order, each with
-- its RFC 6962 leaf hash, and the checkpoints the sender signed.
CREATE TABLE log_leaves (
	idx   INTEGER PRIMARY KEY,
	hash  BLOB NOT NULL,
	entry BLOB NOT NULL
);
CREATE TABLE log_checkpoints (
	size   INTEGER PRIMARY KEY,
	signed BLOB NOT NULL
);
CREATE INDEX log_leaves_hash ON log_leaves (hash);
