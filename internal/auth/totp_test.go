package auth

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// RFC 6238 appendix B SHA-1 seed "12345678901234567890" in base32.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func TestTOTPCodeRFC6238(t *testing.T) {
	tests := []struct {
		unix int64
		want string // last 6 digits of the RFC's 8-digit values
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
	}
	for _, tt := range tests {
		got, err := TOTPCode(rfcSecret, time.Unix(tt.unix, 0))
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("TOTPCode(%d) = %s, want %s", tt.unix, got, tt.want)
		}
	}
}

func TestNewTOTP(t *testing.T) {
	secret, u, err := NewTOTP("tocsin", "ana@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 32 { // 20 bytes base32, unpadded
		t.Errorf("secret length %d, want 32", len(secret))
	}
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := pu.Query()
	if pu.Scheme != "otpauth" || pu.Host != "totp" || q.Get("secret") != secret ||
		q.Get("issuer") != "tocsin" || q.Get("digits") != "6" || q.Get("period") != "30" ||
		q.Get("algorithm") != "SHA1" {
		t.Errorf("unexpected URL %s", u)
	}
	s2, _, _ := NewTOTP("tocsin", "ana@example.org")
	if s2 == secret {
		t.Error("two secrets are equal")
	}
	for _, bad := range [][2]string{{"", "ana"}, {"tocsin", ""}} {
		if _, _, err := NewTOTP(bad[0], bad[1]); err == nil {
			t.Errorf("NewTOTP(%q, %q) succeeded", bad[0], bad[1])
		}
	}
}

func TestCheckTOTP(t *testing.T) {
	secret, _, err := NewTOTP("tocsin", "ana")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_015, 0) // mid-step
	cur := now.Unix() / 30
	code := func(offset int64) string {
		c, err := TOTPCode(secret, now.Add(time.Duration(offset)*30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name     string
		secret   string
		code     string
		lastStep int64
		wantOK   bool
		wantStep int64
	}{
		{"current", secret, code(0), 0, true, cur},
		{"previous step", secret, code(-1), 0, true, cur - 1},
		{"next step", secret, code(1), 0, true, cur + 1},
		{"two steps ago", secret, code(-2), 0, false, 0},
		{"two steps ahead", secret, code(2), 0, false, 0},
		{"replay same step", secret, code(0), cur, false, 0},
		{"older than last used", secret, code(-1), cur, false, 0},
		{"after last used", secret, code(0), cur - 1, true, cur},
		{"next after current used", secret, code(1), cur, true, cur + 1},
		{"spaces removed", secret, code(0)[:3] + " " + code(0)[3:], 0, true, cur},
		{"surrounding space", secret, " " + code(0) + " ", 0, true, cur},
		{"lower-case secret", strings.ToLower(secret), code(0), 0, true, cur},
		{"letters", secret, "12a456", 0, false, 0},
		{"dash", secret, code(0)[:3] + "-" + code(0)[3:], 0, false, 0},
		{"five digits", secret, code(0)[:5], 0, false, 0},
		{"seven digits", secret, code(0) + "0", 0, false, 0},
		{"empty", secret, "", 0, false, 0},
		{"non-ASCII digits", secret, "١٢٣٤٥٦", 0, false, 0},
		{"fullwidth digits", secret, "１２３４５６", 0, false, 0},
		{"empty secret", "", code(0), 0, false, 0},
		{"short secret", "GEZDGNBV", code(0), 0, false, 0},
		{"bad secret", "!!!!" + secret[4:], code(0), 0, false, 0},
		{"other secret", rfcSecret, code(0), 0, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, ok := CheckTOTP(tt.secret, tt.code, now, tt.lastStep)
			if ok != tt.wantOK || step != tt.wantStep {
				t.Fatalf("CheckTOTP = (%d, %v), want (%d, %v)", step, ok, tt.wantStep, tt.wantOK)
			}
		})
	}
}

func TestCheckTOTPReplaySequence(t *testing.T) {
	secret, _, err := NewTOTP("tocsin", "ana")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	c, _ := TOTPCode(secret, now)
	step, ok := CheckTOTP(secret, c, now, 0)
	if !ok {
		t.Fatal("first use refused")
	}
	// Same code again, even a few seconds later inside the window.
	if _, ok := CheckTOTP(secret, c, now.Add(10*time.Second), step); ok {
		t.Fatal("replayed code accepted")
	}
}

func TestTOTPCodeBadSecret(t *testing.T) {
	if _, err := TOTPCode("not base32!", time.Unix(0, 0)); err == nil {
		t.Fatal("expected error")
	}
}
