package phone

import (
	"strings"
	"testing"
)

func TestParsePublic(t *testing.T) {
	tests := []struct {
		in, e164, display string
		err               string
	}{
		{in: "+13105550100", e164: "+13105550100", display: "(310) 555-0100"},
		{in: " +17875550123 ", e164: "+17875550123", display: "(787) 555-0123"},  // Puerto Rico
		{in: "+18005550123", e164: "+18005550123", display: "(800) 555-0123"},    // toll-free numbers send texts too
		{in: "+447400123456", e164: "+447400123456", display: "+44 7400 123456"}, // elsewhere: international form
		{in: "3105550100", err: "E.164"},                                         // no country code
		{in: "+1 310 555 0100", err: "E.164"},                                    // spaces
		{in: "+1 (310) 555-0100", err: "E.164"},
		{in: "+1310555010a", err: "E.164"},
		{in: "", err: "E.164"},
		{in: "+11005550100", err: "not a valid phone number"}, // no such area code
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePublic(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParsePublic(%q) = %v, %v; want an error about %q", tt.in, p, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.E164() != tt.e164 || p.String() != tt.display {
				t.Errorf("ParsePublic(%q) = %s, %q; want %s, %q", tt.in, p.E164(), p.String(), tt.e164, tt.display)
			}
		})
	}
}

func TestParsePublicList(t *testing.T) {
	ps, err := ParsePublicList("+13105550100, +13105550101,,+13105550100")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].E164() != "+13105550100" || ps[1].E164() != "+13105550101" {
		t.Errorf("got %v, want the two numbers once each, in order", ps)
	}
	if ps, err := ParsePublicList(""); err != nil || len(ps) != 0 {
		t.Errorf("empty list: %v, %v", ps, err)
	}
	if _, err := ParsePublicList("+13105550100,310-555-0101"); err == nil {
		t.Error("a number not in E.164 form in the list was accepted")
	}
}

func TestSMSURI(t *testing.T) {
	p, err := ParsePublic("+13105550100")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ body, want string }{
		{"JOIN 90210", "sms:+13105550100?&body=JOIN%2090210"},
		{"JOIN ", "sms:+13105550100?&body=JOIN%20"},
		{"START", "sms:+13105550100?&body=START"},
		{"a+b&c=d?é", "sms:+13105550100?&body=a%2Bb%26c%3Dd%3F%C3%A9"},
		{"", "sms:+13105550100"},
	}
	for _, tt := range tests {
		if got := p.SMSURI(tt.body); got != tt.want {
			t.Errorf("SMSURI(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}
