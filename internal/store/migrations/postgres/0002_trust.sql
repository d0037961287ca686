-- tocsin schema v2: what the sender verifies before it sends (signed alert
-- statements and their approvals, the signed operator roster chain, signed
-- freeze orders), the keyed MACs the sender puts on the rows it writes, and
-- the security events it raises. The store checks no signature and no MAC:
-- only the sender's verification counts.

-- The canonical statement of exactly what an alert sends (package trust);
-- operators sign its digest. NULL for alerts made before this migration.
ALTER TABLE alerts ADD COLUMN statement BYTEA;

-- The sender's keyed MAC over each ledger row (alert, subscriber, order): a
-- row written by anyone else is not sent. NULL for rows made before.
ALTER TABLE deliveries ADD COLUMN mac BYTEA;

-- The sender's keyed MAC over each one-to-one text it queued itself.
ALTER TABLE outbound ADD COLUMN mac BYTEA;

-- Approvals: one operator key's signature over the digest of an alert's
-- statement. A second approval by the same key for the same alert replaces
-- the first.
CREATE TABLE approvals (
	alert_id  TEXT NOT NULL REFERENCES alerts (id),
	kind      TEXT NOT NULL,               -- "ed25519"; room for "webauthn"
	key_id    TEXT NOT NULL,
	digest    BYTEA NOT NULL,              -- SHA-256 of the statement, as the signer saw it
	signature BYTEA NOT NULL,
	signed_at BIGINT NOT NULL,             -- unix seconds; informational
	PRIMARY KEY (alert_id, key_id)
);

-- Roster versions: the canonical body of each version of the signed roster
-- of operator keys, 1, 2, 3, … Never changed once written.
CREATE TABLE roster_versions (
	version BIGINT PRIMARY KEY,
	body    BYTEA NOT NULL
);

-- Signatures gathered for each roster version, one per signing key.
CREATE TABLE roster_sigs (
	version   BIGINT NOT NULL REFERENCES roster_versions (version),
	key_id    TEXT NOT NULL,
	signature BYTEA NOT NULL,
	PRIMARY KEY (version, key_id)
);

-- Freeze orders: the canonical body of each order that stops or resumes all
-- outbound messaging, by sequence number. Never changed once written.
CREATE TABLE freeze_orders (
	seq  BIGINT PRIMARY KEY,
	body BYTEA NOT NULL
);

-- Signatures gathered for each freeze order, one per signing key.
CREATE TABLE freeze_sigs (
	seq       BIGINT NOT NULL REFERENCES freeze_orders (seq),
	key_id    TEXT NOT NULL,
	signature BYTEA NOT NULL,
	PRIMARY KEY (seq, key_id)
);

-- Security events: what the sender refused or detected, for operators to
-- see. Never a phone number.
CREATE TABLE security_events (
	id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- never reused
	at      BIGINT NOT NULL,                  -- unix seconds
	kind    TEXT NOT NULL,                    -- e.g. "alert.refused", "roster.rejected", "freeze"
	subject TEXT NOT NULL DEFAULT '',         -- alert id, roster version, …
	detail  TEXT NOT NULL DEFAULT ''          -- why, for a person
);
CREATE INDEX security_events_at ON security_events (at);
