package web_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/web"
)

// The OpenAPI document is checked with encoding/json and the small schema
// checker below rather than a library: it uses a few JSON Schema keywords
// (type, required, properties, additionalProperties, items, enum, pattern,
// lengths, bounds, date-time, $ref), and the module keeps its dependencies
// few. The checker refuses any other keyword, so the document cannot grow
// past what the test checks.

// openAPIDoc fetches and decodes the served document.
func openAPIDoc(t *testing.T, b *bundle) map[string]any {
	t.Helper()
	r := b.get(nil, "/api/v1/openapi.json")
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q", ct)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.body), &doc); err != nil {
		t.Fatalf("the document is not JSON: %v", err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Fatalf("openapi %q, want 3.1.x", v)
	}
	return doc
}

var methods = []string{"get", "put", "post", "delete", "patch"}

// operations returns the document's operations as mux patterns.
func operations(doc map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for path, item := range doc["paths"].(map[string]any) {
		for _, m := range methods {
			if op, ok := item.(map[string]any)[m].(map[string]any); ok {
				out[strings.ToUpper(m)+" "+path] = op
			}
		}
	}
	return out
}

// Every /api/v1 route registered on the mux is in the document, and every
// operation in the document is a registered route.
func TestOpenAPICoversTheRoutes(t *testing.T) {
	b := setup(t)
	ops := operations(openAPIDoc(t, b))
	var routes []string
	for _, p := range web.RoutesOf(b.srv) {
		if _, path, _ := strings.Cut(p, " "); strings.HasPrefix(path, "/api/v1/") {
			routes = append(routes, p)
			if ops[p] == nil {
				t.Errorf("route %s is not in the OpenAPI document", p)
			}
		}
	}
	if len(routes) < 10 {
		t.Fatalf("found only %d /api/v1 routes: %v", len(routes), routes)
	}
	for op := range ops {
		if !slices.Contains(routes, op) {
			t.Errorf("the OpenAPI document has %s, which is not a route", op)
		}
	}
}

// Every example in the document fits its schema, and every operation has a
// documented error shape for what it can refuse.
func TestOpenAPIExamples(t *testing.T) {
	b := setup(t)
	doc := openAPIDoc(t, b)
	n := 0
	for name, op := range operations(doc) {
		if rb, ok := op["requestBody"].(map[string]any); ok {
			n += checkExamples(t, doc, name+" request", rb)
		}
		for code, resp := range op["responses"].(map[string]any) {
			n += checkExamples(t, doc, name+" "+code, resp.(map[string]any))
		}
	}
	if n < 20 {
		t.Errorf("only %d examples checked", n)
	}
	// The checker itself refuses what does not fit.
	verifyResult := ref(doc, "#/components/schemas/VerifyResult")
	for _, bad := range []string{`{"verdict":"maybe","ref":"","url":"","message":"x"}`, `{"verdict":"alert","ref":"","url":""}`, `{"verdict":"alert","ref":"","url":"","message":"x","extra":1}`} {
		if err := validate(doc, verifyResult, decode(t, bad), ""); err == nil {
			t.Errorf("%s fits VerifyResult", bad)
		}
	}
}

func checkExamples(t *testing.T, doc map[string]any, where string, obj map[string]any) int {
	t.Helper()
	content, _ := obj["content"].(map[string]any)
	n := 0
	for ctype, c := range content {
		media := c.(map[string]any)
		ex, ok := media["example"]
		if !ok {
			continue
		}
		if err := validate(doc, media["schema"], ex, ""); err != nil {
			t.Errorf("%s %s example: %v", where, ctype, err)
		}
		n++
	}
	return n
}

// The handlers' real answers fit the document: each status is one it
// lists for the operation, and each JSON body fits that response's schema.
func TestOpenAPIMatchesTheHandlers(t *testing.T) {
	b := setup(t)
	doc := openAPIDoc(t, b)
	ops := operations(doc)
	a := b.storedAlert("Checkpoint at Main and 3rd.", tocsin.AlertSent, 10, func(a *tocsin.Alert) { a.BodyES = "Reten en Main y 3rd." })
	report := fmt.Sprintf(`{"category":"checkpoint","description":"Two SUVs","zip":"90210","observed_at":%q}`, t0.Add(-10*time.Minute).Format(time.RFC3339))
	approval := `{"kind":"ed25519","key_id":"k","digest":"` + strings.Repeat("ab", 32) + `","signature":"` + strings.Repeat("A", 86) + `==","signed_at":"2026-11-25T14:00:00Z"}`
	calls := []struct {
		op, path, body string
		status         int
	}{
		{"POST /api/v1/reports", "/api/v1/reports", report, 201},
		{"POST /api/v1/reports", "/api/v1/reports", `{"category":"parade","description":"x","zip":"90210"}`, 400},
		{"POST /api/v1/reports", "/api/v1/reports", `{"description":"` + strings.Repeat("x", 70<<10) + `"}`, 413},
		{"GET /api/v1/reports", "/api/v1/reports", "", 401},
		{"POST /api/v1/verify", "/api/v1/verify", `{"text":"Ref ` + a.Ref + `"}`, 200},
		{"POST /api/v1/verify", "/api/v1/verify", `{"text":"tocsin-test: your confirmation code is 424242. It expires in 15 minutes. If you did not ask for it, ignore this message."}`, 200},
		{"POST /api/v1/verify", "/api/v1/verify", `{"text":"Your information has been sent to the authorities."}`, 200},
		{"POST /api/v1/verify", "/api/v1/verify", `{"text":""}`, 400},
		{"GET /api/v1/alerts", "/api/v1/alerts", "", 200},
		{"GET /api/v1/alerts/{id}/statement", "/api/v1/alerts/" + a.ID + "/statement", "", 200},
		{"GET /api/v1/alerts/{id}/statement", "/api/v1/alerts/nope/statement", "", 404},
		{"POST /api/v1/alerts/{id}/approvals", "/api/v1/alerts/nope/approvals", approval, 404},
		{"POST /api/v1/alerts/{id}/approvals", "/api/v1/alerts/" + a.ID + "/approvals", approval, 409},
		{"POST /api/v1/alerts/{id}/approvals", "/api/v1/alerts/" + a.ID + "/approvals", `{"kind":`, 400},
		{"GET /api/v1/notices/{id}/statement", "/api/v1/notices/nope/statement", "", 404},
		{"POST /api/v1/notices/{id}/approvals", "/api/v1/notices/nope/approvals", approval, 404},
		{"GET /api/v1/freeze-orders", "/api/v1/freeze-orders", "", 200},
		{"POST /api/v1/freeze-orders", "/api/v1/freeze-orders", `{"body":"!","key_id":"k","signature":""}`, 400},
		{"GET /api/v1/openapi.json", "/api/v1/openapi.json", "", 200},
		{"GET /api/v1/challenge", "/api/v1/challenge", "", 200},
		{"POST /api/v1/alerts/list", "/api/v1/alerts/list", `{"request":"!","key_id":"k","signature":""}`, 400},
	}
	seen := map[string]bool{}
	for _, c := range calls {
		t.Run(c.op+" "+fmt.Sprint(c.status), func(t *testing.T) {
			seen[c.op] = true
			var r resp
			if c.body != "" || strings.HasPrefix(c.op, "POST") {
				r = b.postJSON(c.path, c.body)
			} else {
				r = b.get(nil, c.path)
			}
			wantStatus(t, r, c.status)
			op := ops[c.op]
			if op == nil {
				t.Fatalf("%s is not in the document", c.op)
			}
			documented, ok := op["responses"].(map[string]any)[fmt.Sprint(c.status)].(map[string]any)
			if !ok {
				t.Fatalf("%s answered %d, which the document does not list", c.op, c.status)
			}
			media, ok := documented["content"].(map[string]any)["application/json"].(map[string]any)
			if !ok {
				return // text/plain
			}
			if err := validate(doc, media["schema"], decode(t, r.body), ""); err != nil {
				t.Errorf("%s %d answer %s: %v", c.op, c.status, truncated(r.body), err)
			}
		})
	}
	for op := range ops {
		if !seen[op] {
			t.Errorf("no call checks %s", op)
		}
	}
}

func truncated(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s: %v", truncated(s), err)
	}
	return v
}

// ref resolves a local JSON pointer such as #/components/schemas/Error.
func ref(doc map[string]any, pointer string) any {
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(pointer, "#/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

// schemaKeywords are the keywords validate understands; annotations are
// ignored.
var schemaKeywords = map[string]bool{"$ref": true, "type": true, "required": true, "properties": true, "additionalProperties": true,
	"items": true, "enum": true, "pattern": true, "minLength": true, "maxLength": true, "minimum": true, "maximum": true, "format": true,
	"description": true, "example": true}

// validate checks v against a JSON Schema (the subset in schemaKeywords).
func validate(doc map[string]any, schema, v any, at string) error {
	s, ok := schema.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: no schema", at)
	}
	for k := range s {
		if !schemaKeywords[k] {
			return fmt.Errorf("%s: the schema uses %q, which this test does not check", at, k)
		}
	}
	if r, ok := s["$ref"].(string); ok {
		return validate(doc, ref(doc, r), v, at)
	}
	if err := validateType(s, v, at); err != nil {
		return err
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, v) {
		return fmt.Errorf("%s: %v is not one of %v", at, v, enum)
	}
	switch v := v.(type) {
	case map[string]any:
		return validateObject(doc, s, v, at)
	case []any:
		for i, e := range v {
			if err := validate(doc, s["items"], e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	case string:
		return validateString(s, v, at)
	case float64:
		if min, ok := s["minimum"].(float64); ok && v < min {
			return fmt.Errorf("%s: %v < %v", at, v, min)
		}
		if max, ok := s["maximum"].(float64); ok && v > max {
			return fmt.Errorf("%s: %v > %v", at, v, max)
		}
	}
	return nil
}

func validateType(s map[string]any, v any, at string) error {
	typ, _ := s["type"].(string)
	ok := true
	switch typ {
	case "":
	case "object":
		_, ok = v.(map[string]any)
	case "array":
		_, ok = v.([]any)
	case "string":
		_, ok = v.(string)
	case "boolean":
		_, ok = v.(bool)
	case "number":
		_, ok = v.(float64)
	case "integer":
		f, isNum := v.(float64)
		ok = isNum && f == math.Trunc(f)
	default:
		return fmt.Errorf("%s: unknown type %q", at, typ)
	}
	if !ok {
		return fmt.Errorf("%s: %v is not of type %s", at, v, typ)
	}
	return nil
}

func validateObject(doc map[string]any, s, v map[string]any, at string) error {
	props, _ := s["properties"].(map[string]any)
	for _, r := range asList(s["required"]) {
		if _, ok := v[r]; !ok {
			return fmt.Errorf("%s: %q is required", at, r)
		}
	}
	for k, e := range v {
		p, ok := props[k]
		if !ok {
			if s["additionalProperties"] == false {
				return fmt.Errorf("%s: %q is not a property of the schema", at, k)
			}
			continue
		}
		if err := validate(doc, p, e, at+"."+k); err != nil {
			return err
		}
	}
	return nil
}

func validateString(s map[string]any, v, at string) error {
	n := float64(utf8.RuneCountInString(v))
	if min, ok := s["minLength"].(float64); ok && n < min {
		return fmt.Errorf("%s: shorter than %v", at, min)
	}
	if max, ok := s["maxLength"].(float64); ok && n > max {
		return fmt.Errorf("%s: longer than %v", at, max)
	}
	if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(v) {
		return fmt.Errorf("%s: %q does not match %s", at, v, p)
	}
	if s["format"] == "date-time" {
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			return fmt.Errorf("%s: %q is not an RFC 3339 time", at, v)
		}
	}
	return nil
}

func asList(v any) []string {
	var out []string
	for _, e := range asAny(v) {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func asAny(v any) []any { l, _ := v.([]any); return l }
