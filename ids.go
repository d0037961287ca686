package tocsin

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"
)

// NewReport builds the report kept for validated input whose place is
// already resolved to a coarse cell. Times are rounded to the minute so that
// the stored time does not single out a request.
func NewReport(in ReportInput, cell uint64, now time.Time) *Report {
	received := now.UTC().Truncate(time.Minute)
	observed := received
	if in.ObservedAt != nil {
		observed = in.ObservedAt.UTC().Truncate(time.Minute)
	}
	return &Report{
		ID:          NewID(),
		Category:    in.Category,
		Description: in.Description,
		PlaceText:   in.PlaceText,
		ZIP:         in.ZIP,
		Cell:        cell,
		ObservedAt:  observed,
		ReceivedAt:  received,
		ExpiresAt:   received.Add(DefaultTTL),
		State:       ReportNew,
		Source:      in.Source,
		Photo:       in.Photo,
		HasPhoto:    len(in.Photo) > 0,
	}
}

// NewID returns a random, unguessable identifier.
func NewID() string {
	b := make([]byte, 10)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// NewAlertRef returns a short reference code for the end of an alert text,
// from an alphabet without look-alike characters.
func NewAlertRef() string {
	b := make([]byte, AlertRefLen)
	rand.Read(b)
	for i := range b {
		b[i] = AlertRefAlphabet[int(b[i])%len(AlertRefAlphabet)]
	}
	return string(b)
}
