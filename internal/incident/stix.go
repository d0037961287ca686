package incident

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// tocsinNamespace is the namespace of the ids this package derives for
// domain objects and sightings, so that exporting an incident again gives
// its objects the same ids (a new version, not a duplicate, for whoever
// imported the first export). §2.9 forbids the STIX namespace for them.
const tocsinNamespace = "50e8e0ff-176f-41e2-a6ee-af5290ecaa31"

// millis truncates t to the millisecond, in UTC.
func millis(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// objectID is the id of a domain object or sighting: UUIDv5 in tocsin's
// namespace over its type, the service, the incident and a key naming the
// object within the incident.
func objectID(typ, service, incidentID, key string) string {
	name := strings.Join([]string{typ, service, incidentID, key}, "\x00")
	return typ + "--" + uuid.NewSHA1(uuid.MustParse(tocsinNamespace), []byte(name)).String()
}
