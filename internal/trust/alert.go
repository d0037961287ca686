package trust

import (
	"math"

	"github.com/tocsin/tocsin"
)

// StatementOf builds the statement of a composed alert: the exact texts as
// sent (label and reference included) in each language written, the area,
// the covering cells the composer computed, the audience bound and the
// validity window from the alert's creation to its ValidUntil.
func StatementOf(a *tocsin.Alert, cells []uint64, maxRecipients int) *Statement {
	st := &Statement{
		AlertID:       a.ID,
		CreatedAt:     a.CreatedAt,
		ValidFrom:     a.CreatedAt,
		ValidUntil:    a.ValidUntil,
		Texts:         map[string]string{},
		ZIPs:          a.Area.ZIPs,
		Cells:         cells,
		MaxRecipients: maxRecipients,
		Confirmed:     a.Confirmed,
		AllClear:      a.AllClear,
	}
	if a.BodyEN != "" {
		st.Texts["en"] = a.Text(tocsin.English)
	}
	if a.BodyES != "" {
		st.Texts["es"] = a.Text(tocsin.Spanish)
	}
	if c := a.Area.Circle; c != nil {
		st.Circle = &Circle{LatE6: int64(math.Round(c.Lat * 1e6)), LonE6: int64(math.Round(c.Lon * 1e6)), RadiusM: int64(math.Round(c.RadiusM))}
	}
	return st
}

// AudienceBound is the audience bound a composer puts in a statement for a
// previewed count: a margin for people who subscribe between the preview
// and the sending, and no more.
func AudienceBound(previewed int) int {
	return previewed + max(10, previewed/10)
}
