-- Incident notices become signed statements (package trust's notice
-- statement): composed as drafts, approved by the roster's notice threshold
-- of operator signatures, and published only by the sender, which appends
-- the statement to the transparency log. The web tier shows a notice only
-- if its statement is in the log, so a row written here by anyone else is
-- never shown. Notices published before this migration had no signature:
-- they become unsigned drafts, no longer shown.
ALTER TABLE notices ADD COLUMN state TEXT NOT NULL DEFAULT 'draft';
ALTER TABLE notices ADD COLUMN statement BYTEA;
ALTER TABLE notices ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE notices ADD COLUMN created_at BIGINT NOT NULL DEFAULT 0;
UPDATE notices SET created_by = published_by, created_at = published_at, published_by = '', published_at = 0;
CREATE INDEX notices_state ON notices (state, published_at);

-- Operators' signatures over notice statements, as approvals are over
-- alert statements (signed in another domain: see trust/FORMAT.md).
CREATE TABLE notice_approvals (
	notice_id TEXT NOT NULL REFERENCES notices (id),
	kind      TEXT NOT NULL,
	key_id    TEXT NOT NULL,
	digest    BYTEA NOT NULL,
	signature BYTEA NOT NULL,
	signed_at BIGINT NOT NULL,
	PRIMARY KEY (notice_id, key_id)
);
