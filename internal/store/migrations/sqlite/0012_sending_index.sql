-- The rows a sender has claimed and not finished: few at any time, found
-- without reading the ledger (releasing a dead sender's claims ran over
-- every row of every ledger, 250-300 ms at 2,000,000 rows).
CREATE INDEX deliveries_sending ON deliveries (claimed_at, claimed_by) WHERE status = 'sending';
