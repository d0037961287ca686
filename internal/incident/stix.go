package incident

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// specVersion is the STIX version of every object this package writes.
const specVersion = "2.1"

// stixNamespace is the namespace of the deterministic (UUIDv5) ids of cyber
// observables, STIX 2.1 §2.9.
const stixNamespace = "00abedb4-aa42-466c-9c01-fed23315a9b7"

// tocsinNamespace is the namespace of the ids this package derives for
// domain objects and sightings, so that exporting an incident again gives
// its objects the same ids (a new version, not a duplicate, for whoever
// imported the first export). §2.9 forbids the STIX namespace for them.
const tocsinNamespace = "50e8e0ff-176f-41e2-a6ee-af5290ecaa31"

// stampLayout is a STIX timestamp: RFC 3339, UTC, "Z", milliseconds, the
// precision STIX requires of created and modified.
const stampLayout = "2006-01-02T15:04:05.000Z"

// stamp is a time that encodes as a STIX timestamp.
type stamp time.Time

func (t stamp) String() string { return time.Time(t).UTC().Format(stampLayout) }

// MarshalText makes encoding/json write a stamp as a string.
func (t stamp) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// millis truncates t to the millisecond, in UTC.
func millis(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// scoID is the deterministic id of a cyber observable: UUIDv5 in the STIX
// namespace over the canonical JSON of its id-contributing properties.
func scoID(typ string, contributing map[string]any) (string, error) {
	name, err := canonicalJSON(contributing)
	if err != nil {
		return "", err
	}
	return typ + "--" + uuid.NewSHA1(uuid.MustParse(stixNamespace), name).String(), nil
}

// objectID is the id of a domain object or sighting: UUIDv5 in tocsin's
// namespace over its type, the service, the incident and a key naming the
// object within the incident.
func objectID(typ, service, incidentID, key string) string {
	name := strings.Join([]string{typ, service, incidentID, key}, "\x00")
	return typ + "--" + uuid.NewSHA1(uuid.MustParse(tocsinNamespace), []byte(name)).String()
}

// sdo holds the properties every domain object and relationship has.
type sdo struct {
	Type         string `json:"type"`
	SpecVersion  string `json:"spec_version"`
	ID           string `json:"id"`
	CreatedByRef string `json:"created_by_ref,omitempty"`
	Created      stamp  `json:"created"`
	Modified     stamp  `json:"modified"`
}

type identity struct {
	sdo
	Name          string `json:"name"`
	Description   string `json:"description,omitempty"`
	IdentityClass string `json:"identity_class,omitempty"`
}

type indicator struct {
	sdo
	Name           string   `json:"name,omitempty"`
	Description    string   `json:"description,omitempty"`
	IndicatorTypes []string `json:"indicator_types,omitempty"`
	Pattern        string   `json:"pattern"`
	PatternType    string   `json:"pattern_type"`
	PatternVersion string   `json:"pattern_version,omitempty"`
	ValidFrom      stamp    `json:"valid_from"`
	ValidUntil     *stamp   `json:"valid_until,omitempty"`
}

type observedData struct {
	sdo
	FirstObserved  stamp    `json:"first_observed"`
	LastObserved   stamp    `json:"last_observed"`
	NumberObserved int      `json:"number_observed"`
	ObjectRefs     []string `json:"object_refs"`
}

type sighting struct {
	sdo
	Description      string   `json:"description,omitempty"`
	FirstSeen        stamp    `json:"first_seen"`
	LastSeen         stamp    `json:"last_seen"`
	Count            int      `json:"count"`
	SightingOfRef    string   `json:"sighting_of_ref"`
	ObservedDataRefs []string `json:"observed_data_refs"`
	WhereSightedRefs []string `json:"where_sighted_refs"`
}

// addrObject is an ipv4-addr or ipv6-addr observable.
type addrObject struct {
	Type        string `json:"type"`
	SpecVersion string `json:"spec_version"`
	ID          string `json:"id"`
	Value       string `json:"value"`
}

type networkTraffic struct {
	Type        string                    `json:"type"`
	SpecVersion string                    `json:"spec_version"`
	ID          string                    `json:"id"`
	Start       stamp                     `json:"start"`
	SrcRef      string                    `json:"src_ref"`
	SrcPort     *int                      `json:"src_port,omitempty"`
	Protocols   []string                  `json:"protocols"`
	Extensions  map[string]httpRequestExt `json:"extensions,omitempty"`
}

type httpRequestExt struct {
	RequestMethod string            `json:"request_method"`
	RequestValue  string            `json:"request_value"`
	RequestHeader map[string]string `json:"request_header,omitempty"`
}

type bundle struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Objects []any  `json:"objects"`
}
