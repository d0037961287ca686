-- Security events as one model: a severity, and, for events caused by a
-- request to bait (a canary key, a decoy URL, a canary account), the
-- request's network details: the attacker's address, user agent and
-- headers. Nothing else in tocsin keeps an address. They are dropped after
-- their own retention (tocsin sender --event-network-days), apart from user
-- data. notified_at: when operators were told over the alarm channel.
ALTER TABLE security_events ADD COLUMN severity TEXT NOT NULL DEFAULT 'warning';
ALTER TABLE security_events ADD COLUMN source_addr TEXT NOT NULL DEFAULT '';
ALTER TABLE security_events ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE security_events ADD COLUMN headers TEXT NOT NULL DEFAULT '';
ALTER TABLE security_events ADD COLUMN notified_at BIGINT NOT NULL DEFAULT 0;

-- The number an inbound text was sent to (one of ours), sealed like the
-- sender's: a canary subscriber is one of our own numbers, and only the
-- sender, which opens it, can tell.
ALTER TABLE inbound ADD COLUMN to_sealed BYTEA;
