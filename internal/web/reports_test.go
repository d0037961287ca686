package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web"
	"github.com/tocsin/tocsin/internal/web/public"
)

func TestAPIReportCreated(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	const (
		xff   = "203.0.113.77"
		agent = "ProbeAgent/9.9 (tocsin-unique-agent-marker)"
	)
	observed := t0.Add(-30 * time.Minute)
	tests := []struct {
		name  string
		body  string
		point geo.Point
		zip   string
	}{
		{"zip", `{"category":"checkpoint","description":"six agents in vests stopping cars","zip":"90210"}`, b.zipPoint("90210"), "90210"},
		{"lat/lon", `{"category":"vehicle","description":"two unmarked white vans","lat":34.0522,"lon":-118.2437,"place":"Main and 3rd","observed_at":"` + observed.Format(time.RFC3339) + `"}`,
			geo.Point{Lat: 34.0522, Lon: -118.2437}, ""},
		{"zip with spaces", `{"category":"raid","description":"  raid at the plant  ","zip":" 90210 "}`, b.zipPoint("90210"), "90210"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.postJSON("/api/v1/reports", tt.body, "X-Forwarded-For", xff, "User-Agent", agent, "X-Real-IP", xff)
			wantStatus(t, r, http.StatusCreated)
			var out struct {
				ID        string    `json:"id"`
				State     string    `json:"state"`
				ExpiresAt time.Time `json:"expires_at"`
			}
			if err := json.Unmarshal([]byte(r.body), &out); err != nil {
				t.Fatalf("body %q: %v", r.body, err)
			}
			if out.ID == "" || out.State != "new" || !out.ExpiresAt.After(t0) {
				t.Fatalf("body %q: want an id, state new and a future expiry", r.body)
			}
			rep, err := b.st.GetReport(ctx, out.ID)
			if err != nil {
				t.Fatalf("GetReport: %v", err)
			}
			if got := geo.CellLevel(rep.Cell); got != geo.ReportLevel || geo.ReportLevel != 16 {
				t.Errorf("cell level %d, want 16", got)
			}
			if want := geo.SnapCell(tt.point); rep.Cell != want {
				t.Errorf("cell %d, want SnapCell %d", rep.Cell, want)
			}
			if rep.ZIP != tt.zip || rep.Source != tocsin.SourceAPI || rep.State != tocsin.ReportNew {
				t.Errorf("stored %+v", rep)
			}
			if rep.Description != strings.TrimSpace(rep.Description) {
				t.Errorf("description not trimmed: %q", rep.Description)
			}
			if !rep.ReceivedAt.Equal(t0) {
				t.Errorf("received at %v, want %v", rep.ReceivedAt, t0)
			}
			if tt.name == "lat/lon" && !rep.ObservedAt.Equal(observed) {
				t.Errorf("observed at %v, want %v", rep.ObservedAt, observed)
			}
			fields := fmt.Sprintf("%+v", *rep)
			for _, s := range []string{xff, "ProbeAgent", "127.0.0.1"} {
				if strings.Contains(fields, s) {
					t.Errorf("stored report holds %q", s)
				}
			}
		})
	}
	db := b.dbBytes()
	for _, s := range []string{xff, "ProbeAgent", "tocsin-unique-agent-marker", "127.0.0.1"} {
		if bytes.Contains(db, []byte(s)) {
			t.Errorf("the database files contain %q from the request", s)
		}
	}
}

func TestAPIReportInvalid(t *testing.T) {
	b := setup(t)
	future := t0.Add(time.Hour).Format(time.RFC3339)
	old := t0.Add(-25 * time.Hour).Format(time.RFC3339)
	long := strings.Repeat("x", tocsin.MaxDescription+1)
	tests := []struct {
		name, body, contentType string
		field                   string // the field the error names, "" for none
		want                    string // part of the error message
	}{
		{"missing category", `{"description":"vans","zip":"90210"}`, "", "category", "choose what you saw"},
		{"unknown category", `{"category":"parade","description":"vans","zip":"90210"}`, "", "category", "is not a category"},
		{"empty description", `{"category":"raid","description":"   ","zip":"90210"}`, "", "description", "describe what you saw"},
		{"description too long", `{"category":"raid","description":"` + long + `","zip":"90210"}`, "", "description", "longer than 1000"},
		{"place too long", `{"category":"raid","description":"vans","zip":"90210","place":"` + strings.Repeat("p", 201) + `"}`, "", "place", "longer than 200"},
		{"no place", `{"category":"raid","description":"vans"}`, "", "zip", "give a ZIP code or a location"},
		{"bad ZIP format", `{"category":"raid","description":"vans","zip":"9021"}`, "", "zip", "5 digits"},
		{"ZIP with letters", `{"category":"raid","description":"vans","zip":"9021A"}`, "", "zip", "5 digits"},
		{"unknown ZIP", `{"category":"raid","description":"vans","zip":"00000"}`, "", "zip", "not known"},
		{"lat out of range", `{"category":"raid","description":"vans","lat":91,"lon":0}`, "", "lat", "latitude must be between -90 and 90"},
		{"lon out of range", `{"category":"raid","description":"vans","lat":34,"lon":-181}`, "", "lon", "longitude must be between -180 and 180"},
		{"lat without lon", `{"category":"raid","description":"vans","lat":34.05}`, "", "lat", "give both lat and lon"},
		{"lon without lat", `{"category":"raid","description":"vans","lon":-118.2}`, "", "lat", "give both lat and lon"},
		{"observed in the future", `{"category":"raid","description":"vans","zip":"90210","observed_at":"` + future + `"}`, "", "observed_at", "in the future"},
		{"observed over 24h ago", `{"category":"raid","description":"vans","zip":"90210","observed_at":"` + old + `"}`, "", "observed_at", "more than 24 hours ago"},
		{"observed not RFC 3339", `{"category":"raid","description":"vans","zip":"90210","observed_at":"yesterday at noon"}`, "", "observed_at", "RFC 3339"},
		{"wrong type", `{"category":5,"description":"vans","zip":"90210"}`, "", "category", "wrong type"},
		{"malformed JSON", `{"category":"raid","description":`, "", "", ""},
		{"syntax error", `{"category" "raid"}`, "", "", "malformed"},
		{"unknown field", `{"category":"raid","description":"vans","zip":"90210","ip":"1.2.3.4"}`, "", "", `unknown field "ip"`},
		{"two objects", `{"category":"raid","description":"vans","zip":"90210"}{"category":"raid","description":"vans","zip":"90210"}`, "", "", "exactly one JSON object"},
		{"wrong content type", `{"category":"raid","description":"vans","zip":"90210"}`, "text/plain", "", "Content-Type: application/json"},
		{"form content type", `category=raid&description=vans&zip=90210`, "application/x-www-form-urlencoded", "", "application/json"},
		{"no content type", `{"category":"raid","description":"vans","zip":"90210"}`, "-", "", "application/json"},
		{"empty body", ``, "", "", "empty"},
		{"JSON array", `[]`, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := b.newRequest(http.MethodPost, "/api/v1/reports", strings.NewReader(tt.body))
			switch tt.contentType {
			case "":
				req.Header.Set("Content-Type", "application/json")
			case "-":
			default:
				req.Header.Set("Content-Type", tt.contentType)
			}
			r := b.do(nil, req)
			wantStatus(t, r, http.StatusBadRequest)
			msg, code, field := jsonError(t, r)
			if code != tocsin.EINVALID {
				t.Errorf("code %q, want %q", code, tocsin.EINVALID)
			}
			if field != tt.field {
				t.Errorf("field %q, want %q (error %q)", field, tt.field, msg)
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not contain %q", msg, tt.want)
			}
		})
	}
	rs, err := b.st.ListReports(context.Background(), store.ReportFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 0 {
		t.Errorf("%d reports stored from invalid input", len(rs))
	}
}

// countingReader yields a JSON prefix then 'a' forever, counting bytes read.
type countingReader struct {
	prefix string
	n      int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		if c.n < int64(len(c.prefix)) {
			p[i] = c.prefix[c.n]
		} else {
			p[i] = 'a'
		}
		c.n++
	}
	return len(p), nil
}

func TestAPIReportTooLarge(t *testing.T) {
	b := setup(t)
	t.Run("endless body is cut off", func(t *testing.T) {
		body := &countingReader{prefix: `{"category":"raid","zip":"90210","description":"`}
		req := httptest.NewRequest(http.MethodPost, "/api/v1/reports", io.NopCloser(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		b.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413; body %s", rec.Code, rec.Body)
		}
		if body.n > 2*web.MaxBody {
			t.Errorf("the handler read %d bytes of an endless body; want at most about %d", body.n, web.MaxBody)
		}
		var e struct{ Error, Code string }
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code != tocsin.ETOOLARGE || !strings.Contains(e.Error, "larger than") {
			t.Errorf("body %q (%v)", rec.Body, err)
		}
	})
	t.Run("over the network", func(t *testing.T) {
		big := `{"category":"raid","zip":"90210","description":"` + strings.Repeat("a", web.MaxBody+10) + `"}`
		r := b.postJSON("/api/v1/reports", big)
		wantStatus(t, r, http.StatusRequestEntityTooLarge)
		if _, code, _ := jsonError(t, r); code != tocsin.ETOOLARGE {
			t.Errorf("code %q", code)
		}
	})
}

// jpegWithExif returns a small JPEG with an APP1 Exif segment holding marker.
func jpegWithExif(t *testing.T, marker string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for y := range 24 {
		for x := range 32 {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 10), 90, 255})
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	// Exif header, a big-endian TIFF header, an empty IFD0, then the marker
	// where a camera would put GPS and serial numbers.
	var payload bytes.Buffer
	payload.WriteString("Exif\x00\x00")
	payload.WriteString("MM\x00\x2a\x00\x00\x00\x08")
	payload.Write([]byte{0, 0, 0, 0, 0, 0})
	payload.WriteString(marker)
	seg := []byte{0xFF, 0xE1, byte((payload.Len() + 2) >> 8), byte(payload.Len() + 2)}
	seg = append(seg, payload.Bytes()...)
	src := enc.Bytes()
	out := append([]byte{}, src[:2]...) // SOI
	out = append(out, seg...)
	out = append(out, src[2:]...)
	if _, _, err := image.Decode(bytes.NewReader(out)); err != nil {
		t.Fatalf("crafted JPEG does not decode: %v", err)
	}
	if !bytes.Contains(out, []byte(marker)) {
		t.Fatal("marker missing from crafted JPEG")
	}
	return out
}

// multipartBody builds a multipart form; photo may be nil.
func multipartBody(t *testing.T, fields url.Values, photo []byte, photoName string) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if photo != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="photo"; filename=%q`, photoName))
		h.Set("Content-Type", "image/jpeg")
		part, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		part.Write(photo)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), &buf
}

func (b *bundle) postMultipart(c *http.Client, path string, fields url.Values, photo []byte) resp {
	b.t.Helper()
	ct, body := multipartBody(b.t, fields, photo, "IMG_0001.jpg")
	req := b.newRequest(http.MethodPost, path, body)
	req.Header.Set("Content-Type", ct)
	return b.do(c, req)
}

func TestReportFormSuccess(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	const marker = "GPS-51.5007N-SERIAL-XK42-MARKER"
	photoJPEG := jpegWithExif(t, marker)
	fields := func(desc string) url.Values {
		return url.Values{"category": {"raid"}, "zip": {"90210"}, "place": {"Main St and 3rd"}, "ago": {"15"}, "description": {desc}}
	}
	tests := []struct {
		name  string
		send  func() resp
		photo bool
	}{
		{"urlencoded", func() resp { return b.postForm(nil, "/report", fields("urlencoded report")) }, false},
		{"multipart without photo", func() resp { return b.postMultipart(nil, "/report", fields("multipart report"), nil) }, false},
		{"multipart with photo", func() resp { return b.postMultipart(nil, "/report", fields("photo report"), photoJPEG) }, true},
		{"lat/lon", func() resp {
			return b.postForm(nil, "/report", url.Values{"category": {"vehicle"}, "lat": {"34.0522"}, "lon": {"-118.2437"}, "description": {"lat/lon report"}})
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantRedirect(t, tt.send(), "/report?sent=1")
		})
	}
	rs, err := b.st.ListReports(ctx, store.ReportFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	byDesc := map[string]tocsin.Report{}
	for _, r := range rs {
		byDesc[r.Description] = r
	}
	for _, d := range []string{"urlencoded report", "multipart report", "photo report", "lat/lon report"} {
		r, ok := byDesc[d]
		if !ok {
			t.Fatalf("report %q not stored", d)
		}
		if r.Source != tocsin.SourceWeb || geo.CellLevel(r.Cell) != 16 {
			t.Errorf("%q: source %q, cell level %d", d, r.Source, geo.CellLevel(r.Cell))
		}
		if r.HasPhoto != (d == "photo report") {
			t.Errorf("%q: HasPhoto %v", d, r.HasPhoto)
		}
	}
	if got := byDesc["urlencoded report"]; !got.ObservedAt.Equal(t0.Add(-15*time.Minute)) || got.PlaceText != "Main St and 3rd" || got.ZIP != "90210" {
		t.Errorf("urlencoded report stored as %+v", got)
	}
	if got := byDesc["lat/lon report"]; got.Cell != geo.SnapCell(geo.Point{Lat: 34.0522, Lon: -118.2437}) {
		t.Errorf("lat/lon report cell %d", got.Cell)
	}

	// The thank-you page.
	r := b.get(nil, "/report?sent=1")
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "Thank you") {
		t.Error("/report?sent=1 does not thank the reporter")
	}

	// The photo, as an operator sees it: a clean JPEG.
	photoID := byDesc["photo report"].ID
	stored, err := b.st.GetReport(ctx, photoID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(stored.Photo, []byte(marker)) || bytes.Contains(stored.Photo, []byte("Exif")) {
		t.Error("the stored photo keeps its EXIF segment")
	}
	if bytes.Contains(b.dbBytes(), []byte(marker)) {
		t.Error("the database files contain the EXIF marker")
	}
	oc := b.login("dispatch", "dispatcher")
	pr := oc.get("/console/reports/" + photoID + "/photo")
	wantStatus(t, pr, http.StatusOK)
	if ct := pr.Header.Get("Content-Type"); ct != "image/jpeg" {
		t.Errorf("photo Content-Type %q", ct)
	}
	if !strings.HasPrefix(pr.body, "\xFF\xD8") {
		t.Error("photo is not a JPEG")
	}
	if strings.Contains(pr.body, marker) || strings.Contains(pr.body, "Exif") {
		t.Error("the served photo keeps its EXIF segment")
	}
	if _, format, err := image.Decode(strings.NewReader(pr.body)); err != nil || format != "jpeg" {
		t.Errorf("served photo does not decode as JPEG: %v %s", err, format)
	}
	if cc := pr.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("photo Cache-Control %q", cc)
	}
	// A report without a photo, and an unknown id, are 404.
	wantStatus(t, oc.get("/console/reports/"+byDesc["urlencoded report"].ID+"/photo"), http.StatusNotFound)
	wantStatus(t, oc.get("/console/reports/NOPE/photo"), http.StatusNotFound)
	// Nobody else sees the photo.
	r = b.get(nil, "/console/reports/"+photoID+"/photo")
	wantRedirect(t, r, "/console/login")
}

func TestReportFormErrors(t *testing.T) {
	b := setup(t)
	good := func(mod func(url.Values)) url.Values {
		v := url.Values{"category": {"raid"}, "zip": {"90210"}, "description": {"vans"}, "ago": {"0"}}
		mod(v)
		return v
	}
	tests := []struct {
		name      string
		form      url.Values
		multipart bool
		photo     []byte
		want      string
	}{
		{"no category", good(func(v url.Values) { v.Del("category") }), false, nil, "choose what you saw"},
		{"unknown category", good(func(v url.Values) { v.Set("category", "parade") }), false, nil, "is not a category"},
		{"no description", good(func(v url.Values) { v.Set("description", " ") }), false, nil, "describe what you saw"},
		{"description too long", good(func(v url.Values) { v.Set("description", strings.Repeat("é", 1001)) }), false, nil, "longer than 1000"},
		{"no place", good(func(v url.Values) { v.Del("zip") }), false, nil, "give a ZIP code or a location"},
		{"bad ZIP", good(func(v url.Values) { v.Set("zip", "123") }), false, nil, "5 digits"},
		{"unknown ZIP", good(func(v url.Values) { v.Set("zip", "00000") }), false, nil, "ZIP code 00000 is not known"},
		{"lat not a number", good(func(v url.Values) { v.Del("zip"); v.Set("lat", "north"); v.Set("lon", "-118") }), false, nil, "not a pair of numbers"},
		{"lat out of range", good(func(v url.Values) { v.Del("zip"); v.Set("lat", "95"); v.Set("lon", "-118") }), false, nil, "latitude must be between"},
		{"bad ago", good(func(v url.Values) { v.Set("ago", "-5") }), false, nil, "choose when you saw it"},
		{"ago over a day", good(func(v url.Values) { v.Set("ago", "1441") }), false, nil, "choose when you saw it"},
		{"multipart, no description", good(func(v url.Values) { v.Del("description") }), true, nil, "describe what you saw"},
		{"not an image", good(func(url.Values) {}), true, []byte("this is not a picture at all"), "not a JPEG, PNG or GIF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r resp
			if tt.multipart {
				r = b.postMultipart(nil, "/report", tt.form, tt.photo)
			} else {
				r = b.postForm(nil, "/report", tt.form)
			}
			wantStatus(t, r, http.StatusBadRequest)
			text := r.text()
			if !strings.Contains(text, `<p class="field-error">`) {
				t.Errorf("no inline field error in the page")
			}
			if !strings.Contains(text, tt.want) {
				t.Errorf("page does not show %q", tt.want)
			}
			if !strings.Contains(text, "Please correct the marked fields.") {
				t.Errorf("page does not ask to correct the fields")
			}
			// What was typed is kept.
			if d := tt.form.Get("description"); len(d) < 100 && d != " " && d != "" && !strings.Contains(text, d) {
				t.Errorf("the description %q was not kept", d)
			}
		})
	}
	rs, err := b.st.ListReports(context.Background(), store.ReportFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 0 {
		t.Errorf("%d reports stored from invalid forms", len(rs))
	}
}

// A description with markup is shown escaped in the operator's queue.
func TestReportMarkupEscaped(t *testing.T) {
	b := setup(t)
	const evil = `<script>alert(1)</script><img src=x onerror=alert(2)>`
	b.createReport(`{"category":"raid","description":` + jsonString(evil) + `,"zip":"90210","place":"<b>bold</b>"}`)
	oc := b.login("viewer1", "viewer")
	r := oc.get("/console")
	wantStatus(t, r, http.StatusOK)
	if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<img src=x") || strings.Contains(r.body, "<b>bold") {
		t.Error("report text is rendered as markup in the queue")
	}
	if !strings.Contains(r.body, "&lt;script&gt;") {
		t.Error("escaped report text missing from the queue")
	}
	// Re-rendered form after an error escapes too.
	fr := b.postForm(nil, "/report", url.Values{"category": {"raid"}, "description": {evil}})
	wantStatus(t, fr, http.StatusBadRequest)
	if strings.Contains(fr.body, "<script>alert") {
		t.Error("the report form echoes markup unescaped")
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestReportFormTooLarge(t *testing.T) {
	b := setup(t)
	big := bytes.Repeat([]byte{0xAB}, public.MaxReportForm+1024)
	r := b.postMultipart(nil, "/report", url.Values{"category": {"raid"}, "zip": {"90210"}, "description": {"big"}}, big)
	wantStatus(t, r, http.StatusRequestEntityTooLarge)
	if !strings.Contains(r.text(), "the photo must be under 8 MB") {
		t.Errorf("413 page does not explain: %.300s", r.text())
	}
	if rs, _ := b.st.ListReports(context.Background(), store.ReportFilter{Limit: 10}); len(rs) != 0 {
		t.Error("a too-large form was stored")
	}
}
