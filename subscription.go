package tocsin

import (
	"math"
	"time"
)

// Language of the texts a subscriber receives.
type Language string

// Supported languages.
const (
	English Language = "en"
	Spanish Language = "es"
)

// ParseLanguage returns the language for "en" or "es", or English and false.
func ParseLanguage(s string) (Language, bool) {
	switch Language(s) {
	case English, Spanish:
		return Language(s), true
	}
	return English, false
}

// Limits on subscriptions.
const (
	MaxZIPsPerSubscriber = 5
	MinRadiusM           = 100
	MaxRadiusM           = 50_000
	// MaxSubscriberRadiusM bounds the radius of a point subscription.
	MaxSubscriberRadiusM = 10_000
	// ZIPAreaRadiusM is how far around its centroid a ZIP subscription reaches
	// when an alert targets a circle.
	ZIPAreaRadiusM = 2_000
)

// Circle is a point and a radius in metres.
type Circle struct {
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	RadiusM float64 `json:"radius_m"`
}

// Validate checks the circle's coordinates and radius.
func (c Circle) Validate(field string) error {
	switch {
	case math.IsNaN(c.Lat) || c.Lat < -90 || c.Lat > 90:
		return FieldError(field, "latitude must be between -90 and 90")
	case math.IsNaN(c.Lon) || c.Lon < -180 || c.Lon > 180:
		return FieldError(field, "longitude must be between -180 and 180")
	case math.IsNaN(c.RadiusM) || c.RadiusM < MinRadiusM || c.RadiusM > MaxRadiusM:
		return FieldError(field, "the radius must be between %d m and %d km", MinRadiusM, MaxRadiusM/1000)
	}
	return nil
}

// Area is a set of ZIP codes and, optionally, a circle.
type Area struct {
	ZIPs   []string `json:"zips,omitempty"`
	Circle *Circle  `json:"circle,omitempty"`
}

// Validate checks the form of the area; whether each ZIP exists is checked
// against the ZIP table at the edge.
func (a Area) Validate(field string, maxZIPs int) error {
	if len(a.ZIPs) == 0 && a.Circle == nil {
		return FieldError(field, "give at least one ZIP code or a circle")
	}
	if len(a.ZIPs) > maxZIPs {
		return FieldError(field, "at most %d ZIP codes", maxZIPs)
	}
	for _, z := range a.ZIPs {
		if !IsZIPFormat(z) {
			return FieldError(field, "%q is not a ZIP code (5 digits)", truncate(z, 12))
		}
	}
	if a.Circle != nil {
		return a.Circle.Validate(field)
	}
	return nil
}

// SubscriberArea is one place a subscriber follows: a ZIP centroid or a
// chosen point, as an S2 leaf cell, with a radius of interest.
type SubscriberArea struct {
	ZIP     string
	Cell    uint64
	RadiusM float64
}

// Subscriber is a subscription. The phone number is held only sealed and as
// a keyed hash; neither is opened outside the sender.
type Subscriber struct {
	ID        int64
	PhoneHash []byte
	Sealed    []byte
	Lang      Language
	Active    bool
	Areas     []SubscriberArea
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SignupState is where a web sign-up is.
type SignupState string

// Web sign-up states.
const (
	SignupPending   SignupState = "pending"   // waiting for the sender to text the code
	SignupCodeSent  SignupState = "code_sent" // the code went out (or was refused, silently)
	SignupConfirmed SignupState = "confirmed" // the right code was entered; the sender activates it
	SignupDone      SignupState = "done"
	SignupExpired   SignupState = "expired"
)

// Signup is a subscription asked for on the web, confirmed by a code sent by
// SMS so that nobody can subscribe someone else's number. Sealed holds the
// number and the code, sealed to the sender; CodeHash lets the web tier check
// the code typed back without being able to read the number.
type Signup struct {
	ID        string
	Sealed    []byte
	CodeHash  []byte
	Lang      Language
	Area      Area
	State     SignupState
	Attempts  int
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Signup limits.
const (
	SignupTTL         = 15 * time.Minute
	SignupMaxAttempts = 5
)
