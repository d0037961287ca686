package stix

import "github.com/google/uuid"

// SpecVersion is the STIX version of every object tocsin writes, and the
// only one Validate accepts.
const SpecVersion = "2.1"

// stixNamespace is the namespace of the deterministic (UUIDv5) ids of cyber
// observables, STIX 2.1 §2.9.
const stixNamespace = "00abedb4-aa42-466c-9c01-fed23315a9b7"

// ObservableID is the deterministic id of a cyber observable: UUIDv5 in the
// STIX namespace over the canonical JSON of its id-contributing properties.
func ObservableID(typ string, contributing map[string]any) (string, error) {
	name, err := CanonicalJSON(contributing)
	if err != nil {
		return "", err
	}
	return typ + "--" + uuid.NewSHA1(uuid.MustParse(stixNamespace), name).String(), nil
}
