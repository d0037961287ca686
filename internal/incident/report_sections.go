package incident

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tocsin/tocsin/internal/inventory"
)

// responseKinds are the first or last dotted parts of the audit actions
// that are responses (freezes, keys, alerts such as corrections, notices,
// operators, the roster, sessions); log-ins and detections are not, and
// show in the timeline only.
func responseKinds() []string {
	return []string{"freeze", "unfreeze", "alert", "key", "keys", "credential", "credentials", "rotate", "revoke",
		"incident", "notice", "correction", "roster", "operator", "session", "sessions", "canary", "provider"}
}

func isResponse(action string) bool {
	if isMirror(action) {
		return false // the event, in the timeline, stands for it
	}
	first, _, _ := strings.Cut(action, ".")
	return slices.Contains(responseKinds(), first) || slices.Contains(responseKinds(), lastSegment(action))
}

func (r *reporter) responseActions() {
	r.f("## Response actions\n\n")
	n := 0
	for _, a := range sortedAudit(r.inc.Audit) {
		if !isResponse(a.Action) {
			continue
		}
		n++
		line := fmt.Sprintf("- %s — %s: %s", utc(a.At), mdText(a.Actor), mdText(a.Action))
		if a.Subject != "" {
			line += " " + mdText(a.Subject)
		}
		if a.Detail != "" {
			line += " — " + mdText(a.Detail)
		}
		r.f("%s\n", line)
	}
	if n == 0 {
		r.f("No response action is in the audit trail of the incident.\n")
	}
	r.f("\n")
}

func sortedAudit(entries []AuditEntry) []AuditEntry {
	out := slices.Clone(entries)
	slices.SortStableFunc(out, func(x, y AuditEntry) int { return x.At.Compare(y.At) })
	return out
}

func (r *reporter) exposure() {
	named := len(r.known)+len(r.unknown) > 0
	r.f("## What was exposed\n\n")
	if !named {
		r.f("Not assessed: no compromised component was named. Name them (%s) and build the report again.\n\n", strings.Join(inventory.Components(), ", "))
	} else {
		r.items(true, "Nothing in the inventory, given the components named.")
	}
	r.f("## What was not exposed\n\n")
	if !named {
		r.f("Not assessed.\n\n")
		return
	}
	r.items(false, "Everything in the inventory was exposed.")
}

func (r *reporter) items(exposed bool, none string) {
	n := 0
	for _, e := range r.exposures {
		if e.Exposed != exposed {
			continue
		}
		n++
		r.f("- **%s** — %s\n  Where: %s.\n", mdText(e.Item.Data), mdText(e.Why), mdText(e.Item.Where))
	}
	if n == 0 {
		r.f("%s\n", none)
	}
	r.f("\n")
}

// unsentTexts reports whether an event kind means texts went out that
// tocsin did not send: reconciliation found them at the provider, or a
// canary subscriber received one.
func unsentTexts(kind string) bool {
	return strings.HasPrefix(kind, "reconcile.") || kind == "provider.unknown_messages" || strings.HasPrefix(kind, "canary.subscriber")
}

func (r *reporter) nextSteps() {
	var steps []string
	severe, unsent := false, false
	for _, e := range r.inc.Events {
		severe = severe || e.Severity == "high" || e.Severity == "critical"
		unsent = unsent || unsentTexts(e.Kind)
	}
	switch frozen := frozenAtEnd(freezes(r.inc)); {
	case frozen:
		steps = append(steps, "Outbound messaging is frozen: unfreeze (k-of-n signatures) only once the credentials below are rotated and the cause is understood.")
	case severe || unsent:
		steps = append(steps, "Freeze outbound messaging (`tocsin freeze`, or the console button) until the cause is understood.")
	}
	if unsent {
		steps = append(steps, "Texts went out that tocsin did not send: approve the prepared correction broadcast (k-of-n) and point people to /verify.")
	}
	steps = append(steps, "Publish a public incident notice, in English and Spanish: what happened, what was and was not exposed, what people should do. Tell the truth quickly.")
	if len(reportIndicators(r.inc.Events)) > 0 {
		steps = append(steps, "Export the indicators (`tocsin incident iocs`) and share them with partner groups and with the abuse contacts of the source networks.")
	}
	for _, e := range r.exposures {
		if e.Exposed && e.Item.Response != "" {
			steps = append(steps, mdText(e.Item.Data)+": "+mdText(e.Item.Response))
		}
	}
	if len(r.known)+len(r.unknown) == 0 {
		steps = append(steps, "Name the compromised components and build this report again, to know what was exposed.")
	}
	r.f("## Next steps\n\n")
	for _, s := range steps {
		r.f("- [ ] %s\n", s)
	}
}
