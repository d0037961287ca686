package keyfile

import (
	"time"

	"github.com/tocsin/tocsin/internal/trust"
)

// t0 is the fixed "now" of the tests (as in the trust package's tests).
var t0 = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// baseStatement is a valid alert statement for a key to sign (the trust
// package's tests' own).
func baseStatement() *trust.Statement {
	return &trust.Statement{
		AlertID:    "k3q9x2m7c4v8b1n6",
		CreatedAt:  t0,
		ValidFrom:  t0,
		ValidUntil: t0.Add(2 * time.Hour),
		Texts: map[string]string{
			"en": "ICE checkpoint at Main St & 5th Ave. Avoid the area.\nRef ACD347",
			"es": "Retén de ICE en Main St y 5th Ave. Evite la zona.\nRef ACD347",
		},
		ZIPs:          []string{"90210", "90211"},
		Circle:        &trust.Circle{LatE6: 34052235, LonE6: -118243683, RadiusM: 2000},
		Cells:         []uint64{0x80c2c7b000000000, 0x80c2c7d000000000},
		MaxRecipients: 500,
		Confirmed:     true,
	}
}
