-- Abuse limits shared by every web replica: token buckets, the count of
-- requests over a limit, and the proof-of-work challenges already spent.
-- A bucket's key names a kind and a scope (global, an S2 cell, a keyed
-- hash of a number's prefix, an API key id): never a person or an address.
CREATE TABLE rate_buckets (
    key        TEXT PRIMARY KEY,
    tokens     REAL NOT NULL,
    updated_ms BIGINT NOT NULL
);
CREATE INDEX rate_buckets_updated ON rate_buckets (updated_ms);

CREATE TABLE rate_refusals (
    kind TEXT NOT NULL,
    hour BIGINT NOT NULL,
    n    BIGINT NOT NULL,
    PRIMARY KEY (kind, hour)
);

CREATE TABLE pow_spent (
    id         TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX pow_spent_expires ON pow_spent (expires_at);
