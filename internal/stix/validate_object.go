package stix

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// objectCheck checks the properties of one object.
type objectCheck struct {
	v     *validator
	o     map[string]any
	where string
}

func (c *objectCheck) failf(format string, args ...any) { c.v.failf(c.where, format, args...) }

func (c *objectCheck) commonSDO() {
	if c.o["spec_version"] != SpecVersion {
		c.failf("spec_version is %v, want %q", c.o["spec_version"], SpecVersion)
	}
	created, ok1 := c.stamp("created", true, true)
	modified, ok2 := c.stamp("modified", true, true)
	if ok1 && ok2 && modified.Before(created) {
		c.failf("modified is before created")
	}
	c.ref("created_by_ref", false, "identity")
}

func (c *objectCheck) commonSCO() {
	if sv, ok := c.o["spec_version"]; ok && sv != SpecVersion {
		c.failf("spec_version is %v, want %q", sv, SpecVersion)
	}
	typ := c.o["type"].(string)
	if id := c.o["id"].(string); isV5(id) {
		if want, ok := deterministicID(c.o, typ); ok && want != id {
			c.failf("id is a UUIDv5 but not the deterministic id of its id-contributing properties (%s)", want)
		}
	}
}

func (c *objectCheck) identity() { c.str("name", true) }

func (c *objectCheck) indicator() {
	pattern, _ := c.str("pattern", true)
	ptype, _ := c.str("pattern_type", true)
	if ptype == "stix" && pattern != "" {
		if err := ValidatePattern(pattern); err != nil {
			c.failf("%v", err)
		}
	}
	if _, ok := c.o["pattern_version"]; ok {
		c.str("pattern_version", true)
	}
	from, ok1 := c.stamp("valid_from", true, false)
	until, ok2 := c.stamp("valid_until", false, false)
	if ok1 && ok2 && !until.After(from) {
		c.failf("valid_until is not after valid_from")
	}
	c.strList("indicator_types", false)
}

func (c *objectCheck) observedData() {
	first, ok1 := c.stamp("first_observed", true, false)
	last, ok2 := c.stamp("last_observed", true, false)
	if ok1 && ok2 && last.Before(first) {
		c.failf("last_observed is before first_observed")
	}
	c.integer("number_observed", true, 1, 999_999_999)
	if _, ok := c.o["objects"]; ok {
		c.failf("has objects (deprecated) as well as object_refs")
	}
	c.refs("object_refs", true, append(scoTypes(), "relationship")...)
}

func (c *objectCheck) sighting() {
	c.ref("sighting_of_ref", true, sdoTypes()...)
	c.refs("observed_data_refs", false, "observed-data")
	c.refs("where_sighted_refs", false, "identity", "location")
	first, ok1 := c.stamp("first_seen", false, false)
	last, ok2 := c.stamp("last_seen", false, false)
	if ok1 && ok2 && last.Before(first) {
		c.failf("last_seen is before first_seen")
	}
	c.integer("count", false, 0, 999_999_999)
}

func (c *objectCheck) address() {
	s, ok := c.str("value", true)
	if !ok {
		return
	}
	if err := addrValue(s, c.o["type"] == "ipv6-addr"); err != nil {
		c.failf("%v", err)
	}
}

func (c *objectCheck) networkTraffic() {
	addrs := []string{"ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"}
	src := c.ref("src_ref", false, addrs...)
	dst := c.ref("dst_ref", false, addrs...)
	if !src && !dst {
		c.failf("has neither src_ref nor dst_ref")
	}
	if list := c.strList("protocols", true); list != nil && len(list) == 0 {
		c.failf("protocols is empty")
	}
	c.integer("src_port", false, 0, 65535)
	c.integer("dst_port", false, 0, 65535)
	start, ok1 := c.stamp("start", false, false)
	end, ok2 := c.stamp("end", false, false)
	if ok1 && ok2 && end.Before(start) {
		c.failf("end is before start")
	}
	ext, _ := c.o["extensions"].(map[string]any)
	if http, ok := ext["http-request-ext"]; ok {
		c.httpRequest(http)
	}
}

func (c *objectCheck) httpRequest(x any) {
	h, ok := x.(map[string]any)
	if !ok {
		c.failf("http-request-ext is not an object")
		return
	}
	sub := &objectCheck{v: c.v, o: h, where: c.where + " http-request-ext"}
	sub.str("request_method", true)
	sub.str("request_value", true)
	if hdr, ok := h["request_header"]; ok {
		m, ok := hdr.(map[string]any)
		if !ok {
			sub.failf("request_header is not a dictionary")
		}
		for k, val := range m {
			if _, ok := val.(string); !ok {
				sub.failf("request_header %q is not a string", k)
			}
		}
	}
}

// str reads a string property; a required one must not be empty.
func (c *objectCheck) str(name string, required bool) (string, bool) {
	x, ok := c.o[name]
	if !ok {
		if required {
			c.failf("%s is missing", name)
		}
		return "", false
	}
	s, ok := x.(string)
	if !ok || (required && s == "") {
		c.failf("%s is not a non-empty string", name)
		return "", false
	}
	return s, true
}

func (c *objectCheck) stamp(name string, required, millis bool) (time.Time, bool) {
	x, ok := c.o[name]
	if !ok {
		if required {
			c.failf("%s is missing", name)
		}
		return time.Time{}, false
	}
	t, err := stampValue(x, millis)
	if err != nil {
		c.failf("%s: %v", name, err)
		return time.Time{}, false
	}
	return t, true
}

func (c *objectCheck) integer(name string, required bool, lo, hi int64) {
	x, ok := c.o[name]
	if !ok {
		if required {
			c.failf("%s is missing", name)
		}
		return
	}
	n, ok := x.(json.Number)
	i, err := n.Int64()
	if !ok || err != nil || i < lo || i > hi {
		c.failf("%s is %v, want an integer from %d to %d", name, x, lo, hi)
	}
}

// strList reads a list of strings; nil if it is absent or not one.
func (c *objectCheck) strList(name string, required bool) []string {
	x, ok := c.o[name]
	if !ok {
		if required {
			c.failf("%s is missing", name)
		}
		return nil
	}
	items, ok := x.([]any)
	out := []string{}
	for _, item := range items {
		s, isStr := item.(string)
		ok = ok && isStr
		out = append(out, s)
	}
	if !ok {
		c.failf("%s is not a list of strings", name)
		return nil
	}
	return out
}

// ref checks a reference property's target type (its form and that it
// resolves are checked by refsEverywhere) and reports whether it is there.
func (c *objectCheck) ref(name string, required bool, types ...string) bool {
	x, ok := c.o[name]
	if !ok {
		if required {
			c.failf("%s is missing", name)
		}
		return false
	}
	c.target(name, x, types)
	return true
}

func (c *objectCheck) refs(name string, required bool, types ...string) {
	ids := c.strList(name, required)
	if ids != nil && len(ids) == 0 {
		c.failf("%s is empty", name)
	}
	for _, id := range ids {
		c.target(name, id, types)
	}
}

func (c *objectCheck) target(name string, x any, types []string) {
	id, _ := x.(string)
	if t, ok := c.v.types[id]; ok && !slices.Contains(types, t) {
		c.failf("%s %s is a %s, want one of %s", name, id, t, strings.Join(types, ", "))
	}
}

// refsEverywhere checks every *_ref and *_refs property at any depth: an id
// of the right form that names an object of the bundle.
func (c *objectCheck) refsEverywhere(x any) {
	switch x := x.(type) {
	case []any:
		for _, item := range x {
			c.refsEverywhere(item)
		}
	case map[string]any:
		for k, val := range x {
			switch {
			case strings.HasSuffix(k, "_ref"):
				c.resolves(k, val)
			case strings.HasSuffix(k, "_refs"):
				list, ok := val.([]any)
				if !ok {
					c.failf("%s is not a list", k)
				}
				for _, item := range list {
					c.resolves(k, item)
				}
			default:
				c.refsEverywhere(val)
			}
		}
	}
}

func (c *objectCheck) resolves(name string, x any) {
	id, ok := x.(string)
	typ, _, _ := strings.Cut(id, "--")
	if !ok || checkTypeName(typ) != nil || checkID(id, typ) != nil {
		c.failf("%s %v is not an id", name, x)
		return
	}
	if _, ok := c.v.types[id]; !ok && typ != "marking-definition" {
		c.failf("%s %s does not resolve to an object in the bundle", name, id)
	}
}
