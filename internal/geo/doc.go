// Package geo is tocsin's geography: it turns places into S2 cells
// (github.com/golang/geo/s2), measures great-circle distances, covers alert
// circles with sorted leaf-cell ranges, maps US ZIP codes to the centroid of
// their Census ZIP Code Tabulation Area (shipped embedded in the binary), and
// holds the in-memory recipient index that resolves "who is inside this
// alert circle" among a million subscribers in well under a millisecond.
//
// Everything here is pure computation on values the caller passes in: there
// is no package-level mutable state, no init, no I/O other than decoding the
// embedded ZIP table, and an Index never changes after Build (it is safe for
// concurrent readers).
//
// It must never:
//   - log, print or otherwise disclose a subscriber's location, cell or ID
//     (callers decide what may be recorded; this package records nothing);
//   - drop a subscriber who is inside an alert circle: coverings are
//     conservative and every candidate is checked by exact distance, so an
//     error can only ever be a false candidate, never a missed recipient;
//   - fetch anything from the network at run time (ZIP centroids are compiled
//     in; regenerate them with scripts/zipdata);
//   - accept a coordinate that is NaN, infinite or out of range as if it
//     were a place (see Point.Validate).
package geo
