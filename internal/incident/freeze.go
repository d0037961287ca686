package incident

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// freezeStep is one freeze or unfreeze, from the audit trail (an operator or
// the sender asked) or from the events (the sender applied it).
type freezeStep struct {
	at     time.Time
	freeze bool
	by     string
}

// lastSegment is the part of a dotted name after its last dot.
func lastSegment(s string) string { return s[strings.LastIndexByte(s, '.')+1:] }

// freezes returns the incident's freezes and unfreezes in time order:
// audit actions and event kinds whose last dotted part is "freeze" or
// "unfreeze" ("freeze.freeze", "freeze.unfreeze", the sender's "freeze").
func freezes(inc *Incident) []freezeStep {
	var steps []freezeStep
	add := func(at time.Time, name, by string) {
		switch lastSegment(name) {
		case "freeze":
			steps = append(steps, freezeStep{at, true, by})
		case "unfreeze":
			steps = append(steps, freezeStep{at, false, by})
		}
	}
	for _, a := range inc.Audit {
		add(a.At, a.Action, a.Actor)
	}
	for _, e := range inc.Events {
		add(e.At, e.Kind, "the sender")
	}
	slices.SortStableFunc(steps, func(x, y freezeStep) int { return x.at.Compare(y.at) })
	return steps
}

// freezeSummary says whether outbound messaging was frozen, when and by
// whom, and whether it is frozen at the end of the record.
func freezeSummary(steps []freezeStep) string {
	if len(steps) == 0 {
		return "no freeze in the audit trail or the events: it was not frozen"
	}
	var parts []string
	for _, s := range steps {
		verb := "unfrozen"
		if s.freeze {
			verb = "**frozen**"
		}
		parts = append(parts, fmt.Sprintf("%s %s by %s", verb, utc(s.at), mdText(cmp.Or(s.by, "unknown"))))
	}
	end := "frozen at the end of the record"
	if !steps[len(steps)-1].freeze {
		end = "not frozen at the end of the record"
	}
	return strings.Join(parts, "; ") + " — " + end
}

// frozenAtEnd reports whether the last step was a freeze.
func frozenAtEnd(steps []freezeStep) bool { return len(steps) > 0 && steps[len(steps)-1].freeze }
