package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/cmd/tocsin/internal/datadir"
	"github.com/tocsin/tocsin/internal/incident"
	"github.com/tocsin/tocsin/internal/inventory"
	"github.com/tocsin/tocsin/internal/store"
)

// RunIncident handles "tocsin incident iocs|report": the network
// indicators of an incident's security events as a STIX 2.1 bundle, and a
// Markdown incident report from the audit trail and the events.
func RunIncident(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: tocsin incident iocs|report --data DIR [--db DB] --since TIME [--until TIME] [--out FILE]"
	if len(args) == 0 || (args[0] != "iocs" && args[0] != "report") {
		return errors.New(usage)
	}
	fs := cmdline.FlagSet("incident "+args[0], "iocs: the incident's network indicators as a STIX 2.1 bundle (validated before it is written). report: a Markdown incident report: summary, timeline, indicators, response actions, what was and was not exposed.", stderr)
	data := fs.String("data", "./tocsin-data", "data directory")
	dbArg := fs.String("db", "", datadir.DBUsage)
	since := fs.String("since", "", "the incident's start: an RFC 3339 time, or a duration back from now such as 24h")
	until := fs.String("until", "", "its end (default now)")
	id := fs.String("id", "", "the incident's name (default from its start)")
	title := fs.String("title", "Security incident", "the report's title")
	service := fs.String("service-name", "tocsin", "this instance's name")
	touched := fs.String("touched", "", "what the intruder reached, comma-separated: "+strings.Join(inventory.Components(), ", "))
	out := fs.String("out", "", "file to write (default standard output)")
	if err := cmdline.Parse(fs, args[1:]); err != nil {
		return err
	}
	now := time.Now().UTC()
	from, err := parseWhen(*since, now)
	if err != nil || *since == "" {
		return fmt.Errorf("--since: give an RFC 3339 time or a duration such as 24h (%v)", err)
	}
	to := now
	if *until != "" {
		if to, err = parseWhen(*until, now); err != nil {
			return fmt.Errorf("--until: %w", err)
		}
	}
	if !from.Before(to) {
		return errors.New("--since must be before --until")
	}
	st, err := datadir.OpenStore(ctx, *data, *dbArg)
	if err != nil {
		return err
	}
	defer st.Close()
	inc, err := loadIncident(ctx, st, from, to)
	if err != nil {
		return err
	}
	inc.ID, inc.Title, inc.Service = *id, *title, *service
	if inc.ID == "" {
		inc.ID = from.Format("2006-01-02T15:04Z")
	}
	var b []byte
	if args[0] == "iocs" {
		if b, err = incident.IOCs(inc, now); err != nil {
			return err
		}
	} else {
		var parts []string
		for _, p := range strings.Split(*touched, ",") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		b = []byte(incident.Report(inc, inventory.Default(), parts))
	}
	if *out == "" {
		_, err = stdout.Write(b)
		return err
	}
	return os.WriteFile(*out, b, 0o600)
}

// parseWhen reads an RFC 3339 time or a duration back from now.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	return time.Parse(time.RFC3339, s)
}

// loadIncident reads the events and audit entries of [from, to).
func loadIncident(ctx context.Context, st store.Store, from, to time.Time) (incident.Incident, error) {
	inc := incident.Incident{Opened: from, Closed: to}
	evs, err := st.SecurityEventsBetween(ctx, from, to)
	if err != nil {
		return inc, err
	}
	for _, e := range evs {
		ie := incident.Event{ID: e.ID, At: e.At, Kind: e.Kind, Severity: e.Severity, Subject: e.Subject, Detail: e.Detail}
		if n := e.Net; n != nil {
			ie.Net = &incident.Network{SourceAddr: n.SourceAddr, UserAgent: n.UserAgent, Method: n.Headers[":method"], Path: n.Headers[":path"], Headers: n.Headers}
		}
		inc.Events = append(inc.Events, ie)
	}
	trail, err := st.AuditChain(ctx)
	if err != nil {
		return inc, err
	}
	for _, l := range trail {
		e := l.Entry
		if !e.At.Before(from) && e.At.Before(to) {
			inc.Audit = append(inc.Audit, incident.AuditEntry{At: e.At, Actor: e.Actor, Action: e.Action, Subject: e.Subject, Detail: e.Detail})
		}
	}
	return inc, nil
}
