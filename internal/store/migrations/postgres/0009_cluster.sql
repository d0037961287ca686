-- Several sender processes on one database.
--
-- leases: a named lease held by one process until it expires, renewed while
-- the holder lives: the periodic work of the cluster (inbound texts,
-- reconciliation, retention) runs in the process holding "coordinator", the
-- starting of alerts and the log in the one holding "primary", and every
-- live sender holds "member/<id>" so that senders share the provider's pace.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- alert_starts: the primary sender's record, in the ledger's transaction,
-- that it verified an alert's statement and started it; mac is the sender's
-- MAC over the alert id, the statement's digest and the time, so that a
-- worker sender can check that an alert it did not start was started by a
-- sender, and a database writer can neither forge one nor replay an alert
-- whose record is still there.
CREATE TABLE alert_starts (
    alert_id   TEXT PRIMARY KEY,
    digest     BYTEA NOT NULL,
    started_at BIGINT NOT NULL,
    mac        BYTEA NOT NULL
);
CREATE INDEX alert_starts_at ON alert_starts (started_at);
