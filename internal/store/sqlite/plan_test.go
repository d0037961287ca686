package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

// The statements that must not read the whole ledger, as the store runs
// them, use their partial indexes: a receipt by provider id, and the
// release of a dead sender's claims.
func TestLedgerStatementsUseIndexes(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		query, index string
		args         []any
	}{
		{sqlrow.ReceiptSQL, "deliveries_provider_id", []any{"delivered", 1, "SM1"}},
		{sqlrow.ReleaseClaimsSQL, "deliveries_sending", []any{"", "", 5, 5000}},
	} {
		rows, err := db.db.Query("EXPLAIN QUERY PLAN "+tc.query, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if !strings.Contains(strings.Join(plan, "; "), tc.index) {
			t.Errorf("%.50s… does not use %s: %v", tc.query, tc.index, plan)
		}
	}
}
