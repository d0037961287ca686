package geo

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/tocsin/tocsin"
	"io"
	"math"
	"slices"
	"strconv"
)

// zctaBin is the ZIP centroid table; see DATA.md and scripts/zipdata.
//
//go:embed zcta.bin
var zctaBin []byte

// zipMagic opens the (gunzipped) ZIP table; the final byte is the version.
const zipMagic = "TZC\x01"

// zipScale is the fixed-point scale of stored coordinates (1e-5 degree,
// about 1.1 m).
const zipScale = 1e5

// maxZIPRecords bounds what a decoder will allocate for a hostile header.
const maxZIPRecords = 100000

// ValidZIP reports whether s is exactly five ASCII digits.
func ValidZIP(s string) bool { return tocsin.IsZIPFormat(s) }

// ZIPCentroid is one row of the ZIP table.
type ZIPCentroid struct {
	ZIP   string
	Point Point
}

// ZIPs maps five-digit ZIP codes to the centroid (internal point) of their
// Census ZIP Code Tabulation Area. It is immutable and safe for concurrent
// use.
type ZIPs struct {
	zips []uint32 // sorted ascending
	lat  []int32  // 1e-5 degree
	lon  []int32
	// byLat holds the row numbers sorted by latitude, for Nearest.
	byLat []int32
}

// LoadZIPs decodes the embedded ZIP table. It allocates about 400 kB and
// takes a few milliseconds: call it once and keep the result.
func LoadZIPs() (*ZIPs, error) { return DecodeZIPs(bytes.NewReader(zctaBin)) }

// Lookup returns the centroid of zip, and false when zip is malformed or not
// in the table.
func (z *ZIPs) Lookup(zip string) (Point, bool) {
	if z == nil || !ValidZIP(zip) {
		return Point{}, false
	}
	n, _ := strconv.ParseUint(zip, 10, 32)
	i, ok := slices.BinarySearch(z.zips, uint32(n))
	if !ok {
		return Point{}, false
	}
	return Point{Lat: float64(z.lat[i]) / zipScale, Lon: float64(z.lon[i]) / zipScale}, true
}

// Len is the number of ZIP codes in the table.
func (z *ZIPs) Len() int {
	if z == nil {
		return 0
	}
	return len(z.zips)
}

// All returns every row, sorted by ZIP (a fresh slice each call).
func (z *ZIPs) All() []ZIPCentroid {
	out := make([]ZIPCentroid, z.Len())
	for i := range out {
		out[i] = ZIPCentroid{
			ZIP:   fmt.Sprintf("%05d", z.zips[i]),
			Point: Point{Lat: float64(z.lat[i]) / zipScale, Lon: float64(z.lon[i]) / zipScale},
		}
	}
	return out
}

// EncodeZIPs writes rows in the embedded-table format: a gzip stream
// (no name, zero mtime, so output is byte-for-byte reproducible) holding
// the magic "TZC\x01", a little-endian uint32 count, then count records of
// little-endian uint32 ZIP, int32 latitude and int32 longitude in 1e-5
// degrees, sorted by ZIP. Rows are validated and sorted first; a malformed
// ZIP, an invalid point or a duplicate ZIP is an error.
func EncodeZIPs(w io.Writer, rows []ZIPCentroid) error {
	if len(rows) > maxZIPRecords {
		return fmt.Errorf("geo: %d ZIP rows is more than the format allows (%d)", len(rows), maxZIPRecords)
	}
	type rec struct {
		zip      uint32
		lat, lon int32
	}
	recs := make([]rec, 0, len(rows))
	for _, r := range rows {
		if !ValidZIP(r.ZIP) {
			return fmt.Errorf("geo: %q is not a five-digit ZIP code", r.ZIP)
		}
		if err := r.Point.Validate(); err != nil {
			return fmt.Errorf("geo: ZIP %s: %w", r.ZIP, err)
		}
		n, _ := strconv.ParseUint(r.ZIP, 10, 32)
		recs = append(recs, rec{
			zip: uint32(n),
			lat: int32(math.Round(r.Point.Lat * zipScale)),
			lon: int32(math.Round(r.Point.Lon * zipScale)),
		})
	}
	slices.SortFunc(recs, func(a, b rec) int {
		switch {
		case a.zip < b.zip:
			return -1
		case a.zip > b.zip:
			return 1
		}
		return 0
	})
	buf := make([]byte, 0, 8+12*len(recs))
	buf = append(buf, zipMagic...)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(recs)))
	for i, r := range recs {
		if i > 0 && recs[i-1].zip == r.zip {
			return fmt.Errorf("geo: ZIP %05d appears twice", r.zip)
		}
		buf = binary.LittleEndian.AppendUint32(buf, r.zip)
		buf = binary.LittleEndian.AppendUint32(buf, uint32(r.lat))
		buf = binary.LittleEndian.AppendUint32(buf, uint32(r.lon))
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(buf); err != nil {
		return err
	}
	return zw.Close()
}

// DecodeZIPs reads a table written by EncodeZIPs, checking that ZIPs are
// strictly increasing and coordinates are in range.
func DecodeZIPs(r io.Reader) (*ZIPs, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("geo: ZIP table: %w", err)
	}
	defer zr.Close()
	var hdr [8]byte
	if _, err := io.ReadFull(zr, hdr[:]); err != nil {
		return nil, fmt.Errorf("geo: ZIP table header: %w", err)
	}
	if string(hdr[:4]) != zipMagic {
		return nil, errors.New("geo: ZIP table: bad magic or unsupported version")
	}
	n := binary.LittleEndian.Uint32(hdr[4:])
	if n > maxZIPRecords {
		return nil, fmt.Errorf("geo: ZIP table claims %d rows, more than %d", n, maxZIPRecords)
	}
	body := make([]byte, 12*int(n))
	if _, err := io.ReadFull(zr, body); err != nil {
		return nil, fmt.Errorf("geo: ZIP table body: %w", err)
	}
	var extra [1]byte
	if k, _ := zr.Read(extra[:]); k != 0 {
		return nil, errors.New("geo: ZIP table: trailing data")
	}
	z := &ZIPs{zips: make([]uint32, n), lat: make([]int32, n), lon: make([]int32, n)}
	for i := range int(n) {
		rec := body[12*i:]
		zip := binary.LittleEndian.Uint32(rec)
		lat := int32(binary.LittleEndian.Uint32(rec[4:]))
		lon := int32(binary.LittleEndian.Uint32(rec[8:]))
		if zip > 99999 || (i > 0 && zip <= z.zips[i-1]) {
			return nil, fmt.Errorf("geo: ZIP table row %d: ZIP %d out of order or out of range", i, zip)
		}
		if lat < -90*zipScale || lat > 90*zipScale || lon < -180*zipScale || lon > 180*zipScale {
			return nil, fmt.Errorf("geo: ZIP table row %d: coordinates out of range", i)
		}
		z.zips[i], z.lat[i], z.lon[i] = zip, lat, lon
	}
	z.buildLatIndex()
	return z, nil
}
