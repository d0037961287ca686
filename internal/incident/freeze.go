package incident

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// freezeStep is one freeze or unfreeze: who asked and when (an operator's
// audit entry), and when the sender applied it (its event). A step the
// sender took by itself (an auto-freeze, an order out of sequence) has no
// request; a request the sender has not applied has no applied time.
type freezeStep struct {
	at      time.Time // the request's time, or the sender's when it acted alone
	freeze  bool
	by      string
	applied time.Time // when the sender applied it; zero if it did not
	why     string
}

// lastSegment is the part of a dotted name after its last dot.
func lastSegment(s string) string { return s[strings.LastIndexByte(s, '.')+1:] }

// senderFreezes are the event kinds of freezes the sender applied without
// an order in sequence: what a database writer did to the orders, or a
// freeze of its own it could not record.
func senderFreezes() []string {
	return []string{"freeze.gap", "freeze.malformed", "freeze.rewritten", "freeze.unrecorded"}
}

// freezeKind says whether an audit action or event kind is a freeze or an
// unfreeze ("freeze.freeze", "freeze.unfreeze", the sender's "freeze" and
// "unfreeze", senderFreezes), and which.
func freezeKind(name string) (freeze, ok bool) {
	switch {
	case slices.Contains(senderFreezes(), name):
		return true, true
	case lastSegment(name) == "freeze":
		return true, true
	case lastSegment(name) == "unfreeze":
		return false, true
	}
	return false, false
}

// isMirror reports whether an audit action copies a security event into
// the trail ("security.freeze"): the event stands for it.
func isMirror(action string) bool { return strings.HasPrefix(action, "security.") }

// freezes returns the incident's freezes and unfreezes in time order, one
// step per action: an operator's request (audit "freeze.freeze" or
// "freeze.unfreeze") and the sender applying it (event "freeze" or
// "unfreeze", and its copy "security.freeze" in the trail) are one step.
func freezes(inc *Incident) []freezeStep {
	type mark struct {
		at            time.Time
		freeze, event bool
		by, why       string
	}
	var marks []mark
	for _, a := range inc.Audit {
		if f, ok := freezeKind(a.Action); ok && !isMirror(a.Action) {
			// The sender's own entries are its acts, not requests.
			bySender := a.Actor == "sender"
			marks = append(marks, mark{a.At, f, bySender, cmp.Or(a.Actor, "unknown"), a.Detail})
		}
	}
	// An order out of sequence that freezes raises its own event and a
	// "freeze": one step.
	odd := map[string]bool{}
	for _, e := range inc.Events {
		if e.Subject != "" && slices.Contains(senderFreezes(), e.Kind) {
			odd[e.Subject] = true
		}
	}
	for _, e := range inc.Events {
		if f, ok := freezeKind(e.Kind); ok && !(e.Kind == "freeze" && odd[e.Subject]) {
			marks = append(marks, mark{e.At, f, true, "sender", e.Detail})
		}
	}
	slices.SortStableFunc(marks, func(x, y mark) int { return x.at.Compare(y.at) })
	var steps []freezeStep
	pending := map[bool][]int{} // requests not applied yet, by kind
	for _, m := range marks {
		if !m.event {
			pending[m.freeze] = append(pending[m.freeze], len(steps))
			steps = append(steps, freezeStep{at: m.at, freeze: m.freeze, by: m.by, why: m.why})
			continue
		}
		if p := pending[m.freeze]; len(p) > 0 {
			steps[p[0]].applied = m.at
			pending[m.freeze] = p[1:]
			continue
		}
		steps = append(steps, freezeStep{at: m.at, freeze: m.freeze, by: m.by, applied: m.at, why: m.why})
	}
	slices.SortStableFunc(steps, func(x, y freezeStep) int { return cmp.Or(x.at.Compare(y.at), x.applied.Compare(y.applied)) })
	return steps
}

// line is the step as a line of the report: what, when, by whom, when the
// sender applied it, and why.
func (s freezeStep) line() string {
	verb := "unfrozen"
	if s.freeze {
		verb = "**frozen**"
	}
	by := mdText(s.by)
	if s.by == "sender" {
		by = "the sender"
	}
	l := fmt.Sprintf("%s %s by %s", verb, utc(s.at), by)
	switch {
	case s.by == "sender":
	case s.applied.IsZero():
		l += " (not applied by the sender in the record)"
	default:
		l += " (applied by the sender " + utc(s.applied) + ")"
	}
	if s.why != "" {
		l += " — " + mdText(excerptText(s.why, 160))
	}
	return l
}

// excerptText is the start of s, at most n characters.
func excerptText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// freezeSummary says whether outbound messaging is frozen at the end of the
// record, and lists every freeze and unfreeze on a line of its own.
func freezeSummary(steps []freezeStep) string {
	if len(steps) == 0 {
		return "no freeze in the audit trail or the events: it was not frozen."
	}
	end := "frozen at the end of the record"
	if !frozenAtEnd(steps) {
		end = "not frozen at the end of the record"
	}
	var b strings.Builder
	b.WriteString(end + ":")
	for _, s := range steps {
		b.WriteString("\n  - " + s.line())
	}
	return b.String()
}

// frozenAtEnd reports whether the last step was a freeze.
func frozenAtEnd(steps []freezeStep) bool { return len(steps) > 0 && steps[len(steps)-1].freeze }
