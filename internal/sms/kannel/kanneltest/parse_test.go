package kanneltest

import (
	"io"
	"strings"
	"testing"
)

func TestReadMT(t *testing.T) {
	ucs2 := "%00A%00l%00e%00r%00t%00a%00%3A%00+%00r%00e%00d%00a%00d%00a%00+%00%E1"
	tests := []struct {
		name string
		log  string
		want []MT
	}{
		{"text", "2026-11-25 14:52:15 [16287] [0] DEBUG: Got message 1: <12345 +13105550123 text Hello é world>\n",
			[]MT{{From: "12345", To: "+13105550123", Type: "text", Text: "Hello é world", Parts: 1}}},
		{"ucs-2", "2026-11-25 14:52:16 [16287] [0] DEBUG: Got message 2: <12345 +13105550123 ucs-2 " + ucs2 + ">\n",
			[]MT{{From: "12345", To: "+13105550123", Type: "ucs-2", Text: "Alerta: redada á", Parts: 1}}},
		{"text with newlines", "2026-11-25 14:52:15 [1] [0] DEBUG: Got message 1: <1 2 text first>\n" +
			"2026-11-25 14:52:15 [1] [0] DEBUG: Got message 2: <All clear on Main St.>\n" +
			"2026-11-25 14:52:15 [1] [0] DEBUG: Got message 3: <OK>\n" +
			"2026-11-25 14:52:15 [1] [0] DEBUG: Got message 4: <1 3 text x>\n",
			[]MT{{From: "1", To: "2", Type: "text", Text: "first\nAll clear on Main St.\nOK", Parts: 1}, {From: "1", To: "3", Type: "text", Text: "x", Parts: 1}}},
		{"other log lines", "2026-11-25 14:52:13 [1] [0] INFO: fakesmsc starting\n2026-11-25 14:52:13 [1] [0] DEBUG: Connecting to <127.0.0.1>\n", nil},
		{"concatenated GSM-7, parts out of order",
			"2026-11-25 14:52:15 [1] [0] DEBUG: Got message 1: <1 2 udh %05%00%03%07%02%02 data world>\n" +
				"2026-11-25 14:52:15 [1] [0] DEBUG: Got message 2: <1 2 udh %05%00%03%07%02%01 data hello+>\n",
			[]MT{{From: "1", To: "2", Type: "text", Text: "hello world", Parts: 2}}},
		{"concatenated UCS-2, 16-bit reference",
			"2026-11-25 14:52:15 [1] [0] DEBUG: Got message 1: <1 2 udh %06%08%04%01%02%02%01 data %00%C1>\n" +
				"2026-11-25 14:52:15 [1] [0] DEBUG: Got message 2: <1 2 udh %06%08%04%01%02%02%02 data %00b>\n",
			[]MT{{From: "1", To: "2", Type: "ucs-2", Text: "Áb", Parts: 2}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := &Kannel{changed: make(chan struct{})}
			pr, pw := io.Pipe()
			done := make(chan struct{})
			go func() { k.readMT(pr); close(done) }()
			io.Copy(pw, strings.NewReader(tc.log))
			pw.Close()
			<-done
			got := k.Received()
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				g, w := got[i], tc.want[i]
				if g.From != w.From || g.To != w.To || g.Type != w.Type || g.Text != w.Text || g.Parts != w.Parts {
					t.Errorf("message %d: %+v, want %+v", i, g, w)
				}
			}
		})
	}
}
