-- tocsin schema v1. No column holds a phone number in the clear, an IP
-- address, a user agent or anything else that identifies a reporter.

CREATE TABLE reports (
	id          TEXT PRIMARY KEY,
	category    TEXT NOT NULL,
	description TEXT NOT NULL,
	place_text  TEXT NOT NULL DEFAULT '',
	zip         TEXT NOT NULL DEFAULT '',
	cell        INTEGER NOT NULL,          -- S2 cell at the coarse report level, as int64 bits
	observed_at INTEGER NOT NULL,          -- unix seconds
	received_at INTEGER NOT NULL,          -- unix seconds, rounded down to the minute
	expires_at  INTEGER NOT NULL,
	state       TEXT NOT NULL,
	source      TEXT NOT NULL,
	photo       BLOB
);
CREATE INDEX reports_received ON reports (received_at);
CREATE INDEX reports_state ON reports (state, expires_at);

CREATE TABLE subscribers (
	id         INTEGER PRIMARY KEY,
	phone_hash BLOB NOT NULL UNIQUE,       -- HMAC with a key only the sender holds
	sealed     BLOB NOT NULL,              -- sealed box to the sender's key
	lang       TEXT NOT NULL,
	active     INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

CREATE TABLE subscriber_areas (
	subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	zip           TEXT NOT NULL DEFAULT '',
	cell          INTEGER NOT NULL,        -- S2 leaf cell, as int64 bits
	radius_m      REAL NOT NULL,
	active        INTEGER NOT NULL         -- copy of subscribers.active, so look-ups need no join
);
-- Covering indexes: recipient look-ups read the index only.
CREATE INDEX subscriber_areas_cell ON subscriber_areas (active, cell, radius_m, zip, subscriber_id);
CREATE INDEX subscriber_areas_zip ON subscriber_areas (active, zip, cell, radius_m, subscriber_id);
CREATE INDEX subscriber_areas_sub ON subscriber_areas (subscriber_id);

CREATE TABLE signups (
	id         TEXT PRIMARY KEY,
	sealed     BLOB NOT NULL,
	code_hash  BLOB NOT NULL,
	lang       TEXT NOT NULL,
	area       TEXT NOT NULL,              -- JSON
	state      TEXT NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX signups_state ON signups (state, created_at);

CREATE TABLE code_sends (
	phone_hash BLOB NOT NULL,
	at         INTEGER NOT NULL
);
CREATE INDEX code_sends_hash ON code_sends (phone_hash, at);

CREATE TABLE inbound (
	id          INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: ids key idempotency
	provider    TEXT NOT NULL,
	from_sealed BLOB NOT NULL,
	body        TEXT NOT NULL,
	received_at INTEGER NOT NULL
);

CREATE TABLE outbound (
	id         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: ids key idempotency
	kind       TEXT NOT NULL,
	to_sealed  BLOB NOT NULL,
	body       TEXT NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE alerts (
	id          TEXT PRIMARY KEY,
	ref         TEXT NOT NULL UNIQUE,
	state       TEXT NOT NULL,
	confirmed   INTEGER NOT NULL,
	all_clear   INTEGER NOT NULL,
	body_en     TEXT NOT NULL,
	body_es     TEXT NOT NULL,
	area        TEXT NOT NULL,             -- JSON
	report_ids  TEXT NOT NULL,             -- JSON
	created_by  TEXT NOT NULL,
	approved_by TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	approved_at INTEGER NOT NULL DEFAULT 0,
	valid_until INTEGER NOT NULL,
	recipients  INTEGER NOT NULL DEFAULT 0,
	sent        INTEGER NOT NULL DEFAULT 0,
	failed      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX alerts_state ON alerts (state, created_at);

CREATE TABLE deliveries (
	alert_id      TEXT NOT NULL REFERENCES alerts (id),
	subscriber_id INTEGER NOT NULL,
	seq           INTEGER NOT NULL,
	status        TEXT NOT NULL,
	attempts      INTEGER NOT NULL DEFAULT 0,
	provider_id   TEXT NOT NULL DEFAULT '',
	error         TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (alert_id, subscriber_id)
);
CREATE INDEX deliveries_work ON deliveries (alert_id, status, seq);

CREATE TABLE operators (
	id             INTEGER PRIMARY KEY,
	username       TEXT NOT NULL UNIQUE,
	role           TEXT NOT NULL,
	password_hash  TEXT NOT NULL DEFAULT '',
	totp_secret    TEXT NOT NULL DEFAULT '',
	totp_last_step INTEGER NOT NULL DEFAULT 0,
	failures       INTEGER NOT NULL DEFAULT 0,
	last_failure   INTEGER NOT NULL DEFAULT 0,
	enrolled       INTEGER NOT NULL DEFAULT 0,
	created_at     INTEGER NOT NULL
);

CREATE TABLE enrolments (
	token_hash  BLOB PRIMARY KEY,
	operator_id INTEGER NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
	totp_secret TEXT NOT NULL DEFAULT '',
	expires_at  INTEGER NOT NULL
);

CREATE TABLE sessions (
	token_hash  BLOB PRIMARY KEY,
	operator_id INTEGER NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
	mfa         INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL
);

CREATE TABLE audit (
	id      INTEGER PRIMARY KEY,
	at      INTEGER NOT NULL,
	actor   TEXT NOT NULL,
	action  TEXT NOT NULL,
	subject TEXT NOT NULL DEFAULT '',
	detail  TEXT NOT NULL DEFAULT ''
);
