-- Codes texted to a block of numbers (a number without its last four
-- digits, by the sender's keyed hash), sent or refused over the block's
-- limit: SMS pumping cycles through a range. Purged with code_sends.
CREATE TABLE code_blocks (
	block_hash BLOB NOT NULL,
	at         INTEGER NOT NULL,
	refused    INTEGER NOT NULL
);
CREATE INDEX code_blocks_hash ON code_blocks (block_hash, at);
