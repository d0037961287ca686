package incident

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/inventory"
)

// reportTime is how the report writes a time; every time is in UTC.
const reportTime = "2006-01-02 15:04:05"

func utc(t time.Time) string { return t.UTC().Format(reportTime) }

// Report writes the Markdown incident report of inc: Summary, Timeline
// (events and audit entries merged, in time order), Indicators, Response
// actions, What was exposed and What was not exposed (Assess of inv and
// touched), and Next steps. Every string of inc, and of inv, is treated as
// hostile: written on one line, with Markdown and HTML escaped so that it
// cannot add a cell, a row, a heading, a tag or a link, control and
// bidirectional characters shown as escapes, query strings dropped, and
// anything like a phone number redacted ("+1******23").
func Report(inc Incident, inv []inventory.Item, touched []string) string {
	r := &reporter{inc: &inc, exposures: inventory.Assess(inv, touched)}
	r.known, r.unknown = inventory.Expand(touched)
	r.header()
	r.summary()
	r.timeline()
	r.indicators()
	r.responseActions()
	r.exposure()
	r.nextSteps()
	return r.b.String()
}

type reporter struct {
	b              strings.Builder
	inc            *Incident
	exposures      []inventory.Exposure
	known, unknown []string
}

func (r *reporter) f(format string, args ...any) { fmt.Fprintf(&r.b, format, args...) }

func (r *reporter) header() {
	title := "Incident " + mdText(r.inc.ID)
	if r.inc.Title != "" {
		title += ": " + mdText(r.inc.Title)
	}
	r.f("# %s\n\nService: %s. All times are UTC.\n\n", title, mdText(r.inc.service()))
}

func (r *reporter) summary() {
	evs := r.inc.Events
	r.f("## Summary\n\n")
	closed := "still open"
	if !r.inc.Closed.IsZero() {
		closed = "closed " + utc(r.inc.Closed)
	}
	if r.inc.Opened.IsZero() {
		r.f("- Incident %s.\n", closed)
	} else {
		r.f("- Opened %s, %s.\n", utc(r.inc.Opened), closed)
	}
	r.f("- %d security event%s%s.\n", len(evs), plural(len(evs)), severityCounts(evs))
	if len(evs) > 0 {
		first, last := span(evs)
		r.f("- Events from %s to %s (%s).\n", utc(first), utc(last), last.Sub(first).Round(time.Second))
		r.f("- Kinds: %s.\n", kindCounts(evs))
	}
	rows := reportIndicators(evs)
	r.f("- Network indicators: %s.\n", countKinds(rows))
	r.f("- Outbound messaging: %s\n", freezeSummary(freezes(r.inc)))
	if len(r.known)+len(r.unknown) == 0 {
		r.f("- Compromised components: none named, so exposure is not assessed.\n\n")
		return
	}
	r.f("- Compromised components (as named, with what they imply): %s.\n\n", mdText(strings.Join(append(r.known, r.unknown...), ", ")))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func span(evs []Event) (first, last time.Time) {
	first, last = evs[0].At, evs[0].At
	for _, e := range evs {
		if e.At.Before(first) {
			first = e.At
		}
		if e.At.After(last) {
			last = e.At
		}
	}
	return first, last
}

// severityCounts is ": 2 critical, 1 high" in order of severity.
func severityCounts(evs []Event) string {
	counts := map[string]int{}
	for _, e := range evs {
		counts[e.Severity]++
	}
	var parts []string
	for _, s := range []string{"critical", "high", "warning", "info"} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
			delete(counts, s)
		}
	}
	for _, s := range sortedKeys(counts) {
		parts = append(parts, fmt.Sprintf("%d %s", counts[s], mdText(cmp.Or(s, "unrated"))))
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, ", ")
}

func kindCounts(evs []Event) string {
	counts := map[string]int{}
	for _, e := range evs {
		counts[e.Kind]++
	}
	var parts []string
	for _, k := range sortedKeys(counts) {
		parts = append(parts, fmt.Sprintf("%s ×%d", mdText(k), counts[k]))
	}
	return strings.Join(parts, ", ")
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// countKinds is "2 source addresses, 1 user agent, 3 paths".
func countKinds(rows []indicatorRow) string {
	var addrs, uas, paths int
	for _, row := range rows {
		switch row.kind {
		case "user agent":
			uas++
		case "path":
			paths++
		default:
			addrs++
		}
	}
	return fmt.Sprintf("%d source address%s, %d user agent%s, %d path%s",
		addrs, map[bool]string{true: "es"}[addrs != 1], uas, plural(uas), paths, plural(paths))
}

// timeline merges events and audit entries in time order; at the same
// time an event comes before an audit entry.
func (r *reporter) timeline() {
	type row struct {
		at                   time.Time
		order                int64
		what, subject, cells string
	}
	var rows []row
	for _, e := range r.inc.Events {
		what := fmt.Sprintf("event %d: %s (%s)", e.ID, mdText(e.Kind), mdText(cmp.Or(e.Severity, "unrated")))
		detail := mdText(e.Detail)
		if n := e.Net; n != nil {
			from, _ := sourceAddr(n.SourceAddr)
			detail = strings.TrimPrefix(detail+"; from "+mdText(strings.TrimSpace(from+" "+n.Method+" "+cleanPath(n.Path))), "; ")
		}
		rows = append(rows, row{e.At, e.ID, what, mdText(e.Subject), detail})
	}
	for i, a := range r.inc.Audit {
		what := fmt.Sprintf("audit: %s by %s", mdText(a.Action), mdText(a.Actor))
		rows = append(rows, row{a.At, 1<<62 + int64(i), what, mdText(a.Subject), mdText(a.Detail)})
	}
	slices.SortStableFunc(rows, func(x, y row) int { return cmp.Or(x.at.Compare(y.at), cmp.Compare(x.order, y.order)) })
	r.f("## Timeline\n\n")
	if len(rows) == 0 {
		r.f("Nothing was recorded.\n\n")
		return
	}
	r.f("| Time (UTC) | What | Subject | Detail |\n|---|---|---|---|\n")
	for _, x := range rows {
		r.f("| %s | %s | %s | %s |\n", utc(x.at), x.what, dash(x.subject), dash(x.cells))
	}
	r.f("\n")
}

func dash(s string) string { return cmp.Or(s, "–") }

// indicatorRow is one network indicator of the report.
type indicatorRow struct {
	value, kind string
	first, last time.Time
	count       int
}

// reportIndicators tallies source addresses, user agents and paths (without
// query string) of the events, in order of first sighting. An address that
// does not parse is kept as it was given.
func reportIndicators(events []Event) []indicatorRow {
	evs := slices.Clone(events)
	slices.SortStableFunc(evs, func(a, b Event) int { return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID)) })
	var rows []indicatorRow
	index := map[[2]string]int{}
	add := func(value, kind string, at time.Time) {
		if value == "" {
			return
		}
		k := [2]string{kind, value}
		i, ok := index[k]
		if !ok {
			index[k] = len(rows)
			rows = append(rows, indicatorRow{value: value, kind: kind, first: at, last: at})
			i = len(rows) - 1
		}
		rows[i].last = at
		rows[i].count++
	}
	for _, e := range evs {
		if e.Net == nil {
			continue
		}
		if strings.TrimSpace(e.Net.SourceAddr) != "" {
			v, kind := sourceAddr(e.Net.SourceAddr)
			add(v, kind, e.At)
		}
		add(clean(cmp.Or(e.Net.UserAgent, headerValue(e.Net.Headers, "User-Agent"))), "user agent", e.At)
		add(cleanPath(e.Net.Path), "path", e.At)
	}
	return rows
}

func (r *reporter) indicators() {
	rows := reportIndicators(r.inc.Events)
	r.f("## Indicators\n\n")
	if len(rows) == 0 {
		r.f("No event came with a network source.\n\n")
		return
	}
	r.f("| Indicator | Kind | First seen (UTC) | Last seen (UTC) | Events |\n|---|---|---|---|---|\n")
	for _, x := range rows {
		r.f("| %s | %s | %s | %s | %d |\n", mdText(x.value), x.kind, utc(x.first), utc(x.last), x.count)
	}
	r.f("\nQuery strings are left out: they can carry secrets. `tocsin incident iocs` exports the addresses and user agents as STIX 2.1 indicators, and paths only as observed data; publishing a decoy path tells attackers to avoid it.\n\n")
}

// sourceAddr returns a source address in canonical form and its kind.
func sourceAddr(s string) (string, string) {
	a, _, err := parseSource(s)
	switch {
	case err != nil:
		return clean(strings.TrimSpace(s)), "source (not an IP address)"
	case a.Is4():
		return a.String(), "IPv4 address"
	}
	return a.String(), "IPv6 address"
}
