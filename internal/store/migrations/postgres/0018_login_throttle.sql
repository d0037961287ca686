-- Second-factor failures are counted apart from password failures: only
-- someone who knows the password can cause them, so they alone may close
-- the code step (account-wide back-off). Password failures (failures,
-- last_failure) now count failures from any source within the last hour
-- and never close the account: they switch it to asking for the password
-- and the code together. Nothing here holds a network address.
ALTER TABLE operators ADD COLUMN code_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operators ADD COLUMN last_code_failure BIGINT NOT NULL DEFAULT 0;
