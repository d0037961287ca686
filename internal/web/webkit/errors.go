package webkit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/tocsin/tocsin"
)

// statusOf maps tocsin error codes to HTTP status codes, in one table.
func StatusOf(code string) int {
	switch code {
	case tocsin.EINVALID:
		return http.StatusBadRequest
	case tocsin.ENOTFOUND:
		return http.StatusNotFound
	case tocsin.ECONFLICT:
		return http.StatusConflict
	case tocsin.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case tocsin.EFORBIDDEN:
		return http.StatusForbidden
	case tocsin.ETOOMANY:
		return http.StatusTooManyRequests
	case tocsin.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	default:
		return http.StatusInternalServerError
	}
}

// apiError is the JSON body of every API error.
type apiError struct {
	Error string `json:"error"`
	Code  string `json:"code"`
	Field string `json:"field,omitempty"`
}

// writeJSONError answers err as JSON. Internal errors are logged and shown
// as "Internal error." only.
func (s *Kit) WriteJSONError(w http.ResponseWriter, r *http.Request, err error) {
	code := tocsin.ErrorCode(err)
	if code == tocsin.EINTERNAL {
		s.Log.Error("request failed", "route", r.Pattern, "err", err)
	}
	WriteJSON(w, StatusOf(code), apiError{Error: tocsin.ErrorMessage(err), Code: code, Field: tocsin.ErrorField(err)})
}

// WriteJSON answers v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// bodyError turns a body-reading error into a tocsin error.
func BodyError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &tocsin.Error{Code: tocsin.ETOOLARGE, Message: "the request body is too large"}
	}
	return &tocsin.Error{Code: tocsin.EINVALID, Message: "the request body could not be read"}
}

// decodeJSON reads one JSON object of at most MaxBody bytes, refusing
// unknown fields, with errors a person understands.
// timeField names the body's time field, for the message when it does not
// parse.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any, timeField string) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
	case errors.As(err, &tooLarge):
		return &tocsin.Error{Code: tocsin.ETOOLARGE, Message: fmt.Sprintf("the request body is larger than %d bytes", MaxBody)}
	case errors.Is(err, io.EOF):
		return tocsin.Errorf(tocsin.EINVALID, "the request body is empty")
	case errors.As(err, &syn):
		return tocsin.Errorf(tocsin.EINVALID, "the JSON is malformed at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return tocsin.FieldError(typ.Field, "%s has the wrong type: want %s", typ.Field, typ.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return tocsin.Errorf(tocsin.EINVALID, "%s", strings.TrimPrefix(err.Error(), "json: "))
	case strings.Contains(err.Error(), "parsing time"):
		return tocsin.FieldError(timeField, "%s must be an RFC 3339 time such as 2026-11-25T14:05:00Z", timeField)
	default:
		return tocsin.Errorf(tocsin.EINVALID, "the JSON could not be read")
	}
	if dec.More() {
		return tocsin.Errorf(tocsin.EINVALID, "send exactly one JSON object")
	}
	return nil
}

// MaxBody is the largest request body read anywhere except photo uploads.
const MaxBody = 64 << 10
