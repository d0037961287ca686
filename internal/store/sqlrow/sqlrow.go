// Package sqlrow holds what the SQL store drivers (sqlite, postgres) share:
// the column lists of the domain records, how a row is scanned into a
// record, how times, JSON and cell ranges are encoded in a column, and the
// statements that read the same in both dialects (leases, alert starts,
// security events, API keys), run through a Conn each driver adapts.
// Those of signed records (approvals, roster versions, freeze orders,
// notices) are in the subpackage signed.
//
// It never opens a connection or a transaction, and holds no statement that
// reads differently in one dialect: what differs (placeholders, booleans,
// list parameters, error codes) is the Conn's to say.
package sqlrow

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// Scanner is a row of either driver: *sql.Row, *sql.Rows, pgx.Row, pgx.Rows.
type Scanner interface{ Scan(dest ...any) error }

// Unix encodes t as Unix seconds, the zero time as 0.
func Unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// FromUnix decodes Unix seconds as a UTC time, 0 as the zero time.
func FromUnix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// Seconds scans a time column (Unix seconds) whatever a database writer put
// there: SQLite keeps any value in any column, and a row whose time is
// "not-a-time" must not stop every list it is in (a queue of replies, of
// alerts, of inbound texts). A value that is not a whole number of seconds
// reads as no time (0); what the row means is checked elsewhere (MACs,
// signatures), never trusted from its times.
type Seconds int64

// Time is the time the column holds (zero for none).
func (u Seconds) Time() time.Time { return FromUnix(int64(u)) }

// Scan implements sql.Scanner.
func (u *Seconds) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*u = Seconds(v)
	case float64:
		*u = Seconds(int64(v))
	case time.Time:
		*u = Seconds(v.Unix())
	case []byte:
		n, _ := strconv.ParseInt(string(v), 10, 64)
		*u = Seconds(n)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		*u = Seconds(n)
	default:
		*u = 0
	}
	return nil
}

// Marshal encodes v as the JSON text of a column.
func Marshal(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode: %w", err)
	}
	return string(b), nil
}

// Unmarshal decodes the JSON text of a column into v.
func Unmarshal(s string, v any) error {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

// SignedRanges maps an unsigned cell range onto int64 storage order: a range
// that crosses 2^63 becomes two.
func SignedRanges(r store.CellRange) [][2]int64 {
	const top = uint64(1) << 63
	if r.Min < top && r.Max >= top {
		return [][2]int64{{int64(r.Min), math.MaxInt64}, {math.MinInt64, int64(r.Max)}}
	}
	return [][2]int64{{int64(r.Min), int64(r.Max)}}
}

// SortJobs orders delivery jobs by their ledger sequence.
func SortJobs(jobs []store.DeliveryJob) {
	slices.SortFunc(jobs, func(a, b store.DeliveryJob) int { return cmp.Compare(a.Seq, b.Seq) })
}
