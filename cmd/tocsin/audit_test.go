package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/audit"
	"github.com/tocsin/tocsin/internal/store/sqlite"
	"github.com/tocsin/tocsin/internal/tlog"
)

// TestAuditVerify tampers with the audit trail directly in the database, as
// an attacker with database access would, and expects tocsin audit verify
// to name the first entry touched.
func TestAuditVerify(t *testing.T) {
	tests := []struct {
		name, sql string
		want      string
	}{
		{"intact", ``, "intact: 10 entries"},
		{"edited", `UPDATE audit SET detail = 'nothing to see' WHERE id = 4`, "audit entry 4: edited"},
		{"deleted", `DELETE FROM audit WHERE id = 6`, "audit entry 7: deleted"},
		{"reordered", `UPDATE audit SET id = -3 WHERE id = 3; UPDATE audit SET id = 3 WHERE id = 5; UPDATE audit SET id = 5 WHERE id = -3`, "audit entry 3: reordered"},
		{"inserted", `UPDATE audit SET id = id + 1000 WHERE id >= 8; UPDATE audit SET id = id - 999 WHERE id >= 1000; INSERT INTO audit (id, at, actor, action, subject, detail, prev_hash, hash) VALUES (8, 0, 'x', 'alert.approve', '', '', x'00', x'00')`, "audit entry 8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := t.TempDir()
			path := filepath.Join(data, "tocsin.db")
			ctx := context.Background()
			st, err := sqlite.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 10 {
				e := &tocsin.AuditEntry{At: time.Date(2026, 11, 25, 14, i, 0, 0, time.UTC), Actor: "ana", Action: "report.state", Subject: fmt.Sprint(i), Detail: "verified"}
				if err := st.AppendAudit(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			st.Close()
			if tt.sql != "" {
				db, err := sql.Open("sqlite", "file:"+path)
				if err != nil {
					t.Fatal(err)
				}
				for _, q := range strings.Split(tt.sql, "; ") {
					if _, err := db.Exec(q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				db.Close()
			}
			exit := 1
			if tt.sql == "" {
				exit = 0
			}
			if out := cli(t, exit, "audit", "verify", "--data", data); !strings.Contains(out, tt.want) {
				t.Errorf("audit verify said:\n%s\nwant %q", out, tt.want)
			}
		})
	}
}

// TestAuditVerifyAgainstTheLog: a writer who edits an entry and rewrites the
// whole chain after it keeps the chain intact, but not its head committed in
// the transparency log.
func TestAuditVerifyAgainstTheLog(t *testing.T) {
	data := t.TempDir()
	path := filepath.Join(data, "tocsin.db")
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		e := &tocsin.AuditEntry{At: time.Date(2026, 11, 25, 14, i, 0, 0, time.UTC), Actor: "ana", Action: "alert.approve", Subject: fmt.Sprint(i)}
		if err := st.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	links, _ := st.AuditChain(ctx)
	head := audit.HeadEntry(len(links), links[len(links)-1].Hash)
	if err := st.LogAppend(ctx, 0, tlog.LeafHash(head), head); err != nil { // as the sender commits it
		t.Fatal(err)
	}
	st.Close()
	if out := cli(t, 0, "audit", "verify", "--data", data); !strings.Contains(out, "the first 6 match") {
		t.Fatalf("intact trail: %s", out)
	}
	if out := cli(t, 0, "audit", "verify", "--db", path); !strings.Contains(out, "the first 6 match") {
		t.Fatalf("--db: %s", out)
	}
	// Edit entry 3 and recompute every hash from there on.
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	prev := links[1].Hash
	for _, l := range links[2:] {
		e := l.Entry
		if e.ID == 3 {
			e.Actor = "nobody"
		}
		h := audit.Hash(prev, &e)
		if _, err := db.Exec(`UPDATE audit SET actor = ?, prev_hash = ?, hash = ? WHERE id = ?`, e.Actor, prev[:], h[:], e.ID); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
	db.Close()
	if out := cli(t, 1, "audit", "verify", "--data", data); !strings.Contains(out, "rewritten between entries 1 and 6") {
		t.Errorf("a rewritten chain passed: %s", out)
	}
}
