package public

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/photo"
)

// Bounds on the small fields of the report form (everything but the
// photo), kept in memory as they are read.
const (
	maxReportFieldBytes = 16 << 10  // one field's value
	maxReportFields     = 64        // parts that are not the photo
	maxReportFormFields = 128 << 10 // all of them together
)

// errReportForm: the report form's fields exceed their bounds.
var errReportForm = errors.New("the report form's fields are too large")

// reportUpload is the photo of a report form, sanitised as it was read.
type reportUpload struct {
	photo []byte // the sanitised JPEG; nil for none
	err   error  // what Sanitize said of the file, if it refused it
}

// readReportForm reads the report form's body: a URL-encoded one with
// ParseForm; a multipart one part by part, in order, with the small fields
// (the abuse limits' proof of work among them, before or after the photo)
// put in r.Form and r.PostForm within the bounds above, and the photo part
// streamed straight into photo.Sanitize. The raw photo, with its EXIF and
// GPS data, is never written to disk (ParseMultipartForm would spill a
// file over its memory limit into a temporary file), and a read-only root
// does not refuse it. Another file part is skipped unread.
func readReportForm(r *http.Request) (reportUpload, error) {
	var up reportUpload
	mr, err := r.MultipartReader()
	if errors.Is(err, http.ErrNotMultipart) {
		return up, r.ParseForm()
	}
	if err != nil {
		return up, err
	}
	vals, total, seenPhoto := url.Values{}, 0, false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return up, err
		}
		name := part.FormName()
		switch {
		case part.FileName() != "" && name == "photo" && !seenPhoto:
			seenPhoto = true
			up.photo, up.err = photo.Sanitize(part, photo.DefaultMaxBytes)
			if tooLarge := (*http.MaxBytesError)(nil); errors.As(up.err, &tooLarge) {
				return up, up.err // the whole body is over its limit
			}
		case part.FileName() != "":
			// Not ours: NextPart skips what is left of it.
		default:
			v, err := readField(part)
			if err != nil {
				return up, err
			}
			if total += len(name) + len(v); total > maxReportFormFields || len(vals) >= maxReportFields {
				return up, errReportForm
			}
			vals.Add(name, v)
		}
		part.Close()
	}
	r.PostForm = vals
	r.Form = url.Values{}
	for k, vs := range vals {
		r.Form[k] = append(r.Form[k], vs...)
	}
	for k, vs := range r.URL.Query() {
		r.Form[k] = append(r.Form[k], vs...)
	}
	return up, nil
}

// readField reads the value of a small field, at most
// maxReportFieldBytes.
func readField(part *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(part, maxReportFieldBytes+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxReportFieldBytes {
		return "", fmt.Errorf("%w: field %q", errReportForm, part.FormName())
	}
	return string(b), nil
}

// photoError is the form's error for a photo Sanitize refused.
func photoError(err error) error {
	switch {
	case errors.Is(err, photo.ErrTooLarge):
		return tocsin.FieldError("photo", "the photo is larger than %d MB", photo.DefaultMaxBytes>>20)
	case errors.Is(err, photo.ErrDimensions):
		return tocsin.FieldError("photo", "the photo has too many pixels")
	}
	return tocsin.FieldError("photo", "the file is not a JPEG, PNG or GIF picture")
}
