package tocsin

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Category is what a reporter saw.
type Category string

// The documented report categories. The API contract fixes these names.
const (
	CategoryCheckpoint Category = "checkpoint"
	CategoryRaid       Category = "raid"
	CategoryVehicle    Category = "vehicle"
	CategoryDetention  Category = "detention"
	CategoryOther      Category = "other"
)

// Categories lists the categories in the order forms show them.
func Categories() []Category {
	return []Category{CategoryCheckpoint, CategoryRaid, CategoryVehicle, CategoryDetention, CategoryOther}
}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool {
	for _, k := range Categories() {
		if c == k {
			return true
		}
	}
	return false
}

// ReportState is where a report is in triage.
type ReportState string

// Report states: new → verified / false / duplicate / expired.
const (
	ReportNew       ReportState = "new"
	ReportVerified  ReportState = "verified"
	ReportFalse     ReportState = "false"
	ReportDuplicate ReportState = "duplicate"
	ReportExpired   ReportState = "expired"
)

// ReportStates lists every state.
func ReportStates() []ReportState {
	return []ReportState{ReportNew, ReportVerified, ReportFalse, ReportDuplicate, ReportExpired}
}

// Valid reports whether s is a known state.
func (s ReportState) Valid() bool {
	for _, k := range ReportStates() {
		if s == k {
			return true
		}
	}
	return false
}

// Source says through which door a report came. It never identifies the reporter.
type Source string

// Report sources.
const (
	SourceWeb Source = "web"
	SourceAPI Source = "api"
	SourceSMS Source = "sms"
)

// Limits on report input.
const (
	MaxDescription = 1000 // characters
	MaxPlaceText   = 200  // characters
	MaxObservedAge = 24 * time.Hour
	DefaultTTL     = 6 * time.Hour
)

// Report is what is kept of a report: the place snapped to a coarse cell and
// nothing about who sent it.
type Report struct {
	ID          string
	Category    Category
	Description string
	PlaceText   string // cross streets or landmarks, as typed, for operators
	ZIP         string
	Cell        uint64 // S2 cell at the coarse report level
	ObservedAt  time.Time
	ReceivedAt  time.Time
	ExpiresAt   time.Time
	State       ReportState
	Source      Source
	HasPhoto    bool
	Photo       []byte // JPEG with no metadata; only filled when asked for
}

// ReportInput is a report as submitted, before the place is resolved.
type ReportInput struct {
	Category    Category
	Description string
	PlaceText   string
	ZIP         string
	Lat, Lon    *float64
	ObservedAt  *time.Time
	Photo       []byte // already sanitised
	Source      Source
}

// Validate checks the input and returns an EINVALID *Error naming the first
// field at fault.
func (in *ReportInput) Validate(now time.Time) error {
	in.Description = strings.TrimSpace(in.Description)
	in.PlaceText = strings.TrimSpace(in.PlaceText)
	in.ZIP = strings.TrimSpace(in.ZIP)
	switch {
	case in.Category == "":
		return FieldError("category", "choose what you saw: one of checkpoint, raid, vehicle, detention, other")
	case !in.Category.Valid():
		return FieldError("category", "%q is not a category; use one of checkpoint, raid, vehicle, detention, other", truncate(string(in.Category), 40))
	case !utf8.ValidString(in.Description) || !utf8.ValidString(in.PlaceText):
		return FieldError("description", "the text is not valid UTF-8")
	case in.Description == "":
		return FieldError("description", "describe what you saw")
	case utf8.RuneCountInString(in.Description) > MaxDescription:
		return FieldError("description", "the description is longer than %d characters", MaxDescription)
	case utf8.RuneCountInString(in.PlaceText) > MaxPlaceText:
		return FieldError("place", "the place text is longer than %d characters", MaxPlaceText)
	}
	if err := in.validatePlace(); err != nil {
		return err
	}
	if in.ObservedAt != nil {
		t := *in.ObservedAt
		switch {
		case t.After(now.Add(5 * time.Minute)):
			return FieldError("observed_at", "the time observed is in the future")
		case t.Before(now.Add(-MaxObservedAge)):
			return FieldError("observed_at", "the time observed is more than 24 hours ago")
		}
	}
	return nil
}

func (in *ReportInput) validatePlace() error {
	if (in.Lat == nil) != (in.Lon == nil) {
		return FieldError("lat", "give both lat and lon, or a ZIP code")
	}
	if in.Lat != nil {
		lat, lon := *in.Lat, *in.Lon
		if math.IsNaN(lat) || lat < -90 || lat > 90 {
			return FieldError("lat", "latitude must be between -90 and 90")
		}
		if math.IsNaN(lon) || lon < -180 || lon > 180 {
			return FieldError("lon", "longitude must be between -180 and 180")
		}
		return nil
	}
	if in.ZIP == "" {
		return FieldError("zip", "give a ZIP code or a location")
	}
	if !IsZIPFormat(in.ZIP) {
		return FieldError("zip", "a ZIP code is 5 digits")
	}
	return nil
}

// IsZIPFormat reports whether s is five ASCII digits.
func IsZIPFormat(s string) bool {
	if len(s) != 5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
