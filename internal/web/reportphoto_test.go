package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/photo/phototest"
	"github.com/tocsin/tocsin/internal/store"
)

// orderedMultipart is a report form body with the photo between two sets
// of fields, as a browser may send it.
func orderedMultipart(t *testing.T, before url.Values, photo []byte, after url.Values) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fields := func(v url.Values) {
		for k, vs := range v {
			for _, s := range vs {
				if err := w.WriteField(k, s); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	fields(before)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="photo"; filename="IMG_2041.JPG"`)
	h.Set("Content-Type", "image/jpeg")
	part, err := w.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(photo)
	fields(after)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), &buf
}

// dirState is what a directory holds, and when it last changed: a file
// created and removed again changes its modification time.
func dirState(t *testing.T, dir string) (names []string, mod time.Time) {
	t.Helper()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names, fi.ModTime()
}

// TestReportPhotoNeverOnDisk plays a reporter whose phone sends a 6 MB
// photo with GPS coordinates in its EXIF block, to a server whose
// temporary directory cannot be written (a read-only root): the report is
// taken, its photo stored without any metadata, and nothing is written to
// the temporary directory — the raw photo is never on disk. The small
// fields come before and after the photo (a proof of work may follow it)
// and are all read.
func TestReportPhotoNeverOnDisk(t *testing.T) {
	big, err := phototest.JPEGWithGPS(6 << 20)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		tmpdir func(t *testing.T) string
	}{
		{"TMPDIR a regular file", func(t *testing.T) string {
			f := filepath.Join(t.TempDir(), "not-a-dir")
			if err := os.WriteFile(f, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			return f
		}},
		{"TMPDIR an empty directory", func(t *testing.T) string { return t.TempDir() }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t)
			tmp := tt.tmpdir(t)
			old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
			if err := os.Chtimes(tmp, old, old); err != nil {
				t.Fatal(err)
			}
			t.Setenv("TMPDIR", tmp)
			sysBefore, _ := os.ReadDir("/tmp")
			desc := fmt.Sprintf("big photo report %d", i)
			ct, body := orderedMultipart(t, url.Values{"category": {"raid"}, "zip": {"90210"}},
				big, url.Values{"description": {desc}, "ago": {"15"}})
			req := b.newRequest(http.MethodPost, "/report", body)
			req.Header.Set("Content-Type", ct)
			r := b.do(nil, req)
			wantRedirect(t, r, "/report?sent=1")

			if fi, err := os.Stat(tmp); err != nil || !fi.ModTime().Equal(old) {
				t.Errorf("the temporary directory %s changed during the upload", tmp)
			}
			if fi, _ := os.Stat(tmp); fi.IsDir() {
				if names, _ := dirState(t, tmp); len(names) != 0 {
					t.Errorf("the temporary directory holds %q", names)
				}
			}
			// Nothing in the system's temporary directory either (others may
			// write there: only a file of ours, a multipart spill, counts).
			sysAfter, _ := os.ReadDir("/tmp")
			for _, e := range sysAfter {
				if !slices.ContainsFunc(sysBefore, func(x os.DirEntry) bool { return x.Name() == e.Name() }) && strings.HasPrefix(e.Name(), "multipart-") {
					t.Errorf("a multipart spill file %s appeared in /tmp", e.Name())
				}
			}

			rs, err := b.st.ListReports(context.Background(), store.ReportFilter{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 1 || rs[0].Description != desc || !rs[0].HasPhoto || rs[0].ZIP != "90210" {
				t.Fatalf("reports stored: %+v", rs)
			}
			stored, err := b.st.GetReport(context.Background(), rs[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, bad := range []string{phototest.Marker, "Exif", "GPS"} {
				if bytes.Contains(stored.Photo, []byte(bad)) {
					t.Errorf("the stored photo holds %q", bad)
				}
			}
			if _, format, err := image.Decode(bytes.NewReader(stored.Photo)); err != nil || format != "jpeg" {
				t.Errorf("the stored photo is not a JPEG: %v", err)
			}
			if len(stored.Photo) >= len(big) {
				t.Errorf("the stored photo (%d bytes) is not a new encoding of the upload (%d bytes)", len(stored.Photo), len(big))
			}
		})
	}
}

// TestReportFormFieldBounds: the small fields of a multipart report form
// are kept in memory within bounds — one too long, or too many, is
// refused as too large and nothing is stored — and a file part that is not
// the photo is skipped unread.
func TestReportFormFieldBounds(t *testing.T) {
	b := setup(t)
	many := url.Values{"category": {"raid"}, "zip": {"90210"}, "description": {"many"}}
	for i := range 70 {
		many.Set(fmt.Sprintf("f%d", i), "x")
	}
	for _, tt := range []struct {
		name   string
		fields url.Values
	}{
		{"a field over 16 KB", url.Values{"category": {"raid"}, "zip": {"90210"}, "description": {strings.Repeat("a", 17<<10)}}},
		{"too many fields", many},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantStatus(t, b.postMultipart(nil, "/report", tt.fields, nil), http.StatusRequestEntityTooLarge)
		})
	}
	if rs, _ := b.st.ListReports(context.Background(), store.ReportFilter{Limit: 10}); len(rs) != 0 {
		t.Errorf("%d reports stored from forms over the bounds", len(rs))
	}
	// Another file part, then the fields: the report is taken, without a photo.
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, _ := w.CreateFormFile("attachment", "notes.txt")
	part.Write(bytes.Repeat([]byte("x"), 1<<20))
	for k, v := range map[string]string{"category": "raid", "zip": "90210", "description": "other file"} {
		w.WriteField(k, v)
	}
	w.Close()
	req := b.newRequest(http.MethodPost, "/report", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	wantRedirect(t, b.do(nil, req), "/report?sent=1")
	if rs, _ := b.st.ListReports(context.Background(), store.ReportFilter{Limit: 10}); len(rs) != 1 || rs[0].HasPhoto {
		t.Errorf("reports stored: %+v", rs)
	}
}
