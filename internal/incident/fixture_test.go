package incident

import (
	"testing"
	"time"
)

// at is a time on the day of the fixture incident, in UTC.
func at(hour, min, sec int) time.Time {
	return time.Date(2026, 3, 14, hour, min, sec, 123_456_789, time.UTC)
}

// setup returns an incident like one canaries would raise: a canary API key
// and a decoy URL used from two addresses, a canary login over IPv6, a text
// the ledger did not send (no network source), and the response in the
// audit trail; and the time of the export.
func setup(t *testing.T) (Incident, time.Time) {
	t.Helper()
	inc := Incident{
		ID:      "2026-03-14-1",
		Title:   "Canary API key used",
		Opened:  at(9, 1, 0),
		Service: "alerts.example.org",
		Events: []Event{
			{ID: 41, At: at(9, 0, 5), Kind: "canary.apikey", Severity: "critical", Subject: "key k_7", Detail: "canary API key used",
				Net: &Network{SourceAddr: "203.0.113.7:51234", UserAgent: "python-requests/2.31.0", Method: "GET", Path: "/api/v1/subscribers?key=CANARY",
					Headers: map[string]string{"authorization": "Bearer tcn_canary", "Accept": "*/*", "Cookie": "s=1"}}},
			{ID: 42, At: at(9, 0, 9), Kind: "canary.url", Severity: "high", Subject: "/backup/subscribers.csv",
				Net: &Network{SourceAddr: "203.0.113.7", UserAgent: "python-requests/2.31.0", Method: "GET", Path: "/backup/subscribers.csv"}},
			{ID: 43, At: at(9, 2, 0), Kind: "canary.login", Severity: "high", Subject: "operator carla",
				Net: &Network{SourceAddr: "2001:db8::42", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)", Method: "POST", Path: "/console/login"}},
			{ID: 44, At: at(9, 3, 0), Kind: "reconcile.unknown", Severity: "critical", Subject: "SM123", Detail: "a message we did not send"},
			{ID: 45, At: at(9, 4, 0), Kind: "canary.url", Severity: "warning", Subject: "/wp-login.php",
				Net: &Network{SourceAddr: "::ffff:198.51.100.9", Method: "GET", Path: "/wp-login.php"}},
		},
		Audit: []AuditEntry{
			{At: at(9, 3, 30), Actor: "sender", Action: "freeze.freeze", Detail: "unknown messages at the provider"},
			{At: at(9, 10, 0), Actor: "ana", Action: "login.ok"},
			{At: at(9, 12, 0), Actor: "ana", Action: "alert.create", Subject: "correction", Detail: "correction drafted"},
		},
	}
	return inc, at(10, 0, 0)
}
