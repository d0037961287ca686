package inbound

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/keyword"
	"github.com/tocsin/tocsin/internal/sender/outbox"
	"github.com/tocsin/tocsin/internal/sender/subscriber"
	"github.com/tocsin/tocsin/internal/store"
)

// Inbound answers every queued inbound text, each in one transaction:
// the change it asks for, its one reply and its deletion happen together.
func (s *Service) Inbound(ctx context.Context) error {
	msgs, err := s.store.ListInbound(ctx, 100)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		err := s.store.InTx(ctx, func(q store.Querier) error { return s.handleOne(ctx, q, m) })
		if err != nil {
			return fmt.Errorf("inbound %d: %w", m.ID, err)
		}
	}
	if len(msgs) > 0 {
		s.guard.Frozen(ctx) // apply at once a freeze a canary's text ordered
	}
	return nil
}

// inboundCtx is what handling one text needs.
type inboundCtx struct {
	q    Querier
	msg  tocsin.Inbound
	hash []byte
	sub  *tocsin.Subscriber // nil for a number we do not know
	// optedOut: the number sent STOP (subscribed or not) and has not opted
	// back in. Nothing but the STOP confirmation goes to it.
	optedOut bool
	lang     tocsin.Language
	now      time.Time
	// refused: why the SMS policy refuses the number (nil: it does not).
	// Such a number gets no reply and cannot subscribe.
	refused error
}

func (s *Service) handleOne(ctx context.Context, q Querier, m tocsin.Inbound) error {
	from, err := s.cfg.Keys.Open(m.FromSealed)
	if err != nil {
		// Someone with database write access queued a text we cannot open.
		s.cfg.Log.Warn("inbound text with a sealed number that does not open; dropped", "id", m.ID)
		if err := s.events.Audit(ctx, q, "security.inbound_unsealable", fmt.Sprint(m.ID), "inbound text whose number does not open with the sender key"); err != nil {
			return err
		}
		return q.DeleteInbound(ctx, m.ID)
	}
	if len(m.ToSealed) > 0 {
		to, err := s.cfg.Keys.Open(m.ToSealed)
		if err == nil {
			c, err := s.canary.For(s.cfg.Keys.Hash(to))
			if err != nil {
				return err
			}
			if c != nil {
				return s.canary.Text(ctx, q, m, c)
			}
		}
	}
	in := &inboundCtx{q: q, msg: m, hash: s.cfg.Keys.Hash(from), now: s.cfg.Now(), refused: s.cfg.SMSPolicy.Check(from)}
	in.sub, err = q.GetSubscriberByHash(ctx, in.hash)
	if err != nil && tocsin.ErrorCode(err) != tocsin.ENOTFOUND {
		return err
	}
	if in.optedOut, err = subscriber.OptedOut(ctx, q, in.hash, in.sub); err != nil {
		return err
	}
	cmd := keyword.Parse(m.Body)
	in.lang = tocsin.English
	switch {
	case in.sub != nil:
		in.lang = in.sub.Lang
	case cmd.Lang == "es":
		in.lang = tocsin.Spanish
	}
	reply, err := s.dispatch(ctx, in, cmd)
	if err != nil {
		return err
	}
	if in.refused != nil {
		if err := s.refuseReply(ctx, q, m, in.refused); err != nil {
			return err
		}
		reply = ""
	}
	if reply != "" {
		if err := outbox.Queue(ctx, q, s.cfg.Keys, &tocsin.Outbound{Kind: tocsin.OutboundReply, ToSealed: m.FromSealed, Body: reply, CreatedAt: in.now}); err != nil {
			return err
		}
	}
	s.cfg.Log.Info("inbound text handled", "command", cmd.Kind.String(), "replied", reply != "")
	return q.DeleteInbound(ctx, m.ID)
}

// dispatch acts on one command and returns the reply ("" for none). A number
// that has opted out, subscribed or not, gets no reply except to START,
// JOIN and HELP, which are its own requests (START and JOIN opt it back
// in); its REPORT is filed all the same, without a reply. A number outside
// the SMS policy cannot JOIN or START; its STOP, LANG and REPORT take
// effect (handleOne drops the reply).
func (s *Service) dispatch(ctx context.Context, in *inboundCtx, cmd keyword.Command) (string, error) {
	if in.refused != nil && (cmd.Kind == keyword.Join || cmd.Kind == keyword.Start) {
		return "", nil // a subscription would text it every alert
	}
	switch cmd.Kind {
	case keyword.Stop:
		return s.stop(ctx, in)
	case keyword.Start:
		return s.start(ctx, in)
	case keyword.Join:
		return s.join(ctx, in, cmd)
	case keyword.Help:
		return s.help(in), nil
	}
	if in.optedOut {
		if cmd.Kind == keyword.Report {
			_, err := s.report(ctx, in, cmd)
			return "", err
		}
		return "", nil
	}
	switch cmd.Kind {
	case keyword.Lang:
		return s.setLang(ctx, in, cmd)
	case keyword.Report:
		return s.report(ctx, in, cmd)
	default:
		return s.help(in), nil
	}
}

// help is the HELP reply, which names where to get help (the site's
// address, as carriers ask of a HELP reply), or the service's name when no
// address is set.
func (s *Service) help(in *inboundCtx) string {
	site := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s.cfg.PublicURL, "https://"), "http://"), "/")
	if site == "" {
		site = s.cfg.Name
	}
	return s.reply(in, subscriber.RHelp, site)
}

func (s *Service) reply(in *inboundCtx, key string, args ...any) string {
	return subscriber.Reply(s.cfg.Name, in.lang, key, args...)
}

// stop records the opt-out by keyed hash, subscribed or not, so that no
// code, reply or alert goes to the number until it opts back in, and
// confirms it once.
func (s *Service) stop(ctx context.Context, in *inboundCtx) (string, error) {
	if err := in.q.SetOptOut(ctx, in.hash, in.now); err != nil {
		return "", err
	}
	if in.optedOut {
		return "", nil // already confirmed once
	}
	if in.sub != nil && in.sub.Active {
		in.sub.Active = false
		in.sub.UpdatedAt = in.now
		if err := in.q.SaveSubscriber(ctx, in.sub); err != nil {
			return "", err
		}
	}
	return s.reply(in, subscriber.RStopped), nil
}

// start opts the number back in, and turns its alerts on again if it had
// any.
func (s *Service) start(ctx context.Context, in *inboundCtx) (string, error) {
	if err := in.q.ClearOptOut(ctx, in.hash); err != nil {
		return "", err
	}
	if in.sub == nil || len(in.sub.Areas) == 0 {
		return s.reply(in, subscriber.RStartNoArea), nil
	}
	in.sub.Active = true
	in.sub.UpdatedAt = in.now
	if err := in.q.SaveSubscriber(ctx, in.sub); err != nil {
		return "", err
	}
	return s.reply(in, subscriber.RStarted), nil
}

func (s *Service) join(ctx context.Context, in *inboundCtx, cmd keyword.Command) (string, error) {
	switch cmd.Problem {
	case keyword.None:
	case keyword.TooManyZIPs:
		return s.reply(in, subscriber.RTooManyZIPs, tocsin.MaxZIPsPerSubscriber), nil
	case keyword.BadZIP:
		return s.reply(in, subscriber.RBadZIP), nil
	default:
		return s.reply(in, subscriber.RNoZIP), nil
	}
	areas, bad := subscriber.ZIPAreas(s.cfg.ZIPs, cmd.ZIPs)
	if bad != "" {
		return s.reply(in, subscriber.RUnknownZIP, bad), nil
	}
	sub := in.sub
	if sub == nil {
		sub = &tocsin.Subscriber{PhoneHash: in.hash, Sealed: in.msg.FromSealed, Lang: in.lang, CreatedAt: in.now}
	}
	sub.Areas = subscriber.MergeAreas(sub.Areas, areas)
	if len(sub.Areas) > tocsin.MaxZIPsPerSubscriber {
		return s.reply(in, subscriber.RTooManyZIPs, tocsin.MaxZIPsPerSubscriber), nil
	}
	if l, ok := tocsin.ParseLanguage(cmd.SetLang); ok { // "ALTA 90210 ESPAÑOL"
		sub.Lang, in.lang = l, l
	}
	sub.Active = true
	sub.UpdatedAt = in.now
	if err := in.q.SaveSubscriber(ctx, sub); err != nil {
		return "", err
	}
	if err := in.q.ClearOptOut(ctx, in.hash); err != nil { // JOIN opts back in
		return "", err
	}
	return s.reply(in, subscriber.RJoined, strings.Join(cmd.ZIPs, ", ")), nil
}

func (s *Service) setLang(ctx context.Context, in *inboundCtx, cmd keyword.Command) (string, error) {
	lang, ok := tocsin.ParseLanguage(cmd.SetLang)
	if cmd.Problem != keyword.None || !ok {
		return s.reply(in, subscriber.RNoLang), nil
	}
	in.lang = lang
	if in.sub != nil {
		in.sub.Lang = lang
		in.sub.UpdatedAt = in.now
		if err := in.q.SaveSubscriber(ctx, in.sub); err != nil {
			return "", err
		}
	}
	return s.reply(in, subscriber.RLang), nil
}

// report files a report from a text. Nothing about the sender of the text is
// kept with it.
func (s *Service) report(ctx context.Context, in *inboundCtx, cmd keyword.Command) (string, error) {
	if cmd.Problem != keyword.None || strings.TrimSpace(cmd.Text) == "" {
		return s.reply(in, subscriber.RReportHow), nil
	}
	zip := ""
	if len(cmd.ZIPs) > 0 {
		zip = cmd.ZIPs[0]
	} else if in.sub != nil && len(in.sub.Areas) > 0 {
		zip = in.sub.Areas[0].ZIP
	}
	p, ok := s.cfg.ZIPs.Lookup(zip)
	if !ok {
		return s.reply(in, subscriber.RReportHow), nil
	}
	input := tocsin.ReportInput{Category: tocsin.Category(cmd.Category), Description: cmd.Text, ZIP: zip, Source: tocsin.SourceSMS}
	if !input.Category.Valid() {
		input.Category = tocsin.CategoryOther
	}
	if err := input.Validate(in.now); err != nil {
		return s.reply(in, subscriber.RReportHow), nil
	}
	r := tocsin.NewReport(input, geo.SnapCell(p), in.now)
	if err := in.q.CreateReport(ctx, r); err != nil {
		return "", err
	}
	return s.reply(in, subscriber.RReported), nil
}

// refuseReply counts a text the sender does not answer because its number
// is outside the SMS policy.
func (s *Service) refuseReply(ctx context.Context, q Querier, m tocsin.Inbound, why error) error {
	s.cfg.Log.Info("no reply to a text from a number outside the SMS policy", "id", m.ID, "why", subscriber.Reason(why))
	return s.events.Audit(ctx, q, "inbound.reply_refused", fmt.Sprint(m.ID),
		fmt.Sprintf("no reply to a number the SMS policy refuses (%s); STOP, LANG and REPORT still apply, JOIN and START do not", subscriber.Reason(why)))
}
