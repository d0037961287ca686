package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const gpsMarker = "GPSLatitude=34.0522N;GPSLongitude=118.2437W;SECRET-REPORTER-MARKER"

// testImage returns a w×h image: left half red, right half blue.
func testImage(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBA{R: 255, A: 255}
			if x >= w/2 {
				c = color.NRGBA{B: 255, A: 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func segment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
	return append(s, payload...)
}

// exifPayload builds an APP1 Exif payload: a big-endian TIFF with IFD0
// holding Orientation (if orient > 0) and an ASCII tag carrying gpsMarker.
func exifPayload(orient int) []byte {
	var t bytes.Buffer
	t.WriteString("Exif\x00\x00")
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8}
	entries := 1
	if orient > 0 {
		entries = 2
	}
	ifd := binary.BigEndian.AppendUint16(nil, uint16(entries))
	dataOff := 8 + 2 + 12*entries + 4
	if orient > 0 {
		ifd = binary.BigEndian.AppendUint16(ifd, 0x0112)
		ifd = binary.BigEndian.AppendUint16(ifd, 3)
		ifd = binary.BigEndian.AppendUint32(ifd, 1)
		ifd = binary.BigEndian.AppendUint16(ifd, uint16(orient))
		ifd = append(ifd, 0, 0)
	}
	ifd = binary.BigEndian.AppendUint16(ifd, 0x8825) // GPS-ish: ASCII blob
	ifd = binary.BigEndian.AppendUint16(ifd, 2)
	ifd = binary.BigEndian.AppendUint32(ifd, uint32(len(gpsMarker)+1))
	ifd = binary.BigEndian.AppendUint32(ifd, uint32(dataOff))
	ifd = append(ifd, 0, 0, 0, 0)
	tiff = append(tiff, ifd...)
	tiff = append(tiff, gpsMarker...)
	tiff = append(tiff, 0)
	t.Write(tiff)
	return t.Bytes()
}

// spliceJPEG inserts APP1 Exif, APP2 ICC, APP13 and COM segments after SOI.
func spliceJPEG(jpg []byte, orient int) []byte {
	var out bytes.Buffer
	out.Write(jpg[:2])
	out.Write(segment(0xE1, exifPayload(orient)))
	out.Write(segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>"+gpsMarker+"</x:xmpmeta>")))
	out.Write(segment(0xE2, []byte("ICC_PROFILE\x00\x01\x01"+gpsMarker)))
	out.Write(segment(0xED, []byte("Photoshop 3.0\x00"+gpsMarker)))
	out.Write(segment(0xFE, []byte("comment: "+gpsMarker)))
	out.Write(jpg[2:])
	return out.Bytes()
}

func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// splicePNG inserts tEXt, iTXt and eXIf chunks right after IHDR.
func splicePNG(p []byte) []byte {
	const ihdrEnd = 8 + 8 + 13 + 4
	var out bytes.Buffer
	out.Write(p[:ihdrEnd])
	out.Write(pngChunk("tEXt", []byte("Comment\x00"+gpsMarker)))
	out.Write(pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"+gpsMarker)))
	out.Write(pngChunk("eXIf", exifPayload(0)[6:]))
	out.Write(p[ihdrEnd:])
	return out.Bytes()
}

// hugePNG is a PNG signature and IHDR declaring w×h, followed by an IDAT
// of garbage: decoding it would fail (or explode), reading its config not.
func hugePNG(w, h int) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", []byte("not zlib at all"))...)
	return append(out, pngChunk("IEND", nil)...)
}

// hugeJPEG rewrites the SOF0 of a real JPEG to declare w×h.
func hugeJPEG(t *testing.T, w, h int) []byte {
	b := bytes.Clone(encodeJPEG(t, testImage(8, 8)))
	i := bytes.Index(b, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0")
	}
	binary.BigEndian.PutUint16(b[i+5:], uint16(h))
	binary.BigEndian.PutUint16(b[i+7:], uint16(w))
	return b
}

// hugeGIF is a GIF header with a w×h logical screen.
func hugeGIF(w, h int) []byte {
	b := []byte("GIF89a")
	b = binary.LittleEndian.AppendUint16(b, uint16(w))
	b = binary.LittleEndian.AppendUint16(b, uint16(h))
	b = append(b, 0, 0, 0)
	return append(b, 0x3B)
}

// jpegMarkers lists the markers of a JPEG up to and including SOS, and
// checks that it ends with EOI.
func jpegMarkers(t *testing.T, b []byte) []byte {
	t.Helper()
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 || b[len(b)-2] != 0xFF || b[len(b)-1] != 0xD9 {
		t.Fatal("output is not a complete JPEG")
	}
	markers := []byte{0xD8}
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			t.Fatalf("bad marker at %d", i)
		}
		m := b[i+1]
		markers = append(markers, m)
		if m == 0xDA {
			break
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	return markers
}

func checkClean(t *testing.T, out []byte) image.Image {
	t.Helper()
	if bytes.Contains(out, []byte("SECRET-REPORTER-MARKER")) || bytes.Contains(out, []byte("GPS")) {
		t.Fatal("output contains the metadata marker")
	}
	for _, s := range []string{"Exif", "ICC_PROFILE", "xmpmeta", "Photoshop", "JFIF"} {
		if bytes.Contains(out, []byte(s)) {
			t.Fatalf("output contains %q", s)
		}
	}
	allowed := map[byte]bool{0xD8: true, 0xDB: true, 0xC0: true, 0xC4: true, 0xDA: true}
	for _, m := range jpegMarkers(t, out) {
		if !allowed[m] {
			t.Fatalf("output has marker FF%02X", m)
		}
	}
	img, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("output does not decode: %v", err)
	}
	return img
}

func near(c color.Color, r, g, b uint8) bool {
	cr, cg, cb, _ := c.RGBA()
	d := func(a uint32, b uint8) bool {
		x := int(a>>8) - int(b)
		return x > -40 && x < 40
	}
	return d(cr, r) && d(cg, g) && d(cb, b)
}

func TestSanitizeStripsMetadata(t *testing.T) {
	baseJPEG := encodeJPEG(t, testImage(64, 48))
	withMeta := spliceJPEG(baseJPEG, 0)
	// The spliced input must itself be a decodable JPEG that carries the
	// marker, or the test proves nothing.
	if _, err := jpeg.Decode(bytes.NewReader(withMeta)); err != nil {
		t.Fatalf("spliced JPEG does not decode: %v", err)
	}
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, testImage(64, 48), nil); err != nil {
		t.Fatal(err)
	}
	pngMeta := splicePNG(encodePNG(t, testImage(64, 48)))
	if _, err := png.Decode(bytes.NewReader(pngMeta)); err != nil {
		t.Fatalf("spliced PNG does not decode: %v", err)
	}
	tests := []struct {
		name         string
		in           []byte
		wantW, wantH int
	}{
		{"jpeg with exif, xmp, icc, iptc, comment", withMeta, 64, 48},
		{"png with tEXt, iTXt, eXIf", pngMeta, 64, 48},
		{"gif", gifBuf.Bytes(), 64, 48},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Sanitize(bytes.NewReader(tt.in), DefaultMaxBytes)
			if err != nil {
				t.Fatal(err)
			}
			img := checkClean(t, out)
			if b := img.Bounds(); b.Dx() != tt.wantW || b.Dy() != tt.wantH {
				t.Fatalf("size %v, want %dx%d", b, tt.wantW, tt.wantH)
			}
			if !near(img.At(4, 24), 255, 0, 0) || !near(img.At(60, 24), 0, 0, 255) {
				t.Fatalf("pixels wrong: %v %v", img.At(4, 24), img.At(60, 24))
			}
		})
	}
}

func TestSanitizeOrientation(t *testing.T) {
	// 40×20, left half red, right half blue.
	base := encodeJPEG(t, testImage(40, 20))
	tests := []struct {
		orient       int
		wantW, wantH int
		red, blue    image.Point // where red and blue end up
	}{
		{0, 40, 20, image.Pt(5, 10), image.Pt(35, 10)},
		{1, 40, 20, image.Pt(5, 10), image.Pt(35, 10)},
		{2, 40, 20, image.Pt(35, 10), image.Pt(5, 10)},
		{3, 40, 20, image.Pt(35, 10), image.Pt(5, 10)},
		{6, 20, 40, image.Pt(10, 5), image.Pt(10, 35)},
		{8, 20, 40, image.Pt(10, 35), image.Pt(10, 5)},
	}
	for _, tt := range tests {
		t.Run(string(rune('0'+tt.orient)), func(t *testing.T) {
			out, err := Sanitize(bytes.NewReader(spliceJPEG(base, tt.orient)), 0)
			if err != nil {
				t.Fatal(err)
			}
			img := checkClean(t, out)
			if b := img.Bounds(); b.Dx() != tt.wantW || b.Dy() != tt.wantH {
				t.Fatalf("size %v, want %dx%d", b, tt.wantW, tt.wantH)
			}
			if !near(img.At(tt.red.X, tt.red.Y), 255, 0, 0) || !near(img.At(tt.blue.X, tt.blue.Y), 0, 0, 255) {
				t.Fatalf("orientation %d not applied", tt.orient)
			}
		})
	}
}

func TestSanitizeDownscaleAndAlpha(t *testing.T) {
	trans := image.NewNRGBA(image.Rect(0, 0, 30, 30)) // fully transparent
	tests := []struct {
		name         string
		in           []byte
		wantW, wantH int
	}{
		{"landscape", encodeJPEG(t, testImage(4000, 3000)), 1600, 1200},
		{"portrait", encodePNG(t, testImage(900, 2400)), 600, 1600},
		{"exact", encodePNG(t, testImage(1600, 10)), 1600, 10},
		{"thin", encodePNG(t, testImage(5000, 1)), 1600, 1},
		{"transparent", encodePNG(t, trans), 30, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Sanitize(bytes.NewReader(tt.in), 0)
			if err != nil {
				t.Fatal(err)
			}
			img := checkClean(t, out)
			if b := img.Bounds(); b.Dx() != tt.wantW || b.Dy() != tt.wantH {
				t.Fatalf("size %v, want %dx%d", b, tt.wantW, tt.wantH)
			}
			if tt.name == "transparent" && !near(img.At(15, 15), 255, 255, 255) {
				t.Fatalf("transparency not flattened onto white: %v", img.At(15, 15))
			}
			if tt.name == "landscape" && (!near(img.At(100, 600), 255, 0, 0) || !near(img.At(1500, 600), 0, 0, 255)) {
				t.Fatal("downscaled pixels wrong")
			}
		})
	}
}

// countingReader yields an endless stream of zero bytes and counts them.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	clear(p)
	c.n += int64(len(p))
	return len(p), nil
}

func TestSanitizeRejects(t *testing.T) {
	small := encodeJPEG(t, testImage(16, 16))
	tests := []struct {
		name    string
		in      []byte
		max     int64
		wantErr error
	}{
		{"too large", small, int64(len(small)) - 1, ErrTooLarge},
		{"empty", nil, 0, ErrNotImage},
		{"text", []byte("hello, this is not an image"), 0, ErrNotImage},
		{"html", []byte("<svg xmlns='http://www.w3.org/2000/svg'></svg>"), 0, ErrNotImage},
		{"truncated jpeg", small[:len(small)/2], 0, ErrNotImage},
		{"png 50000x50000", hugePNG(50000, 50000), 0, ErrDimensions},
		{"png 13000x10", hugePNG(13000, 10), 0, ErrDimensions},
		{"png 7000x7000", hugePNG(7000, 7000), 0, ErrDimensions},
		{"png zero width", hugePNG(0, 10), 0, ErrNotImage},
		{"png garbage pixels", hugePNG(100, 100), 0, ErrNotImage},
		{"jpeg 60000x60000", hugeJPEG(t, 60000, 60000), 0, ErrDimensions},
		{"jpeg 12001x100", hugeJPEG(t, 12001, 100), 0, ErrDimensions},
		{"gif 65535x65535", hugeGIF(65535, 65535), 0, ErrDimensions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Sanitize(bytes.NewReader(tt.in), tt.max)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if out != nil {
				t.Fatal("output on error")
			}
		})
	}
	// Exactly maxBytes is accepted.
	if _, err := Sanitize(bytes.NewReader(small), int64(len(small))); err != nil {
		t.Fatalf("exact size: %v", err)
	}
	// An endless stream is cut off after maxBytes+1 bytes.
	cr := &countingReader{}
	if _, err := Sanitize(cr, 1<<20); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("endless: %v", err)
	}
	if cr.n > 1<<20+64<<10 {
		t.Fatalf("read %d bytes of an endless stream", cr.n)
	}
}

func TestSanitizeReadError(t *testing.T) {
	r := io.MultiReader(bytes.NewReader([]byte{0xFF, 0xD8}), errReader{})
	if _, err := Sanitize(r, 0); err == nil || errors.Is(err, ErrNotImage) {
		t.Fatalf("err = %v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

func TestSanitizeFile(t *testing.T) {
	// Round trip through a file, as an upload handler would.
	p := filepath.Join(t.TempDir(), "upload.jpg")
	if err := os.WriteFile(p, spliceJPEG(encodeJPEG(t, testImage(32, 32)), 6), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := Sanitize(f, DefaultMaxBytes)
	if err != nil {
		t.Fatal(err)
	}
	checkClean(t, out)
	if strings.Contains(string(out), gpsMarker) {
		t.Fatal("leak")
	}
}

func BenchmarkSanitize12MP(b *testing.B) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(4000, 3000), nil); err != nil {
		b.Fatal(err)
	}
	in := buf.Bytes()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Sanitize(bytes.NewReader(in), 0); err != nil {
			b.Fatal(err)
		}
	}
}
