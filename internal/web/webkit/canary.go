package webkit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/tocsin/tocsin/internal/auth"
)

// CanaryCreds are the phony provider credentials (and API key) in the decoy
// files, derived from the web key: the same in every file and every
// replica, each in its real counterpart's form, and known to be bait only
// to someone who holds the web key.
type CanaryCreds struct {
	TwilioAccountSID, TwilioAPIKey, TwilioAPISecret, TwilioAuthToken string
	DBPassword, APIKey                                               string
}

// CanaryCreds returns the canary credentials of this web key.
func (s *Kit) CanaryCreds() CanaryCreds {
	d := func(label string, n int) []byte {
		m := hmac.New(sha256.New, s.CSRFKey)
		m.Write([]byte("tocsin/canary-credential/v1\x00" + label))
		return m.Sum(nil)[:n]
	}
	secret := base64.RawURLEncoding.EncodeToString(d("twilio-api-secret", 24))
	secret = strings.NewReplacer("-", "q", "_", "Z").Replace(secret)
	return CanaryCreds{
		TwilioAccountSID: "AC" + hex.EncodeToString(d("twilio-account", 16)),
		TwilioAPIKey:     "SK" + hex.EncodeToString(d("twilio-api-key", 16)),
		TwilioAPISecret:  secret,
		TwilioAuthToken:  hex.EncodeToString(d("twilio-auth-token", 16)),
		DBPassword:       hex.EncodeToString(d("db-password", 12)),
		APIKey:           auth.DerivedAPIKey(s.CSRFKey, "decoy-env"),
	}
}

// canaryCredential names the canary credential a request presents in its
// Authorization header (Bearer or Basic), or "".
func (s *Kit) CanaryCredential(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if h == "" {
		return ""
	}
	var presented []string
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		presented = append(presented, strings.TrimSpace(tok))
	}
	if u, p, ok := r.BasicAuth(); ok {
		presented = append(presented, u, p)
	}
	c := s.CanaryCreds()
	for _, v := range presented {
		switch v {
		case "":
		case c.TwilioAccountSID, c.TwilioAPIKey, c.TwilioAPISecret, c.TwilioAuthToken:
			return "Twilio credential from the decoy environment file"
		case c.APIKey:
			return "API key from the decoy environment file"
		case c.DBPassword:
			return "database password from the decoy environment file"
		}
	}
	return ""
}
