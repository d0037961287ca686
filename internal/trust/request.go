package trust

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// requestDomain separates a signed read request from every other
// signature: a request signature never counts as an approval, a roster
// signature or a freeze order, nor any of those as a request.
const requestDomain = "tocsin/read-request/v1\x00"

// ReadRequest is a roster member's signed request to read what waits for
// the approvers (tocsin alert list): what to read, and when it was signed.
// It authorises reading only; the server accepts it for a few minutes
// around At.
type ReadRequest struct {
	What string // such as "alerts pending"
	At   time.Time
}

var requestWhat = regexp.MustCompile(`^[a-z]+( [a-z]+)*$`)

// Encode is the canonical encoding the signature covers:
//
//	tocsin read-request v1
//	what <what>
//	at <RFC 3339 time, UTC, whole seconds>
//	end
func (q ReadRequest) Encode() ([]byte, error) {
	if len(q.What) > 64 || !requestWhat.MatchString(q.What) {
		return nil, fmt.Errorf("read request: what %q is not lower-case words", q.What)
	}
	return fmt.Appendf(nil, "tocsin read-request v1\nwhat %s\nat %s\nend\n", q.What, q.At.UTC().Truncate(time.Second).Format(time.RFC3339)), nil
}

// DecodeReadRequest reads an encoded request; only the canonical encoding
// is accepted.
func DecodeReadRequest(b []byte) (*ReadRequest, error) {
	lines := bytes.Split(b, []byte("\n"))
	if len(lines) != 5 || string(lines[0]) != "tocsin read-request v1" || !bytes.HasPrefix(lines[1], []byte("what ")) || !bytes.HasPrefix(lines[2], []byte("at ")) {
		return nil, errors.New("read request: not a read request")
	}
	what, at := string(lines[1][len("what "):]), string(lines[2][len("at "):])
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return nil, fmt.Errorf("read request: at: %w", err)
	}
	q := &ReadRequest{What: what, At: t}
	enc, err := q.Encode()
	if err != nil || !bytes.Equal(enc, b) {
		return nil, errors.New("read request: not in canonical form")
	}
	return q, nil
}

// SignReadRequest signs an encoded request with an operator's key: an
// Ed25519 signature over "tocsin/read-request/v1\x00" || SHA-256(body).
func SignReadRequest(priv ed25519.PrivateKey, body []byte) RosterSignature {
	return signBody(priv, requestDomain, body)
}

// ReadRequestSigner returns the name of the admin or dispatcher of r whose
// key made sig over body, or false: viewers, unknown keys and signatures
// that do not verify are refused.
func (r *Roster) ReadRequestSigner(body []byte, sig RosterSignature) (string, bool) {
	names := r.signers(requestDomain, sha256.Sum256(body), []RosterSignature{sig}, RoleAdmin, RoleDispatcher)
	if len(names) != 1 {
		return "", false
	}
	return names[0], true
}
