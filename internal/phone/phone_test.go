package phone

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		raw, region string
		want        Number
		wantErr     bool
	}{
		{"(310) 555-0123", "US", "+13105550123", false},
		{"+1 310 555 0123", "US", "+13105550123", false},
		{"310.555.0123", "US", "+13105550123", false},
		{"310-555-0123", "", "+13105550123", false},
		{"  3105550123 ", "us", "+13105550123", false},
		{"+44 20 7946 0958", "US", "+442079460958", false},
		{"020 7946 0958", "GB", "+442079460958", false},
		{"", "US", "", true},
		{"   ", "US", "", true},
		{"555-0123", "US", "", true},
		{"12", "US", "", true},
		{"310555012345678901", "US", "", true},
		{"+1 310 555 0123 0000 0000 0000 0000 00", "US", "", true}, // > 32 bytes
		{"1-800-FLOWERS", "US", "", true},
		{"310 555 0123 ext 5", "US", "", true},
		{"310555O123", "US", "", true},
		{"31+05550123", "US", "", true},
		{"+1******23", "US", "", true},
		{"+999 1234 5678", "US", "", true},
		{"(000) 000-0000", "US", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := Parse(tt.raw, tt.region)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Parse(%q) = %q, want error", tt.raw, got.E164())
				}
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("error %v does not wrap ErrInvalid", err)
				}
				if !strings.HasPrefix(err.Error(), "that is not a valid phone number") {
					t.Fatalf("error %q is not a message a person understands", err)
				}
				if d := digitsOf(tt.raw); len(d) >= 4 && strings.Contains(err.Error(), d) {
					t.Fatalf("error %q echoes the input", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.raw, err)
			}
			if got != tt.want {
				t.Fatalf("Parse(%q) = %q, want %q", tt.raw, got.E164(), tt.want.E164())
			}
		})
	}
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func TestRedactedString(t *testing.T) {
	tests := []struct {
		n    Number
		want string
	}{
		{"+13105550123", "+1******23"},
		{"+442079460958", "+44******58"},
		{"+353861234567", "+353******67"},
		{"", ""},
		{"garbage", "+******"},
		{"+1234", "+******"},
	}
	for _, tt := range tests {
		if got := tt.n.String(); got != tt.want {
			t.Errorf("Number(%q).String() = %q, want %q", tt.n.E164(), got, tt.want)
		}
	}
}

type holder struct {
	Phone Number
	Ptr   *Number
	Name  string
}

func TestNeverLeaks(t *testing.T) {
	n, err := Parse("(310) 555-0123", "US")
	if err != nil {
		t.Fatal(err)
	}
	clear := []string{"3105550123", "555", "0123"}
	h := holder{Phone: n, Ptr: &n, Name: "x"}
	js, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	txt, _ := n.MarshalText()

	var logJSON, logText bytes.Buffer
	jl := slog.New(slog.NewJSONHandler(&logJSON, nil))
	jl.Info("subscribed", "phone", n, "ptr", &n, "holder", h, slog.Any("any", n))
	jl.With("phone", n).Info("with")
	tl := slog.New(slog.NewTextHandler(&logText, nil))
	tl.Info("subscribed", "phone", n, "holder", h)

	outputs := map[string]string{
		"String":      n.String(),
		"GoString":    n.GoString(),
		"%v":          fmt.Sprintf("%v", n),
		"%+v":         fmt.Sprintf("%+v", n),
		"%#v":         fmt.Sprintf("%#v", n),
		"%s":          fmt.Sprintf("%s", n),
		"%q":          fmt.Sprintf("%q", n),
		"%x":          fmt.Sprintf("%x", n),
		"%X":          fmt.Sprintf("%X", n),
		"%d":          fmt.Sprintf("%d", n),
		"%10s":        fmt.Sprintf("%10s", n),
		"Sprint":      fmt.Sprint(n),
		"Println":     fmt.Sprintln(n),
		"Errorf":      fmt.Errorf("bad: %v", n).Error(),
		"struct %v":   fmt.Sprintf("%v", h),
		"struct %+v":  fmt.Sprintf("%+v", h),
		"struct %#v":  fmt.Sprintf("%#v", h),
		"ptr %v":      fmt.Sprintf("%v", &n),
		"slice %v":    fmt.Sprintf("%v", []Number{n}),
		"map %v":      fmt.Sprintf("%v", map[string]Number{"a": n}),
		"json":        string(js),
		"MarshalText": string(txt),
		"slog json":   logJSON.String(),
		"slog text":   logText.String(),
		"LogValue":    n.LogValue().String(),
	}
	for name, out := range outputs {
		for _, c := range clear {
			if strings.Contains(out, c) {
				t.Errorf("%s leaks %q: %s", name, c, out)
			}
		}
		if name != "%x" && name != "%X" && !strings.Contains(out, "+1******23") {
			t.Errorf("%s = %q, want the redacted form", name, out)
		}
	}
	if n.E164() != "+13105550123" {
		t.Fatalf("E164 = %q", n.E164())
	}
}

func TestUnmarshalRejectsRedacted(t *testing.T) {
	var h holder
	if err := json.Unmarshal([]byte(`{"Phone":"+1******23"}`), &h); err == nil {
		t.Fatal("decoded a redacted number")
	}
	if err := json.Unmarshal([]byte(`{"Phone":"(310) 555-0123"}`), &h); err != nil {
		t.Fatal(err)
	}
	if h.Phone.E164() != "+13105550123" {
		t.Fatalf("got %q", h.Phone.E164())
	}
}

func TestValueRefuses(t *testing.T) {
	if v, err := Number("+13105550123").Value(); err == nil || v != nil {
		t.Fatalf("Value() = %v, %v; want refusal", v, err)
	}
}

func TestPublicKey(t *testing.T) {
	var k PublicKey
	for i := range k {
		k[i] = byte(i + 1)
	}
	dir := t.TempDir()
	tests := []struct {
		name    string
		content string
		wantErr bool
	}{
		{"ok", k.String() + "\n", false},
		{"spaces", "  " + k.String() + " \n", false},
		{"short", "AAAA", true},
		{"notbase64", "!!!!", true},
		{"zero", PublicKey{}.String(), true},
		{"empty", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name+".pub")
			if err := os.WriteFile(p, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := LoadPublicKey(p)
			if (err != nil) != tt.wantErr {
				t.Fatalf("LoadPublicKey: err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && got != k {
				t.Fatalf("got %v, want %v", got, k)
			}
			got2, err2 := ParsePublicKey(tt.content)
			if (err2 != nil) != tt.wantErr || got2 != got {
				t.Fatalf("ParsePublicKey disagrees: %v %v", got2, err2)
			}
		})
	}
	if _, err := LoadPublicKey(filepath.Join(dir, "missing.pub")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestSealer(t *testing.T) {
	var k PublicKey
	k[0] = 9
	tests := []struct {
		name    string
		s       *Sealer
		n       Number
		wantErr bool
	}{
		{"ok", NewSealer(k), "+13105550123", false},
		{"zero key", NewSealer(PublicKey{}), "+13105550123", true},
		{"nil sealer", nil, "+13105550123", true},
		{"empty number", NewSealer(k), "", true},
		{"malformed", NewSealer(k), "3105550123", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := tt.s.Seal(tt.n)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Seal: %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if len(a) != len(tt.n)+SealOverhead {
				t.Fatalf("len = %d", len(a))
			}
			if bytes.Contains(a, []byte(tt.n.E164()[2:])) {
				t.Fatal("sealed box contains the clear number")
			}
			b, _ := tt.s.Seal(tt.n)
			if bytes.Equal(a, b) {
				t.Fatal("two seals of one number are equal")
			}
		})
	}
	if _, err := NewSealer(k).SealData(make([]byte, MaxSealData+1)); err == nil {
		t.Fatal("sealed an oversized payload")
	}
}
