package stix

import "time"

// The objects tocsin writes, as encoding/json writes them.

// stampLayout is a STIX timestamp: RFC 3339, UTC, "Z", milliseconds, the
// precision STIX requires of created and modified.
const stampLayout = "2006-01-02T15:04:05.000Z"

// Timestamp is a time that encodes as a STIX timestamp.
type Timestamp time.Time

func (t Timestamp) String() string { return time.Time(t).UTC().Format(stampLayout) }

// MarshalText makes encoding/json write a Timestamp as a string.
func (t Timestamp) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// SDO holds the properties every domain object and relationship has.
type SDO struct {
	Type         string    `json:"type"`
	SpecVersion  string    `json:"spec_version"`
	ID           string    `json:"id"`
	CreatedByRef string    `json:"created_by_ref,omitempty"`
	Created      Timestamp `json:"created"`
	Modified     Timestamp `json:"modified"`
}

// Identity is an identity: who produced a bundle.
type Identity struct {
	SDO
	Name          string `json:"name"`
	Description   string `json:"description,omitempty"`
	IdentityClass string `json:"identity_class,omitempty"`
}

// Indicator is an indicator: a pattern to detect.
type Indicator struct {
	SDO
	Name           string     `json:"name,omitempty"`
	Description    string     `json:"description,omitempty"`
	IndicatorTypes []string   `json:"indicator_types,omitempty"`
	Pattern        string     `json:"pattern"`
	PatternType    string     `json:"pattern_type"`
	PatternVersion string     `json:"pattern_version,omitempty"`
	ValidFrom      Timestamp  `json:"valid_from"`
	ValidUntil     *Timestamp `json:"valid_until,omitempty"`
}

// ObservedData is an observed-data object: observables seen together.
type ObservedData struct {
	SDO
	FirstObserved  Timestamp `json:"first_observed"`
	LastObserved   Timestamp `json:"last_observed"`
	NumberObserved int       `json:"number_observed"`
	ObjectRefs     []string  `json:"object_refs"`
}

// Sighting is a sighting of an indicator, by an identity.
type Sighting struct {
	SDO
	Description      string    `json:"description,omitempty"`
	FirstSeen        Timestamp `json:"first_seen"`
	LastSeen         Timestamp `json:"last_seen"`
	Count            int       `json:"count"`
	SightingOfRef    string    `json:"sighting_of_ref"`
	ObservedDataRefs []string  `json:"observed_data_refs"`
	WhereSightedRefs []string  `json:"where_sighted_refs"`
}

// Address is an ipv4-addr or ipv6-addr observable.
type Address struct {
	Type        string `json:"type"`
	SpecVersion string `json:"spec_version"`
	ID          string `json:"id"`
	Value       string `json:"value"`
}

// NetworkTraffic is a network-traffic observable.
type NetworkTraffic struct {
	Type        string                    `json:"type"`
	SpecVersion string                    `json:"spec_version"`
	ID          string                    `json:"id"`
	Start       Timestamp                 `json:"start"`
	SrcRef      string                    `json:"src_ref"`
	SrcPort     *int                      `json:"src_port,omitempty"`
	Protocols   []string                  `json:"protocols"`
	Extensions  map[string]HTTPRequestExt `json:"extensions,omitempty"`
}

// HTTPRequestExt is the http-request-ext extension of a network-traffic.
type HTTPRequestExt struct {
	RequestMethod string            `json:"request_method"`
	RequestValue  string            `json:"request_value"`
	RequestHeader map[string]string `json:"request_header,omitempty"`
}

// Bundle is a STIX bundle: a list of objects.
type Bundle struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Objects []any  `json:"objects"`
}
