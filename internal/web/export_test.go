package web

import "slices"

// RoutesOf returns the patterns registered on the server's mux ("GET
// /api/v1/alerts", ...), in the order they were registered.
func RoutesOf(s *Server) []string { return slices.Clone(s.mux.patterns) }

// SetScansPerMinute changes how many texts a minute are compared with the
// alert rows.
func SetScansPerMinute(s *Server, n int) { s.public.SetScansPerMinute(n) }
