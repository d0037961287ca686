-- The audit trail as a hash chain (package audit): each entry's hash covers
-- its content and the hash of the entry before it.
ALTER TABLE audit ADD COLUMN prev_hash BYTEA NOT NULL DEFAULT ''::bytea;
ALTER TABLE audit ADD COLUMN hash BYTEA NOT NULL DEFAULT ''::bytea;
