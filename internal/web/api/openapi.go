package api

import (
	_ "embed"
	"io"
	"net/http"
)

// openAPI is the OpenAPI 3.1 document of every /api/v1 route, served at
// GET /api/v1/openapi.json. A test checks it against the routes registered
// on the mux, both ways, and checks its examples and real answers against
// its schemas.
//
//go:embed openapi.json
var openAPI string

// OpenAPIDoc serves the OpenAPI document.
func (s *Handler) OpenAPIDoc(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	io.WriteString(w, openAPI)
}
