package e2e

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/photo/phototest"
)

// TestReportPhotoReadOnlyTmp runs the real binary as the Compose file does,
// with a temporary directory it cannot write, and plays a reporter whose
// phone sends a 6 MB photo carrying GPS coordinates: the report is taken,
// the stored photo holds no metadata, and nothing was written to the
// temporary directory (the raw photo never touches a disk). TMPDIR is first
// a regular file (unwritable even for root), then an empty directory
// checked afterwards, with the system's /tmp checked for spill files too.
func TestReportPhotoReadOnlyTmp(t *testing.T) {
	big, err := phototest.JPEGWithGPS(6 << 20)
	if err != nil {
		t.Fatal(err)
	}
	for i, tmpdir := range []func() string{
		func() string {
			f := filepath.Join(t.TempDir(), "not-a-dir")
			if err := os.WriteFile(f, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			return f
		},
		func() string { return t.TempDir() },
	} {
		tmp := tmpdir()
		t.Run(fmt.Sprintf("TMPDIR=%s", filepath.Base(tmp)), func(t *testing.T) {
			old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
			if err := os.Chtimes(tmp, old, old); err != nil {
				t.Fatal(err)
			}
			s := startServerWith(t, serverOptions{env: []string{"TMPDIR=" + tmp}})
			sysBefore, _ := os.ReadDir(os.TempDir())
			desc := fmt.Sprintf("six megabyte photo %d", i)

			var body bytes.Buffer
			w := multipart.NewWriter(&body)
			w.WriteField("category", "raid")
			w.WriteField("zip", "90210")
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", `form-data; name="photo"; filename="IMG_2041.JPG"`)
			h.Set("Content-Type", "image/jpeg")
			part, _ := w.CreatePart(h)
			part.Write(big)
			w.WriteField("description", desc) // after the photo, as a proof of work may be
			w.Close()
			req, err := http.NewRequest(http.MethodPost, s.URL+"/report", &body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", w.FormDataContentType())
			c := newClient(t, s)
			mustRedirect(t, "POST /report with a 6 MB photo", c.do(req), "/report")

			if fi, err := os.Stat(tmp); err != nil || !fi.ModTime().Equal(old) {
				t.Errorf("the temporary directory %s changed during the upload", tmp)
			} else if fi.IsDir() {
				if es, _ := os.ReadDir(tmp); len(es) != 0 {
					t.Errorf("the temporary directory holds %d files", len(es))
				}
			}
			sysAfter, _ := os.ReadDir(os.TempDir())
			for _, e := range sysAfter {
				if strings.HasPrefix(e.Name(), "multipart-") && !slices.ContainsFunc(sysBefore, func(x os.DirEntry) bool { return x.Name() == e.Name() }) {
					t.Errorf("a multipart spill file %s appeared in %s", e.Name(), os.TempDir())
				}
			}

			var photo []byte
			db := rawDB(t, filepath.Join(s.DataDir, "tocsin.db"))
			if err := db.QueryRow(`SELECT photo FROM reports WHERE description = ?`, desc).Scan(&photo); err != nil {
				t.Fatalf("the report is not stored: %v\nstderr:\n%s", err, s.Stderr)
			}
			if len(photo) == 0 || !bytes.HasPrefix(photo, []byte{0xFF, 0xD8}) {
				t.Fatalf("the stored photo is not a JPEG (%d bytes)", len(photo))
			}
			for _, bad := range []string{phototest.Marker, "Exif", "GPS"} {
				if bytes.Contains(photo, []byte(bad)) {
					t.Errorf("the stored photo holds %q", bad)
				}
			}
		})
	}
}
