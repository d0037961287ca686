package fanout

import (
	"sync"
)

// handedOver remembers, for the life of the process, which ledger rows of
// each alert this sender handed to a provider. A row that comes back to be
// claimed after it was handed over — because a database writer set it back
// to pending — is not sent again: the database cannot undo this memory.
// (Rows handed over by another sender, or before a restart, are not known
// here; a provider's idempotency key covers a restart.)
type handedOver struct {
	mu   sync.Mutex
	rows map[string][]uint64 // alert id → bitset of seq
}

// seen reports whether the row was handed over already.
func (h *handedOver) seen(alertID string, seq int) bool {
	if seq < 0 {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	b := h.rows[alertID]
	i := seq / 64
	return i < len(b) && b[i]&(1<<(uint(seq)%64)) != 0
}

// mark records that the row was handed over.
func (h *handedOver) mark(alertID string, seq int) {
	if seq < 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rows == nil {
		h.rows = map[string][]uint64{}
	}
	b := h.rows[alertID]
	i := seq / 64
	if i >= len(b) {
		b = append(b, make([]uint64, i+1-len(b))...)
	}
	b[i] |= 1 << (uint(seq) % 64)
	h.rows[alertID] = b
}
