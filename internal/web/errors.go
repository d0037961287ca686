package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/tocsin/tocsin"
)

// statusOf maps tocsin error codes to HTTP status codes, in one table.
func statusOf(code string) int {
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
func (s *Server) writeJSONError(w http.ResponseWriter, r *http.Request, err error) {
	code := tocsin.ErrorCode(err)
	if code == tocsin.EINTERNAL {
		s.cfg.Log.Error("request failed", "route", r.Pattern, "err", err)
	}
	writeJSON(w, statusOf(code), apiError{Error: tocsin.ErrorMessage(err), Code: code, Field: tocsin.ErrorField(err)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// bodyError turns a body-reading error into a tocsin error.
func bodyError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &tocsin.Error{Code: tocsin.ETOOLARGE, Message: "the request body is too large"}
	}
	return &tocsin.Error{Code: tocsin.EINVALID, Message: "the request body could not be read"}
}
