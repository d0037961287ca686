package auth

import (
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTP settings: what every common authenticator app supports.
const (
	TOTPPeriod     = 30 // seconds per step
	TOTPDigits     = 6
	totpSecretSize = 20 // bytes (160 bits, RFC 4226 recommendation)
	minSecretBytes = 16 // refuse secrets weaker than 128 bits
)

// ErrInvalidTOTPSecret is returned for secrets that are not base32 or are
// shorter than 128 bits.
var ErrInvalidTOTPSecret = errors.New("auth: TOTP secret is not valid base32 of at least 128 bits")

func hotpOpts() hotp.ValidateOpts {
	return hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
}

// normalizeSecret upper-cases the base32 secret, drops spaces and padding,
// and checks it decodes to at least minSecretBytes.
func normalizeSecret(secret string) (string, error) {
	s := strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '=' {
			return -1
		}
		return r
	}, secret))
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil || len(b) < minSecretBytes {
		return "", ErrInvalidTOTPSecret
	}
	return s, nil
}

// NewTOTP creates a fresh random TOTP secret (160 bits, base32) for account
// at issuer, and the otpauth:// URL to show as a QR code during enrolment.
// The secret must be stored server-side and never shown again after
// enrolment is confirmed.
func NewTOTP(issuer, account string) (secret string, otpauthURL string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      TOTPPeriod,
		SecretSize:  totpSecretSize,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", "", err
	}
	return key.Secret(), key.URL(), nil
}

// totpStep returns the 30-second step containing now.
func totpStep(now time.Time) int64 {
	u := now.Unix()
	s := u / TOTPPeriod
	if u%TOTPPeriod < 0 {
		s--
	}
	return s
}

// normalizeCode removes white space and reports whether what is left is
// exactly six ASCII digits.
func normalizeCode(code string) (string, bool) {
	c := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, code)
	if len(c) != TOTPDigits {
		return "", false
	}
	for i := 0; i < len(c); i++ {
		if c[i] < '0' || c[i] > '9' {
			return "", false
		}
	}
	return c, true
}

// CheckTOTP checks code against secret at time now. It accepts the current
// 30-second step and one step either side (clock drift) and returns the step
// that matched. Steps at or before lastStep are refused, so a code can never
// be used twice: the caller must store the returned step as the new lastStep
// (atomically with accepting the login) and pass 0 for an operator that has
// never used a code. The code must be six digits once spaces are removed.
func CheckTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	c, valid := normalizeCode(code)
	if !valid {
		return 0, false
	}
	s, err := normalizeSecret(secret)
	if err != nil {
		return 0, false
	}
	cur := totpStep(now)
	var matched int64
	found := 0
	// Check every candidate step, without early exit, comparing in constant time.
	for _, candidate := range [3]int64{cur - 1, cur, cur + 1} {
		if candidate < 0 || candidate <= lastStep {
			continue
		}
		want, err := hotp.GenerateCodeCustom(s, uint64(candidate), hotpOpts())
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(c)) == 1 && found == 0 {
			matched, found = candidate, 1
		}
	}
	if found == 0 {
		return 0, false
	}
	return matched, true
}

// TOTPCode returns the code for secret at time now. It is meant for tests
// and the command-line tool, not for verifying logins (use CheckTOTP).
func TOTPCode(secret string, now time.Time) (string, error) {
	s, err := normalizeSecret(secret)
	if err != nil {
		return "", err
	}
	step := totpStep(now)
	if step < 0 {
		return "", errors.New("auth: time before the Unix epoch")
	}
	return hotp.GenerateCodeCustom(s, uint64(step), hotpOpts())
}
