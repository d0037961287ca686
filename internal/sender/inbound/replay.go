package inbound

import (
	"context"
	"time"
)

// HookReplayWindow is how long the sender remembers the webhook requests it
// acted on, by a keyed hash of the provider's id (Twilio's MessageSid), to
// refuse the same signed request again. Twilio's own retries of a webhook
// come within minutes; a signature carries no time, so a captured request
// stays valid for ever, and the window bounds how old a replay must be to
// pass. A month of hashes (32 bytes each, of inbound texts only) costs
// little and tells nothing about anyone.
const HookReplayWindow = 30 * 24 * time.Hour

// hooksSeen is the coordinator's own memory of the hashes it recorded, so
// that a database writer deleting rows of hooks_seen does not reopen a
// replay while this process runs.
type hooksSeen map[string]time.Time

// hookReplayed records in q's transaction that the sender acts on the
// provider's request id, and reports whether it had acted on it before:
// then the request is a replay, to be refused. The caller remembers the
// returned hash once the transaction commits (remember).
func (s *Service) hookReplayed(ctx context.Context, q Querier, provider, id string) (bool, []byte, error) {
	hash := s.cfg.Keys.MAC("hook-seen", []byte(provider), []byte(id))
	if _, ok := s.seen[string(hash)]; ok {
		return true, nil, nil
	}
	fresh, err := q.MarkHookSeen(ctx, hash, s.cfg.Now())
	if err != nil || !fresh {
		return !fresh, nil, err
	}
	return false, hash, nil
}

// refuseReplay records the provider's request id ("" for none: nothing
// to tell a replay by) and, for one acted on before, raises
// webhook.replayed and reports it, to be dropped without a reply.
func (s *Service) refuseReplay(ctx context.Context, q Querier, provider, id string) (bool, []byte, error) {
	if id == "" {
		return false, nil, nil
	}
	replayed, hash, err := s.hookReplayed(ctx, q, provider, id)
	if err != nil || !replayed {
		return false, hash, err
	}
	return true, nil, s.events.Security(ctx, q, "webhook.replayed", provider,
		"an inbound text the sender already acted on (the same signed request again, or the provider retrying one it acted on): ignored, no reply")
}

// remember keeps a committed hash in memory.
func (s *Service) remember(hash []byte) {
	if hash != nil {
		s.seen[string(hash)] = s.cfg.Now()
	}
}

// Forget drops the hashes older than the replay window, in the
// database and in memory.
func (s *Service) Forget(ctx context.Context, now time.Time) error {
	before := now.Add(-HookReplayWindow)
	for h, at := range s.seen {
		if at.Before(before) {
			delete(s.seen, h)
		}
	}
	return s.store.PurgeHooksSeen(ctx, before)
}
