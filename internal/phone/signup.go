package phone

import (
	"encoding/json"
	"fmt"
)

// signupPayload is what a web sign-up seals for the sender: the number to
// text and the code to text it.
type signupPayload struct {
	Number string `json:"n"`
	Code   string `json:"c"`
}

// SealSignup seals a number and its confirmation code together, so that only
// the sender can read either.
func (s *Sealer) SealSignup(n Number, code string) ([]byte, error) {
	b, err := json.Marshal(signupPayload{Number: n.E164(), Code: code})
	if err != nil {
		return nil, fmt.Errorf("seal signup: %w", err)
	}
	return s.SealData(b)
}

// ParseSignup reads an opened sign-up payload. The number is parsed again:
// whatever was sealed is untrusted input.
func ParseSignup(b []byte) (Number, string, error) {
	var p signupPayload
	if err := json.Unmarshal(b, &p); err != nil {
		return "", "", fmt.Errorf("signup payload: %w", err)
	}
	n, err := Parse(p.Number, "US")
	if err != nil {
		return "", "", err
	}
	if len(p.Code) != 6 {
		return "", "", fmt.Errorf("signup payload: bad code")
	}
	return n, p.Code, nil
}
