package storetest

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

func testMessages(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Inbound", func(t *testing.T) {
		b := setup(t, open)
		var added []*tocsin.Inbound
		for i, body := range []string{"JOIN 90013", "STOP", "ALTO"} {
			m := &tocsin.Inbound{Provider: "twilio", FromSealed: []byte("sealed " + body), Body: body, ReceivedAt: now.Add(time.Duration(i) * time.Second)}
			if i == 1 {
				m.ToSealed = []byte("sealed to") // the number of ours it was sent to
			}
			must(t, b.s.AddInbound(b.ctx, m))
			if m.ID == 0 || (len(added) > 0 && m.ID == added[len(added)-1].ID) {
				t.Fatalf("AddInbound gave ID %d", m.ID)
			}
			added = append(added, m)
		}
		body := func(m tocsin.Inbound) string { return m.Body }

		got, err := b.s.ListInbound(b.ctx, 10)
		must(t, err)
		if g := ids(got, body); !slices.Equal(g, []string{"JOIN 90013", "STOP", "ALTO"}) {
			t.Fatalf("ListInbound = %v, want oldest first", g)
		}
		for i, m := range got {
			w := added[i]
			if m.ID != w.ID || m.Provider != w.Provider || !bytes.Equal(m.FromSealed, w.FromSealed) || !bytes.Equal(m.ToSealed, w.ToSealed) || !m.ReceivedAt.Equal(w.ReceivedAt) {
				t.Errorf("inbound %d = %+v, want %+v", i, m, *w)
			}
		}

		got, err = b.s.ListInbound(b.ctx, 2)
		must(t, err)
		if g := ids(got, body); !slices.Equal(g, []string{"JOIN 90013", "STOP"}) {
			t.Errorf("ListInbound(2) = %v", g)
		}

		must(t, b.s.DeleteInbound(b.ctx, added[0].ID))
		got, err = b.s.ListInbound(b.ctx, 10)
		must(t, err)
		if g := ids(got, body); !slices.Equal(g, []string{"STOP", "ALTO"}) {
			t.Errorf("after DeleteInbound: %v", g)
		}
	})

	t.Run("Outbound", func(t *testing.T) {
		b := setup(t, open)
		var added []*tocsin.Outbound
		for i, kind := range []tocsin.OutboundKind{tocsin.OutboundCode, tocsin.OutboundReply, tocsin.OutboundReply} {
			m := &tocsin.Outbound{Kind: kind, ToSealed: []byte("to " + itoa(int64(i))), Body: "body " + itoa(int64(i)), CreatedAt: now.Add(time.Duration(i) * time.Second)}
			if i != 2 { // the last has no MAC, like texts queued before MACs
				m.MAC = []byte("mac " + itoa(int64(i)) + "\x00\xff")
			}
			must(t, b.s.AddOutbound(b.ctx, m))
			if m.ID == 0 || (len(added) > 0 && m.ID == added[len(added)-1].ID) {
				t.Fatalf("AddOutbound gave ID %d", m.ID)
			}
			added = append(added, m)
		}
		body := func(m tocsin.Outbound) string { return m.Body }

		got, err := b.s.ListOutbound(b.ctx, 10)
		must(t, err)
		if g := ids(got, body); !slices.Equal(g, []string{"body 0", "body 1", "body 2"}) {
			t.Fatalf("ListOutbound = %v, want oldest first", g)
		}
		for i, m := range got {
			w := added[i]
			if m.ID != w.ID || m.Kind != w.Kind || !bytes.Equal(m.ToSealed, w.ToSealed) || !m.CreatedAt.Equal(w.CreatedAt) || !bytes.Equal(m.MAC, w.MAC) {
				t.Errorf("outbound %d = %+v, want %+v", i, m, *w)
			}
		}

		got, err = b.s.ListOutbound(b.ctx, 1)
		must(t, err)
		if g := ids(got, body); !slices.Equal(g, []string{"body 0"}) {
			t.Errorf("ListOutbound(1) = %v", g)
		}

		must(t, b.s.DeleteOutbound(b.ctx, added[1].ID))
		got, err = b.s.ListOutbound(b.ctx, 10)
		must(t, err)
		if g := ids(got, body); !slices.Equal(g, []string{"body 0", "body 2"}) {
			t.Errorf("after DeleteOutbound: %v", g)
		}
	})
}
