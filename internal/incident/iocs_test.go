package incident

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/stix"
)

// objects decodes a bundle and returns its objects by type.
func objects(t *testing.T, b []byte) (map[string]any, map[string][]map[string]any) {
	t.Helper()
	var top map[string]any
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	byType := map[string][]map[string]any{}
	for _, o := range top["objects"].([]any) {
		m := o.(map[string]any)
		byType[m["type"].(string)] = append(byType[m["type"].(string)], m)
	}
	return top, byType
}

func TestIOCs(t *testing.T) {
	inc, now := setup(t)
	b, err := IOCs(inc, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := stix.Validate(b); err != nil {
		t.Fatalf("the bundle does not validate: %v", err)
	}
	top, byType := objects(t, b)
	if top["type"] != "bundle" || !strings.HasPrefix(top["id"].(string), "bundle--") {
		t.Errorf("bundle type %v id %v", top["type"], top["id"])
	}
	counts := map[string]int{}
	for typ, list := range byType {
		counts[typ] = len(list)
	}
	want := map[string]int{"identity": 1, "ipv4-addr": 2, "ipv6-addr": 1, "indicator": 5, "network-traffic": 4, "observed-data": 4, "sighting": 4}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("object counts %v, want %v (event 44 has no source)", counts, want)
	}
	var patterns []string
	for _, ind := range byType["indicator"] {
		patterns = append(patterns, ind["pattern"].(string))
	}
	for _, p := range []string{
		"[ipv4-addr:value = '203.0.113.7']",
		"[ipv6-addr:value = '2001:db8::42']",
		"[ipv4-addr:value = '198.51.100.9']", // unmapped from ::ffff:198.51.100.9
		"[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'python-requests/2.31.0']",
		"[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'Mozilla/5.0 (X11; Linux x86_64)']",
	} {
		if !slices.Contains(patterns, p) {
			t.Errorf("no indicator with pattern %s (have %q)", p, patterns)
		}
	}
	checkSightings(t, byType)
}

// checkSightings checks that each sighting is of the indicator of its
// event's source address, seen by the producer, once, at the event's time.
func checkSightings(t *testing.T, byType map[string][]map[string]any) {
	t.Helper()
	byID := map[string]map[string]any{}
	for _, list := range byType {
		for _, o := range list {
			byID[o["id"].(string)] = o
		}
	}
	for _, s := range byType["sighting"] {
		ind := byID[s["sighting_of_ref"].(string)]
		od := byID[s["observed_data_refs"].([]any)[0].(string)]
		addr := byID[od["object_refs"].([]any)[0].(string)]
		if want := "[" + addr["type"].(string) + ":value = '" + addr["value"].(string) + "']"; ind["pattern"] != want {
			t.Errorf("sighting %s is of %v, want the indicator %s", s["id"], ind["pattern"], want)
		}
		if s["where_sighted_refs"].([]any)[0] != byType["identity"][0]["id"] || s["count"] != 1.0 ||
			s["first_seen"] != od["first_observed"] || s["last_seen"] != od["last_observed"] {
			t.Errorf("sighting %v", s)
		}
	}
}

// TestIOCsStable checks that exporting again gives every object the same
// id, a new modified, and a new bundle id.
func TestIOCsStable(t *testing.T) {
	inc, now := setup(t)
	a, err1 := IOCs(inc, now)
	b, err2 := IOCs(inc, now.Add(time.Hour))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	ta, oa := objects(t, a)
	tb, ob := objects(t, b)
	if ta["id"] == tb["id"] {
		t.Error("two exports share a bundle id")
	}
	for typ := range oa {
		for i := range oa[typ] {
			x, y := oa[typ][i], ob[typ][i]
			if x["id"] != y["id"] || x["created"] != y["created"] {
				t.Errorf("%s %v changed id or created: %v, %v", typ, x["id"], y["id"], y["created"])
			}
			if _, ok := x["modified"]; ok && typ != "identity" && y["modified"] != "2026-03-14T11:00:00.123Z" {
				t.Errorf("%s modified = %v", typ, y["modified"])
			}
		}
	}
}

// TestIOCsCarryNoSecrets checks that what the bundle must never hold is
// not in it: credentials in headers, query strings, event subjects and
// details, the report and the people.
func TestIOCsCarryNoSecrets(t *testing.T) {
	inc, now := setup(t)
	b, err := IOCs(inc, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"tcn_canary", "Bearer", "Cookie", "s=1", "CANARY", "key=", "k_7", "operator carla", "did not send", "SM123", "canary API key used"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the bundle contains %q", secret)
		}
	}
	if !strings.Contains(string(b), `"Accept": "*/*"`) {
		t.Error("an allowed header is missing")
	}
}

func TestIOCsRefusesPhoneNumbers(t *testing.T) {
	tests := []struct {
		name string
		net  Network
	}{
		{"user agent", Network{SourceAddr: "203.0.113.7", UserAgent: "bot +1 (310) 555-0123", Method: "GET", Path: "/"}},
		{"path", Network{SourceAddr: "203.0.113.7", Method: "GET", Path: "/u/+13105550123/x"}},
		{"encoded path", Network{SourceAddr: "203.0.113.7", Method: "GET", Path: "/u/%2B13105550123"}},
		{"header", Network{SourceAddr: "203.0.113.7", Method: "GET", Path: "/", Headers: map[string]string{"accept-language": "+13105550123"}}},
		{"method", Network{SourceAddr: "203.0.113.7", Method: "+13105550123", Path: "/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := tt.net
			inc := Incident{ID: "i", Events: []Event{{ID: 1, At: at(9, 0, 0), Kind: "canary.url", Severity: "high", Net: &n}}}
			b, err := IOCs(inc, at(10, 0, 0))
			if err == nil || !strings.Contains(err.Error(), "phone number") {
				t.Fatalf("IOCs = %s, %v; want a refusal", b, err)
			}
			if strings.Contains(err.Error(), "5550123") {
				t.Errorf("the error shows the number: %v", err)
			}
		})
	}
}

func TestIOCsErrors(t *testing.T) {
	net := &Network{SourceAddr: "203.0.113.7"}
	tests := []struct {
		name string
		inc  Incident
		want string
	}{
		{"no id", Incident{Events: []Event{{ID: 1, At: at(9, 0, 0), Net: net}}}, "no id"},
		{"no network source", Incident{ID: "i", Events: []Event{{ID: 1, At: at(9, 0, 0), Kind: "reconcile.unknown"}, {ID: 2, At: at(9, 0, 0), Net: &Network{UserAgent: "x"}}}}, "no network indicator"},
		{"bad address", Incident{ID: "i", Events: []Event{{ID: 7, At: at(9, 0, 0), Net: &Network{SourceAddr: "evil.example"}}}}, "event 7: source address"},
		{"event after now", Incident{ID: "i", Events: []Event{{ID: 8, At: at(11, 0, 0), Net: net}}}, "after now"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := IOCs(tt.inc, at(10, 0, 0))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("IOCs error = %v, want %q", err, tt.want)
			}
		})
	}
	_, err := IOCs(Incident{ID: "i"}, at(10, 0, 0))
	if !errors.Is(err, ErrNoIndicators) {
		t.Errorf("empty incident: %v, want ErrNoIndicators", err)
	}
}

// TestIOCsSources checks how source addresses are read: with a port, IPv6
// with a zone, IPv4-mapped, and that a hostile user agent still makes a
// valid pattern.
func TestIOCsSources(t *testing.T) {
	hostile := `x' ] OR [ipv4-addr:value = '0.0.0.0' \ ` + "\n\xff"
	inc := Incident{ID: "i", Service: "s", Events: []Event{
		{ID: 1, At: at(9, 0, 0), Kind: "canary.url", Severity: "info", Net: &Network{SourceAddr: "[2001:db8::1]:443", Method: "GET", Path: "/a"}},
		{ID: 2, At: at(9, 0, 1), Kind: "canary.url", Net: &Network{SourceAddr: "fe80::1%eth0", Headers: map[string]string{"user-agent": hostile}, Method: "GET", Path: "/b"}},
		{ID: 3, At: at(9, 0, 2), Kind: "canary.url", Net: &Network{SourceAddr: " ::ffff:192.0.2.1 ", UserAgent: "ua"}},
	}}
	b, err := IOCs(inc, at(10, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	_, byType := objects(t, b)
	var values []string
	for _, o := range append(byType["ipv4-addr"], byType["ipv6-addr"]...) {
		values = append(values, o["value"].(string))
	}
	slices.Sort(values)
	if fmt.Sprint(values) != "[192.0.2.1 2001:db8::1 fe80::1]" {
		t.Errorf("addresses %v", values)
	}
	if len(byType["network-traffic"]) != 2 || byType["network-traffic"][0]["src_port"] != 443.0 {
		t.Errorf("network-traffic %v (event 3 has no method and path, so none)", byType["network-traffic"])
	}
	found := false
	for _, ind := range byType["indicator"] {
		p := ind["pattern"].(string)
		found = found || strings.Contains(p, `'x\' ] OR [ipv4-addr:value = \'0.0.0.0\' \\ `+"\n\uFFFD'")
		if ind["indicator_types"].([]any)[0] != "anomalous-activity" {
			t.Errorf("indicator %s of info and unrated events is %v", p, ind["indicator_types"])
		}
	}
	if !found {
		t.Errorf("no indicator quotes the hostile user agent: %s", b)
	}
}

func TestRefusePhones(t *testing.T) {
	err := refusePhones([]byte(`{"id":"bundle--1","objects":[{"id":"x-thing--2","nested":{"+13105550123":1}}]}`))
	if err == nil || !strings.Contains(err.Error(), "in x-thing--2 looks like") {
		t.Errorf("a number as a key: %v", err)
	}
	if err := refusePhones([]byte(`{`)); err == nil {
		t.Error("refusePhones accepted a broken document")
	}
}
