-- API keys for partner integrations (read the report queue), and canary
-- keys of the same format that answer with phony data and raise an event.
-- Only a key's SHA-256 is kept; id is its public prefix, shown in lists.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    hash         BYTEA NOT NULL UNIQUE,
    scope        TEXT NOT NULL,
    canary       BOOLEAN NOT NULL DEFAULT false,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL DEFAULT 0,
    revoked_at   BIGINT NOT NULL DEFAULT 0
);

-- Canary operator accounts: they never log in; any attempt is an event.
ALTER TABLE operators ADD COLUMN canary BOOLEAN NOT NULL DEFAULT false;

-- Public incident notices, published by an administrator.
CREATE TABLE notices (
    id           TEXT PRIMARY KEY,
    title_en     TEXT NOT NULL,
    title_es     TEXT NOT NULL DEFAULT '',
    body_en      TEXT NOT NULL,
    body_es      TEXT NOT NULL DEFAULT '',
    published_by TEXT NOT NULL,
    published_at BIGINT NOT NULL
);
CREATE INDEX notices_at ON notices (published_at);
