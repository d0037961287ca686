package sqlrow

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

func TestSignedRanges(t *testing.T) {
	const top = uint64(1) << 63
	tests := []struct {
		name string
		in   store.CellRange
		want [][2]int64
	}{
		{"below 2^63", store.CellRange{Min: 5, Max: 9}, [][2]int64{{5, 9}}},
		{"above 2^63", store.CellRange{Min: top + 1, Max: top + 2}, [][2]int64{{math.MinInt64 + 1, math.MinInt64 + 2}}},
		{"across 2^63", store.CellRange{Min: top - 1, Max: top}, [][2]int64{{math.MaxInt64, math.MaxInt64}, {math.MinInt64, math.MinInt64}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SignedRanges(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("SignedRanges(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestUnixKeepsZeroTime(t *testing.T) {
	if got := Unix(time.Time{}); got != 0 {
		t.Errorf("Unix(zero) = %d, want 0", got)
	}
	if got := FromUnix(0); !got.IsZero() {
		t.Errorf("FromUnix(0) = %v, want the zero time", got)
	}
	at := time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)
	if got := FromUnix(Unix(at)); !got.Equal(at) || got.Location() != time.UTC {
		t.Errorf("round trip of %v = %v", at, got)
	}
}

func TestUnmarshalNamesDecodeError(t *testing.T) {
	var v []string
	if err := Unmarshal("{not json", &v); err == nil {
		t.Fatal("Unmarshal accepted broken JSON")
	}
}

func TestRebind(t *testing.T) {
	for in, want := range map[string]string{
		"SELECT 1":        "SELECT 1",
		"a = ? AND b = ?": "a = $1 AND b = $2",
		"INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)": "INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
	} {
		if got := Rebind(in); got != want {
			t.Errorf("Rebind(%q) = %q, want %q", in, got, want)
		}
	}
}
