package stix

import (
	"strings"
	"testing"
)

func TestCanonicalJSON(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"sorted keys, no spaces", map[string]any{"b": 1, "a": []any{true, "x"}}, `{"a":[true,"x"],"b":1}`},
		{"escapes only what JSON.stringify does", "a\"b\\c\n\x01\u2028é<>&\x7f", "\"a\\\"b\\\\c\\n\\u0001\u2028é<>&\x7f\""},
		{"short escapes", "\b\f\n\r\t", `"\b\f\n\r\t"`},
		// U+FB01 sorts after U+1F600 by UTF-16 code units (0xFB01 > 0xD83D), before it by code points.
		{"UTF-16 key order", map[string]any{"\uFB01": 1, "\U0001F600": 2}, "{\"\U0001F600\":2,\"\uFB01\":1}"},
		{"nested string maps", map[string]any{"h": map[string]string{"b": "2", "a": "1"}, "l": []string{"z", "y"}}, `{"h":{"a":"1","b":"2"},"l":["z","y"]}`},
		{"int64", map[string]any{"n": int64(-5)}, `{"n":-5}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CanonicalJSON(tt.in)
			if err != nil || string(got) != tt.want {
				t.Errorf("CanonicalJSON = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestCanonicalJSONRefuses(t *testing.T) {
	for _, in := range []any{1.5, map[string]any{"f": 0.1}, "\xff", []any{struct{}{}}} {
		if got, err := CanonicalJSON(in); err == nil {
			t.Errorf("CanonicalJSON(%#v) = %s, want an error", in, got)
		}
	}
}

// TestSCOIDVectors checks deterministic ids against UUIDv5 values computed
// independently (Python's uuid.uuid5 over the canonical JSON, as the STIX
// 2.1 reference library does).
func TestSCOIDVectors(t *testing.T) {
	tests := []struct {
		typ  string
		in   map[string]any
		want string
	}{
		{"ipv4-addr", map[string]any{"value": "203.0.113.7"}, "ipv4-addr--9ddd739e-87b1-587d-83f2-62ef1130af2f"},
		{"ipv4-addr", map[string]any{"value": "198.51.100.3"}, "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"},
		{"ipv6-addr", map[string]any{"value": "2001:0db8:85a3:0000:0000:8a2e:0370:7334"}, "ipv6-addr--85a85a8c-ee99-5722-946d-3c3a3270fc6f"},
		{"x-test", map[string]any{"k": "a\"b\\c\n\x01\u2028é<>&\x7f"}, "x-test--8a99eec8-ca13-5157-a324-f1b12163442a"},
		{"network-traffic", map[string]any{
			"start":     "2026-03-14T09:00:05.123Z",
			"src_ref":   "ipv4-addr--9ddd739e-87b1-587d-83f2-62ef1130af2f",
			"src_port":  51234,
			"protocols": []string{"ipv4", "tcp", "http"},
			"extensions": map[string]any{"http-request-ext": map[string]any{
				"request_method": "GET", "request_value": "/api/v1/subscribers",
				"request_header": map[string]string{"Accept": "*/*", "User-Agent": "python-requests/2.31.0"},
			}},
		}, "network-traffic--73572874-d7b8-5cd1-accd-db6d475ca481"},
	}
	for _, tt := range tests {
		got, err := ObservableID(tt.typ, tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ObservableID(%s, %v) = %s, %v; want %s", tt.typ, tt.in, got, err, tt.want)
		}
	}
	if _, err := ObservableID("x-test", map[string]any{"f": 1.5}); err == nil || !strings.Contains(err.Error(), "unsupported") {
		t.Errorf("scoID over a float: err = %v", err)
	}
}
