package incident

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tocsin/tocsin/internal/stix"
)

// bundleMap returns the fixture's bundle, decoded, for a test to break.
func bundleMap(t *testing.T) map[string]any {
	t.Helper()
	inc, now := setup(t)
	b, err := IOCs(inc, now)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// first returns the first object of the type in a decoded bundle.
func first(m map[string]any, typ string) map[string]any {
	for _, o := range m["objects"].([]any) {
		if o := o.(map[string]any); o["type"] == typ {
			return o
		}
	}
	panic("no " + typ)
}

func TestValidateRejects(t *testing.T) {
	const missing = "indicator--00000000-0000-4000-8000-000000000000"
	set := func(typ, prop string, v any) func(map[string]any) {
		return func(m map[string]any) { first(m, typ)[prop] = v }
	}
	del := func(typ, prop string) func(map[string]any) {
		return func(m map[string]any) { delete(first(m, typ), prop) }
	}
	tests := []struct {
		name   string
		mutate func(map[string]any)
		want   string
	}{
		// Required properties.
		{"indicator without pattern", del("indicator", "pattern"), "pattern is missing"},
		{"indicator without pattern_type", del("indicator", "pattern_type"), "pattern_type is missing"},
		{"indicator without valid_from", del("indicator", "valid_from"), "valid_from is missing"},
		{"indicator with an empty pattern", set("indicator", "pattern", ""), "pattern is not a non-empty string"},
		{"observed-data without number_observed", del("observed-data", "number_observed"), "number_observed is missing"},
		{"observed-data without first_observed", del("observed-data", "first_observed"), "first_observed is missing"},
		{"observed-data without object_refs", del("observed-data", "object_refs"), "object_refs is missing"},
		{"sighting without sighting_of_ref", del("sighting", "sighting_of_ref"), "sighting_of_ref is missing"},
		{"identity without name", del("identity", "name"), "name is missing"},
		{"SDO without spec_version", del("indicator", "spec_version"), "spec_version"},
		{"SDO of another spec_version", set("sighting", "spec_version", "2.0"), "spec_version"},
		{"SCO of another spec_version", set("ipv4-addr", "spec_version", "2.0"), "spec_version"},
		{"SDO without created", del("observed-data", "created"), "created is missing"},
		{"SDO without modified", del("identity", "modified"), "modified is missing"},
		{"ipv4-addr without value", del("ipv4-addr", "value"), "value is missing"},
		{"network-traffic without protocols", del("network-traffic", "protocols"), "protocols is missing"},
		{"network-traffic with no protocol", set("network-traffic", "protocols", []any{}), "protocols is empty"},
		{"network-traffic without source or destination", del("network-traffic", "src_ref"), "neither src_ref nor dst_ref"},
		{"http-request-ext without request_method", func(m map[string]any) {
			delete(first(m, "network-traffic")["extensions"].(map[string]any)["http-request-ext"].(map[string]any), "request_method")
		}, "request_method is missing"},
		{"http-request-ext not an object", set("network-traffic", "extensions", map[string]any{"http-request-ext": "x"}), "not an object"},
		{"request_header not a dictionary", func(m map[string]any) {
			first(m, "network-traffic")["extensions"].(map[string]any)["http-request-ext"].(map[string]any)["request_header"] = []any{"x"}
		}, "not a dictionary"},
		{"request_header value not a string", func(m map[string]any) {
			first(m, "network-traffic")["extensions"].(map[string]any)["http-request-ext"].(map[string]any)["request_header"] = map[string]any{"A": 1}
		}, "is not a string"},
		// Values.
		{"number_observed 0", set("observed-data", "number_observed", 0), "number_observed is 0"},
		{"number_observed too large", set("observed-data", "number_observed", 1_000_000_000), "want an integer from 1 to 999999999"},
		{"number_observed not an integer", set("observed-data", "number_observed", 1.5), "want an integer"},
		{"count negative", set("sighting", "count", -1), "count is -1"},
		{"port out of range", set("network-traffic", "src_port", 70000), "src_port is 70000"},
		{"ipv4-addr value not an address", set("ipv4-addr", "value", "203.0.113.300"), "not an IPv4 address"},
		{"ipv6-addr value of IPv4", set("ipv6-addr", "value", "203.0.113.7"), "not an IPv6 address"},
		{"modified before created", set("indicator", "modified", "2000-01-01T00:00:00.000Z"), "modified is before created"},
		{"valid_until not after valid_from", func(m map[string]any) {
			first(m, "indicator")["valid_until"] = first(m, "indicator")["valid_from"]
		}, "valid_until is not after valid_from"},
		{"last_observed before first_observed", set("observed-data", "last_observed", "2000-01-01T00:00:00Z"), "last_observed is before"},
		{"last_seen before first_seen", set("sighting", "last_seen", "2000-01-01T00:00:00Z"), "last_seen is before"},
		{"end before start", set("network-traffic", "end", "2000-01-01T00:00:00Z"), "end is before start"},
		{"indicator_types not strings", set("indicator", "indicator_types", []any{1}), "not a list of strings"},
		{"deprecated objects beside object_refs", set("observed-data", "objects", map[string]any{}), "deprecated"},
		// Timestamps.
		{"created without milliseconds", set("indicator", "created", "2026-03-14T09:00:05Z"), "millisecond"},
		{"created with an offset", set("indicator", "created", "2026-03-14T09:00:05.123+01:00"), "not a STIX timestamp"},
		{"valid_from in another form", set("indicator", "valid_from", "14 March 2026"), "not a STIX timestamp"},
		{"timestamp not a string", set("sighting", "first_seen", 5), "not a string"},
		// Ids.
		{"bad id prefix", set("indicator", "id", "malware--6f4d3e2c-1b0a-4c9d-8e7f-6a5b4c3d2e1f"), `does not start with "indicator--"`},
		{"no id", del("sighting", "id"), "no id"},
		{"bad UUID", set("indicator", "id", "indicator--not-a-uuid"), "is not a UUID"},
		{"UUID with a bad character", set("indicator", "id", "indicator--6f4d3e2c-1b0a-4c9d-8e7f-6a5b4c3d2e1g"), "is not a UUID"},
		{"UUID of version 0", set("indicator", "id", "indicator--6f4d3e2c-1b0a-0c9d-8e7f-6a5b4c3d2e1f"), "version 1 to 5"},
		{"UUID of another variant", set("indicator", "id", "indicator--6f4d3e2c-1b0a-4c9d-ce7f-6a5b4c3d2e1f"), "RFC 4122 variant"},
		{"bad type name", set("identity", "type", "Identity"), "not a valid STIX type name"},
		{"type name with --", set("identity", "type", "x--y"), "not a valid STIX type name"},
		{"no type", del("identity", "type"), "no type"},
		{"SCO id not its deterministic id", set("ipv4-addr", "value", "192.0.2.99"), "deterministic id"},
		{"duplicate object", func(m map[string]any) {
			m["objects"] = append(m["objects"].([]any), first(m, "indicator"))
		}, "appears twice"},
		// References.
		{"dangling sighting_of_ref", set("sighting", "sighting_of_ref", missing), "does not resolve"},
		{"dangling observed_data_refs", set("sighting", "observed_data_refs", []any{"observed-data--00000000-0000-4000-8000-000000000000"}), "does not resolve"},
		{"dangling created_by_ref", set("indicator", "created_by_ref", "identity--00000000-0000-4000-8000-000000000000"), "does not resolve"},
		{"dangling nested ref", func(m map[string]any) {
			first(m, "network-traffic")["extensions"].(map[string]any)["x-ext"] = map[string]any{"thing_ref": missing}
		}, "thing_ref " + missing + " does not resolve"},
		{"ref that is not an id", set("sighting", "where_sighted_refs", []any{"the moon"}), "is not an id"},
		{"refs that are not a list", set("sighting", "where_sighted_refs", "identity--x"), "not a list"},
		{"empty refs", set("sighting", "observed_data_refs", []any{}), "observed_data_refs is empty"},
		{"created_by_ref to an indicator", func(m map[string]any) {
			first(m, "sighting")["created_by_ref"] = first(m, "indicator")["id"]
		}, "is a indicator, want one of identity"},
		{"where_sighted_refs to an indicator", func(m map[string]any) {
			first(m, "sighting")["where_sighted_refs"] = []any{first(m, "indicator")["id"]}
		}, "want one of identity, location"},
		{"sighting of an observable", func(m map[string]any) {
			first(m, "sighting")["sighting_of_ref"] = first(m, "ipv4-addr")["id"]
		}, "sighting_of_ref"},
		{"object_refs to an SDO", func(m map[string]any) {
			first(m, "observed-data")["object_refs"] = []any{first(m, "indicator")["id"]}
		}, "object_refs"},
		{"src_ref to a sighting", func(m map[string]any) {
			first(m, "network-traffic")["src_ref"] = first(m, "sighting")["id"]
		}, "src_ref"},
		// Patterns.
		{"pattern with unbalanced brackets", set("indicator", "pattern", "[ipv4-addr:value = '203.0.113.7'"), "']' to close"},
		{"pattern with an unquoted string", set("indicator", "pattern", "[ipv4-addr:value = 203.0.113.7]"), "pattern"},
		{"pattern with a bad operator", set("indicator", "pattern", "[ipv4-addr:value EQ '203.0.113.7']"), "comparison operator"},
		{"pattern with a bad escape", set("indicator", "pattern", `[ipv4-addr:value = '203.0.113.7\x']`), "bad escape"},
		{"pattern with an empty observation", set("indicator", "pattern", "[]"), "empty observation"},
		// The bundle.
		{"bundle of another type", func(m map[string]any) { m["type"] = "report" }, `want "bundle"`},
		{"bundle id of another type", func(m map[string]any) { m["id"] = "report--6f4d3e2c-1b0a-4c9d-8e7f-6a5b4c3d2e1f" }, `"bundle--"`},
		{"objects not a list", func(m map[string]any) { m["objects"] = map[string]any{} }, "objects is not a list"},
		{"object not an object", func(m map[string]any) { m["objects"] = append(m["objects"].([]any), "x") }, "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := bundleMap(t)
			tt.mutate(m)
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			err = stix.Validate(b)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestValidateNotJSON(t *testing.T) {
	for _, doc := range []string{``, `[]`, `{"type":"bundle"} {}`, `{`} {
		if err := stix.Validate([]byte(doc)); err == nil {
			t.Errorf("Validate(%q) = nil", doc)
		}
	}
}

// TestValidateAccepts checks bundles IOCs does not write but STIX allows:
// no objects, a relationship, a custom object, a marking reference, a CIDR
// value, an observable with a version 4 id, optional properties left out.
func TestValidateAccepts(t *testing.T) {
	const id = "identity--6f4d3e2c-1b0a-4c9d-8e7f-6a5b4c3d2e1f"
	for _, doc := range []string{
		`{"type":"bundle","id":"bundle--6f4d3e2c-1b0a-4c9d-8e7f-6a5b4c3d2e1f"}`,
		`{"type":"bundle","id":"bundle--6f4d3e2c-1b0a-4c9d-8e7f-6a5b4c3d2e1f","objects":[
			{"type":"identity","spec_version":"2.1","id":"` + id + `","created":"2016-04-06T20:03:00.000Z","modified":"2016-04-06T20:03:00.000Z","name":"ACME",
			 "object_marking_refs":["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"]},
			{"type":"relationship","spec_version":"2.1","id":"relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad","created":"2016-04-06T20:06:37.000Z","modified":"2016-04-06T20:06:37.000Z",
			 "relationship_type":"related-to","source_ref":"` + id + `","target_ref":"` + id + `"},
			{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da","created":"2016-08-01T00:00:00.000Z",
			 "definition_type":"statement","definition":{"statement":"Copyright 2016, Example Corp"}},
			{"type":"x-acme-widget","id":"x-acme-widget--6f4d3e2c-1b0a-4c9d-8e7f-6a5b4c3d2e1f","owner_ref":"` + id + `"},
			{"type":"ipv4-addr","id":"ipv4-addr--ff26c255-6336-4bc5-b98d-13d6226742dd","value":"198.51.100.0/24"},
			{"type":"ipv6-addr","id":"ipv6-addr--ff26c255-6336-4bc5-b98d-13d6226742dd","value":"2001:db8::/32"},
			{"type":"observed-data","spec_version":"2.1","id":"observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf","created":"2016-04-06T19:58:16.000Z","modified":"2016-04-06T19:58:16.000Z",
			 "first_observed":"2015-12-21T19:00:00Z","last_observed":"2015-12-21T19:00:00Z","number_observed":50,"object_refs":["ipv4-addr--ff26c255-6336-4bc5-b98d-13d6226742dd"]},
			{"type":"sighting","spec_version":"2.1","id":"sighting--ee20065d-2555-424f-ad9e-0f8428623c75","created":"2016-08-22T14:09:00.123Z","modified":"2016-08-22T14:09:00.123Z",
			 "sighting_of_ref":"` + id + `"}
		]}`,
	} {
		if err := stix.Validate([]byte(doc)); err != nil {
			t.Errorf("Validate(%s) = %v", doc, err)
		}
	}
}
