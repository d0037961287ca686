// Package phototest builds photos as a phone makes them, for tests: a JPEG
// of a given size whose EXIF block holds GPS coordinates. Only tests import
// it; it must never be imported by the binary.
package phototest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
)

// Marker is in the EXIF block of every photo JPEGWithGPS builds (as the
// camera's maker note): a sanitised copy must not hold it, nor "Exif" or
// "GPS".
const Marker = "SECRET-REPORTER-GPS-MARKER"

// JPEGWithGPS returns a JPEG of at least minBytes bytes (a noisy image at
// quality 100, as large as needed) carrying an APP1 EXIF segment with a
// GPS IFD (latitude 34°3'8" N, longitude 118°14'37" W) and Marker.
func JPEGWithGPS(minBytes int) ([]byte, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	side := 256
	for {
		img := image.NewRGBA(image.Rect(0, 0, side, side*3/4))
		for i := 0; i < len(img.Pix); i += 4 {
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(rng.Uint32()), uint8(rng.Uint32()), uint8(rng.Uint32()), 255
		}
		var enc bytes.Buffer
		if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 100}); err != nil {
			return nil, err
		}
		if enc.Len() >= minBytes {
			return spliceEXIF(enc.Bytes())
		}
		// Grow the side by the square root of what is missing, and a bit.
		for grow := float64(minBytes) / float64(enc.Len()); grow > 1; grow /= 1.21 {
			side = side * 11 / 10
		}
		side += 16
	}
}

// spliceEXIF inserts the EXIF segment right after SOI, where cameras put it.
func spliceEXIF(src []byte) ([]byte, error) {
	payload := exifGPS()
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	out := append(append(append([]byte{}, src[:2]...), seg...), payload...)
	out = append(out, src[2:]...)
	if _, _, err := image.DecodeConfig(bytes.NewReader(out)); err != nil {
		return nil, fmt.Errorf("phototest: the JPEG with EXIF does not decode: %w", err)
	}
	return out, nil
}

// exifGPS is an EXIF block: a big-endian TIFF header, IFD0 with a maker
// note (Marker) and a pointer to the GPS IFD, and the GPS IFD.
func exifGPS() []byte {
	be := binary.BigEndian
	var b []byte
	b = append(b, "Exif\x00\x00"...)
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08")
	entry := func(tag, typ uint16, count, value uint32) {
		tiff = be.AppendUint16(tiff, tag)
		tiff = be.AppendUint16(tiff, typ)
		tiff = be.AppendUint32(tiff, count)
		tiff = be.AppendUint32(tiff, value)
	}
	const ascii, long, rational = 2, 4, 5
	// IFD0 at 8: 2 entries (2+24+4 bytes), then the marker at 38, then the
	// GPS IFD.
	marker := Marker + "\x00"
	gpsAt := uint32(38 + len(marker))
	tiff = be.AppendUint16(tiff, 2)
	entry(0x927C, 7, uint32(len(marker)), 38) // maker note (UNDEFINED)
	entry(0x8825, long, 1, gpsAt)             // GPS IFD pointer
	tiff = be.AppendUint32(tiff, 0)
	tiff = append(tiff, marker...)
	// GPS IFD: 4 entries (2+48+4 bytes), then the two rationals.
	ratAt := gpsAt + 2 + 4*12 + 4
	tiff = be.AppendUint16(tiff, 4)
	entry(0x0001, ascii, 2, uint32('N')<<24)
	entry(0x0002, rational, 3, ratAt)
	entry(0x0003, ascii, 2, uint32('W')<<24)
	entry(0x0004, rational, 3, ratAt+24)
	tiff = be.AppendUint32(tiff, 0)
	for _, v := range []uint32{34, 1, 3, 1, 8, 1, 118, 1, 14, 1, 37, 1} {
		tiff = be.AppendUint32(tiff, v)
	}
	return append(b, tiff...)
}
