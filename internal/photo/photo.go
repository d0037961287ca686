// Package photo sanitizes photos that reporters attach to alerts: it decodes
// the image, applies the camera's orientation, downscales it and re-encodes
// it as a fresh JPEG, so that no byte of the original file survives.
//
// A reporter's photo can identify them: EXIF GPS coordinates, timestamps,
// camera serial numbers, XMP, ICC profiles and comments. This package must
// NEVER copy any segment, chunk or byte of the input to its output, never
// store or log the input, and never decode an image before checking its
// declared size (decompression bombs).
package photo

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"  // registers the GIF decoder
	"image/jpeg" // registers the JPEG decoder and encodes the output
	"image/png"  // registers the PNG decoder
	"io"
	"math"
)

// Limits.
const (
	DefaultMaxBytes = 8 << 20    // default upload limit, bytes
	MaxPixels       = 40_000_000 // largest accepted width*height
	MaxSide         = 12000      // largest accepted width or height
	MaxOutputSide   = 1600       // longest side of the output
	Quality         = 80         // JPEG quality of the output
)

// Sentinel errors; Sanitize's errors wrap one of them.
var (
	ErrTooLarge   = errors.New("photo: file is too large")
	ErrNotImage   = errors.New("photo: not a JPEG, PNG or GIF image")
	ErrDimensions = errors.New("photo: image dimensions are too large")
)

// Sanitize reads a JPEG, PNG or GIF image of at most maxBytes bytes from r
// (maxBytes <= 0 means DefaultMaxBytes) and returns a newly encoded JPEG
// (quality 80, longest side at most 1600 px, EXIF orientation applied,
// transparency flattened onto white, first frame of an animated GIF). The
// output holds only SOI, DQT, SOF0, DHT, SOS, entropy-coded data and EOI:
// no EXIF, XMP, ICC, JFIF or comment segment.
//
// It reads at most maxBytes+1 bytes (ErrTooLarge beyond that) and checks the
// declared dimensions before decoding pixels (ErrDimensions above
// MaxPixels or MaxSide). Decoding may still need up to about 8 bytes per
// source pixel (a 16-bit PNG at the 40 megapixel limit: ~320 MB), so
// callers should bound how many Sanitize calls run at once.
func Sanitize(r io.Reader, maxBytes int64) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	limit := maxBytes
	if limit < math.MaxInt64 {
		limit++ // one byte more tells "too large" from "exactly maxBytes"
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, limit))
	if err != nil {
		return nil, fmt.Errorf("photo: reading: %w", err)
	}
	if n > maxBytes {
		return nil, fmt.Errorf("%w (limit %d bytes)", ErrTooLarge, maxBytes)
	}
	data := buf.Bytes()

	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, ErrNotImage
	}
	// Other packages in the binary may register more decoders; accept
	// only the three we mean to.
	if format != "jpeg" && format != "png" && format != "gif" {
		return nil, ErrNotImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, ErrNotImage
	}
	if cfg.Width > MaxSide || cfg.Height > MaxSide || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, fmt.Errorf("%w: %dx%d (limit %d px a side, %d megapixels)",
			ErrDimensions, cfg.Width, cfg.Height, MaxSide, MaxPixels/1_000_000)
	}

	var src image.Image
	switch format {
	case "jpeg":
		src, err = jpeg.Decode(bytes.NewReader(data))
	case "png":
		src, err = png.Decode(bytes.NewReader(data))
	case "gif":
		src, err = gif.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotImage, err)
	}
	b := src.Bounds()
	if b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, fmt.Errorf("%w: decoded size differs from header", ErrNotImage)
	}

	orient := 1
	if format == "jpeg" {
		orient = exifOrientation(data)
	}
	dst := orientImage(downscale(src, MaxOutputSide), orient)

	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: Quality}); err != nil {
		return nil, fmt.Errorf("photo: encoding: %w", err)
	}
	return out.Bytes(), nil
}

// outputSize scales w×h so that the longer side is at most limit.
func outputSize(w, h, limit int) (int, int) {
	if w <= limit && h <= limit {
		return w, h
	}
	if w >= h {
		return limit, max(1, int((int64(h)*int64(limit)+int64(w)/2)/int64(w)))
	}
	return max(1, int((int64(w)*int64(limit)+int64(h)/2)/int64(h))), limit
}

// downscale returns an opaque RGBA copy of src, composited over white and
// box-filtered (area average) so its longest side is at most limit. It
// converts one source row at a time, so memory beyond src is one row plus
// the output.
func downscale(src image.Image, limit int) *image.RGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	dw, dh := outputSize(sw, sh, limit)
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))

	// colOf[x] is the output column of source column x; colN its width.
	colOf := make([]int, sw)
	colN := make([]uint64, dw)
	for x := 0; x < sw; x++ {
		colOf[x] = x * dw / sw
		colN[colOf[x]]++
	}
	row := image.NewRGBA(image.Rect(0, 0, sw, 1))
	white := image.NewUniform(color.White)
	acc := make([]uint64, 3*dw)
	rows := uint64(0)
	cur := 0
	flush := func(dy int) {
		p := dst.Pix[dy*dst.Stride:]
		for dx := 0; dx < dw; dx++ {
			n := colN[dx] * rows
			for c := 0; c < 3; c++ {
				p[4*dx+c] = uint8((acc[3*dx+c] + n/2) / n)
				acc[3*dx+c] = 0
			}
			p[4*dx+3] = 0xff
		}
		rows = 0
	}
	for y := 0; y < sh; y++ {
		dy := y * dh / sh
		if dy != cur {
			flush(cur)
			cur = dy
		}
		draw.Draw(row, row.Rect, white, image.Point{}, draw.Src)
		draw.Draw(row, row.Rect, src, image.Pt(b.Min.X, b.Min.Y+y), draw.Over)
		pix := row.Pix
		for x := 0; x < sw; x++ {
			a := 3 * colOf[x]
			acc[a] += uint64(pix[4*x])
			acc[a+1] += uint64(pix[4*x+1])
			acc[a+2] += uint64(pix[4*x+2])
		}
		rows++
	}
	flush(cur)
	return dst
}

// orientImage applies an EXIF orientation (1-8) to img.
func orientImage(img *image.RGBA, orient int) *image.RGBA {
	if orient < 2 || orient > 8 {
		return img
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	ow, oh := w, h
	if orient >= 5 {
		ow, oh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var nx, ny int
			switch orient {
			case 2: // mirror horizontal
				nx, ny = w-1-x, y
			case 3: // rotate 180
				nx, ny = w-1-x, h-1-y
			case 4: // mirror vertical
				nx, ny = x, h-1-y
			case 5: // transpose
				nx, ny = y, x
			case 6: // rotate 90 clockwise
				nx, ny = h-1-y, x
			case 7: // transverse
				nx, ny = h-1-y, w-1-x
			case 8: // rotate 90 counter-clockwise
				nx, ny = y, w-1-x
			}
			copy(out.Pix[ny*out.Stride+4*nx:ny*out.Stride+4*nx+4], img.Pix[y*img.Stride+4*x:y*img.Stride+4*x+4])
		}
	}
	return out
}
