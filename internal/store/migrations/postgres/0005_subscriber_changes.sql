-- The sender's in-memory recipient index asks which subscribers changed
-- since it was built.
CREATE INDEX subscribers_updated ON subscribers (updated_at);
