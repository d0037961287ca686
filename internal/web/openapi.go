package web

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

func (s *Server) openAPIDoc(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	io.WriteString(w, openAPI)
}

// routeMux is the ServeMux, remembering the patterns registered on it.
type routeMux struct {
	*http.ServeMux
	patterns []string
}

func newRouteMux() *routeMux { return &routeMux{ServeMux: http.NewServeMux()} }

// HandleFunc registers handler for pattern.
func (m *routeMux) HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request)) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.HandleFunc(pattern, handler)
}

// Handle registers handler for pattern.
func (m *routeMux) Handle(pattern string, handler http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, handler)
}
