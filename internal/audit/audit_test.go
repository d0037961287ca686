package audit

import (
	"fmt"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
)

func chain(n int) []Link {
	var out []Link
	prev := Genesis()
	for i := range n {
		e := tocsin.AuditEntry{ID: int64(i + 1), At: time.Unix(int64(1000+i), 0), Actor: "ana", Action: "report.state", Subject: fmt.Sprint(i)}
		h := Hash(prev, &e)
		out = append(out, Link{Entry: e, PrevHash: prev, Hash: h})
		prev = h
	}
	return out
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name   string
		tamper func([]Link) []Link
		id     int64
		kind   string
	}{
		{"intact", func(l []Link) []Link { return l }, 0, ""},
		{"edited", func(l []Link) []Link { l[2].Entry.Detail = "x"; return l }, 3, "edited"},
		{"edited time", func(l []Link) []Link { l[4].Entry.At = l[4].Entry.At.Add(time.Hour); return l }, 5, "edited"},
		{"deleted", func(l []Link) []Link { return append(l[:3], l[4:]...) }, 5, "deleted"},
		{"deleted last is not seen without the committed head", func(l []Link) []Link { return l[:5] }, 0, ""},
		{"reordered", func(l []Link) []Link {
			l[1], l[3] = l[3], l[1]
			l[1].Entry.ID, l[3].Entry.ID = 2, 4
			return l
		}, 2, "reordered"},
		{"inserted", func(l []Link) []Link {
			e := tocsin.AuditEntry{ID: 4, At: time.Unix(5000, 0), Actor: "mallory", Action: "alert.approve"}
			fake := Link{Entry: e, PrevHash: [32]byte{1}, Hash: Hash([32]byte{1}, &e)}
			rest := append([]Link{fake}, l[3:]...)
			for i := range rest[1:] {
				rest[i+1].Entry.ID++
			}
			return append(l[:3], rest...)
		}, 4, "inserted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, brk := Verify(tt.tamper(chain(6)))
			switch {
			case tt.kind == "" && brk != nil:
				t.Errorf("break %v in an intact chain", brk)
			case tt.kind != "" && (brk == nil || brk.ID != tt.id || brk.Kind != tt.kind):
				t.Errorf("break = %v, want entry %d %s", brk, tt.id, tt.kind)
			}
		})
	}
}
