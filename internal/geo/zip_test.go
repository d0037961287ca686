package geo

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestValidZIP(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"90210", true},
		{"00601", true},
		{"99999", true},
		{"", false},
		{"9021", false},
		{"902101", false},
		{"90210-1234", false},
		{" 9021", false},
		{"9021a", false},
		{"٩٠٢١٠", false}, // Arabic-Indic digits are not ASCII
		{"+9021", false},
	}
	for _, tt := range tests {
		if got := ValidZIP(tt.in); got != tt.want {
			t.Errorf("ValidZIP(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestLoadZIPs(t *testing.T) {
	z, err := LoadZIPs()
	if err != nil {
		t.Fatal(err)
	}
	if z.Len() <= 30000 {
		t.Fatalf("Len = %d, want > 30000", z.Len())
	}
	tests := []struct {
		zip  string
		want Point
	}{
		{"90210", Point{34.10, -118.41}},  // Beverly Hills
		{"10001", Point{40.75, -73.99}},   // Manhattan, Chelsea
		{"60614", Point{41.92, -87.65}},   // Chicago, Lincoln Park
		{"94103", Point{37.77, -122.41}},  // San Francisco, SoMa
		{"00601", Point{18.18, -66.75}},   // Adjuntas, Puerto Rico
		{"99501", Point{61.22, -149.86}},  // Anchorage
		{"96813", Point{21.31, -157.85}},  // Honolulu
		{"96799", Point{-14.32, -170.75}}, // American Samoa
		{"96910", Point{13.45, 144.75}},   // Hagåtña, Guam
	}
	for _, tt := range tests {
		t.Run(tt.zip, func(t *testing.T) {
			p, ok := z.Lookup(tt.zip)
			if !ok {
				t.Fatalf("%s missing", tt.zip)
			}
			if d := DistanceMeters(p, tt.want); d > 5000 {
				t.Errorf("%s at %v, %.0f m from expected %v", tt.zip, p, d, tt.want)
			}
		})
	}
	for _, bad := range []string{"00000", "99999", "9021", "abcde", ""} {
		if _, ok := z.Lookup(bad); ok {
			t.Errorf("Lookup(%q) found something", bad)
		}
	}
	var nilZ *ZIPs
	if _, ok := nilZ.Lookup("90210"); ok || nilZ.Len() != 0 {
		t.Error("nil *ZIPs should be empty")
	}
}

// The embedded table must be exactly what EncodeZIPs makes of its own rows:
// this catches a hand-edited or differently generated zcta.bin. The
// uncompressed records are compared: gzip's output bytes change between Go
// releases (Go 1.27 rewrote compress/flate), the records do not.
func TestEmbeddedTableReproducible(t *testing.T) {
	z, err := LoadZIPs()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := EncodeZIPs(&buf, z.All()); err != nil {
		t.Fatal(err)
	}
	got, want := gunzip(t, buf.Bytes()), gunzip(t, zctaBin)
	if !bytes.Equal(got, want) {
		t.Errorf("re-encoded table (%d bytes of records) differs from embedded zcta.bin (%d bytes of records)", len(got), len(want))
	}
	if len(zctaBin) > 1<<20 {
		t.Errorf("zcta.bin is %d bytes, want well under 1 MB", len(zctaBin))
	}
}

func TestEncodeDecodeZIPs(t *testing.T) {
	rows := []ZIPCentroid{
		{"60614", Point{41.922747, -87.647153}},
		{"00601", Point{18.180555, -66.749961}},
		{"90210", Point{34.100517, -118.41463}},
	}
	path := filepath.Join(t.TempDir(), "zips.bin")
	var buf bytes.Buffer
	if err := EncodeZIPs(&buf, rows); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := DecodeZIPs(f)
	if err != nil {
		t.Fatal(err)
	}
	if z.Len() != 3 {
		t.Fatalf("Len = %d", z.Len())
	}
	for _, r := range rows {
		p, ok := z.Lookup(r.ZIP)
		if !ok || DistanceMeters(p, r.Point) > 1.2 {
			t.Errorf("%s: got %v %v, want %v", r.ZIP, p, ok, r.Point)
		}
	}
	if all := z.All(); all[0].ZIP != "00601" || all[2].ZIP != "90210" {
		t.Errorf("All not sorted with leading zeros: %v", all)
	}
}

func TestEncodeZIPsRejects(t *testing.T) {
	tests := []struct {
		name string
		rows []ZIPCentroid
	}{
		{"bad zip", []ZIPCentroid{{"9021", Point{1, 1}}}},
		{"bad point", []ZIPCentroid{{"90210", Point{91, 1}}}},
		{"duplicate", []ZIPCentroid{{"90210", Point{1, 1}}, {"90210", Point{2, 2}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := EncodeZIPs(&bytes.Buffer{}, tt.rows); err == nil {
				t.Error("no error")
			}
		})
	}
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func rawTable(count uint32, recs ...[3]int64) []byte {
	b := []byte(zipMagic)
	b = binary.LittleEndian.AppendUint32(b, count)
	for _, r := range recs {
		b = binary.LittleEndian.AppendUint32(b, uint32(r[0]))
		b = binary.LittleEndian.AppendUint32(b, uint32(int32(r[1])))
		b = binary.LittleEndian.AppendUint32(b, uint32(int32(r[2])))
	}
	return b
}

func TestDecodeZIPsRejects(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"not gzip", []byte("hello")},
		{"bad magic", gz(t, []byte("XXXX\x00\x00\x00\x00"))},
		{"short header", gz(t, []byte("TZC"))},
		{"truncated", gz(t, rawTable(2, [3]int64{1, 0, 0}))},
		{"trailing", gz(t, append(rawTable(1, [3]int64{1, 0, 0}), 0))},
		{"unsorted", gz(t, rawTable(2, [3]int64{5, 0, 0}, [3]int64{4, 0, 0}))},
		{"zip too big", gz(t, rawTable(1, [3]int64{100000, 0, 0}))},
		{"lat out of range", gz(t, rawTable(1, [3]int64{1, 9000001, 0}))},
		{"huge count", gz(t, rawTable(1<<30))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeZIPs(bytes.NewReader(tt.data)); err == nil {
				t.Error("no error")
			}
		})
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
