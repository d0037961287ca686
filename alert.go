package tocsin

import (
	"strings"
	"time"
	"unicode/utf8"
)

// AlertState is where an alert is.
type AlertState string

// Alert states.
const (
	AlertDraft     AlertState = "draft"
	AlertApproved  AlertState = "approved" // approved to send; the sender picks it up
	AlertSending   AlertState = "sending"  // the ledger exists; messages are going out
	AlertSent      AlertState = "sent"
	AlertCancelled AlertState = "cancelled"
	AlertRefused   AlertState = "refused" // the sender found its approvals wanting; a security event says why
)

// Alert limits.
const (
	MaxAlertChars    = 480 // about three GSM-7 segments
	DefaultAlertTTL  = 2 * time.Hour
	MaxAlertTTL      = 24 * time.Hour
	MaxAlertZIPs     = 50
	AlertRefAlphabet = "ACDEFGHJKLMNPQRTUVWXY34679" // no look-alikes
	AlertRefLen      = 6
)

// Alert is a message to every subscriber of an area.
type Alert struct {
	ID         string
	Ref        string // short reference code at the end of every text
	State      AlertState
	Confirmed  bool // verified by a person on the ground, or not
	AllClear   bool // a follow-up that the danger has passed
	BodyEN     string
	BodyES     string
	Area       Area
	ReportIDs  []string
	CreatedBy  string
	ApprovedBy string
	CreatedAt  time.Time
	ApprovedAt time.Time
	ValidUntil time.Time
	Recipients int
	Sent       int
	Failed     int
	// Statement is the canonical statement of exactly what goes out (package
	// trust), fixed when the alert is composed; operators sign its digest.
	Statement []byte
	// Correction marks a correction of texts that did not come from the
	// service (the sender drafts one after an intrusion): its label says
	// so. It is not stored: the statement holds the labelled texts.
	Correction bool
	// VerifyURL, when set at composing, is the public verification page's
	// prefix (https://host/v/): texts end "Verify: <VerifyURL><Ref>"
	// ("Verifica: " in Spanish) instead of "Ref <Ref>". It is not stored:
	// the statement holds the texts.
	VerifyURL string
}

// Text returns the SMS text for lang: a label saying whether the alert is
// confirmed (or an all clear), the text, and the reference code at its end.
// Spanish falls back to English when no Spanish text was written, and the
// other way round.
func (a *Alert) Text(lang Language) string {
	body, es := a.BodyEN, false
	if (lang == Spanish && a.BodyES != "") || body == "" {
		body, es = a.BodyES, true
	}
	return a.Label(es) + " " + strings.TrimSpace(body) + "\n" + a.Reference(es)
}

// The words before the verification link at the end of a text, in English
// and in Spanish. Spanish texts sent before issue 12 say "Verify: " too.
const (
	VerifyWordEN = "Verify: "
	VerifyWordES = "Verifica: "
)

// Reference is the last line of every text, in the text's language: the
// verification link, or the bare reference code when no public URL is
// known.
func (a *Alert) Reference(spanish bool) string {
	if a.VerifyURL == "" {
		return "Ref " + a.Ref
	}
	if spanish {
		return VerifyWordES + a.VerifyURL + a.Ref
	}
	return VerifyWordEN + a.VerifyURL + a.Ref
}

// Label is the tag an alert text starts with, in GSM-7 characters only.
func (a *Alert) Label(spanish bool) string {
	labels := [4][2]string{{"[CONFIRMED]", "[CONFIRMADO]"}, {"[UNCONFIRMED]", "[SIN CONFIRMAR]"}, {"[ALL CLEAR]", "[TODO DESPEJADO]"},
		{"[CORRECTION]", "[CORRECCION]"}}
	i, j := 1, 0
	switch {
	case a.Correction:
		i = 3
	case a.AllClear:
		i = 2
	case a.Confirmed:
		i = 0
	}
	if spanish {
		j = 1
	}
	return labels[i][j]
}

// IsCorrection reports whether an alert text, as sent, is a correction's:
// it starts with the correction label, which only Correction gives.
func IsCorrection(text string) bool {
	c := Alert{Correction: true}
	return strings.HasPrefix(text, c.Label(false)+" ") || strings.HasPrefix(text, c.Label(true)+" ")
}

// AlertInput is an alert as composed.
type AlertInput struct {
	BodyEN    string
	BodyES    string
	Confirmed bool
	AllClear  bool
	Area      Area
	ReportIDs []string
	TTL       time.Duration
}

// Validate checks the composed alert.
func (in *AlertInput) Validate() error {
	in.BodyEN = strings.TrimSpace(in.BodyEN)
	in.BodyES = strings.TrimSpace(in.BodyES)
	switch {
	case in.BodyEN == "" && in.BodyES == "":
		return FieldError("body_en", "write the alert text in English, Spanish or both")
	case !utf8.ValidString(in.BodyEN) || !utf8.ValidString(in.BodyES):
		return FieldError("body_en", "the text is not valid UTF-8")
	case utf8.RuneCountInString(in.BodyEN) > MaxAlertChars:
		return FieldError("body_en", "the English text is longer than %d characters", MaxAlertChars)
	case utf8.RuneCountInString(in.BodyES) > MaxAlertChars:
		return FieldError("body_es", "the Spanish text is longer than %d characters", MaxAlertChars)
	case in.TTL < 0 || in.TTL > MaxAlertTTL:
		return FieldError("ttl", "an alert is valid for at most 24 hours")
	}
	if in.TTL == 0 {
		in.TTL = DefaultAlertTTL
	}
	return in.Area.Validate("area", MaxAlertZIPs)
}
