-- The ledger keyed by its order, (alert_id, seq), not by subscriber: rows
-- are written nearest first, so a key on the subscriber id took a random
-- page for every row (a 1,000,000-row ledger took twice as long). A
-- subscriber is in an alert's ledger once by construction, and each row's
-- MAC binds its subscriber and its place, so no forged row can go out.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_pkey;
ALTER TABLE deliveries ADD PRIMARY KEY (alert_id, seq);
