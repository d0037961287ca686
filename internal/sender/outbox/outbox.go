// Package outbox is the sender's one-to-one texts (replies, codes,
// welcomes): each queued with the sender's MAC (vault) over its kind,
// recipient, body, time and a nonce of its own, so that a text a database
// writer queues, or a copy of one, is told from the sender's own.
package outbox

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/sender/vault"
)

// Adder is where a text is queued, in the caller's transaction.
type Adder interface {
	AddOutbound(ctx context.Context, m *tocsin.Outbound) error
}

// nonceSize is the length of the random nonce that starts a queued text's
// MAC: it gives every queued text an identity of its own, so that two
// equal replies queued in the same second are two texts, and a copy of
// one is the same text.
const nonceSize = 16

// Queue adds a one-to-one text with the sender's MAC over it.
func Queue(ctx context.Context, q Adder, keys *vault.Keys, m *tocsin.Outbound) error {
	nonce := make([]byte, nonceSize)
	rand.Read(nonce)
	m.MAC = append(nonce, mac(keys, m, nonce)...)
	return q.AddOutbound(ctx, m)
}

// mac binds a queued text's kind, recipient, body, time and nonce
// (none for texts queued before nonces).
func mac(keys *vault.Keys, m *tocsin.Outbound, nonce []byte) []byte {
	parts := [][]byte{[]byte(m.Kind), m.ToSealed, []byte(m.Body), []byte(strconv.FormatInt(m.CreatedAt.Unix(), 10))}
	if nonce != nil {
		parts = append(parts, nonce)
	}
	return keys.MAC("outbound", parts...)
}

// Genuine reports whether the sender queued m: its MAC is a nonce
// and the MAC over the row and that nonce, or (a text queued before
// nonces) the MAC over the row alone.
func Genuine(keys *vault.Keys, m *tocsin.Outbound) bool {
	if len(m.MAC) == nonceSize+32 {
		return hmac.Equal(m.MAC[nonceSize:], mac(keys, m, m.MAC[:nonceSize]))
	}
	return hmac.Equal(m.MAC, mac(keys, m, nil))
}

// IdempotencyKey names a queued text to the provider: by its nonce, so
// that a copy carries the same key; by id and time for older texts.
func IdempotencyKey(m *tocsin.Outbound) string {
	if len(m.MAC) == nonceSize+32 {
		return "out-" + hex.EncodeToString(m.MAC[:nonceSize])
	}
	return fmt.Sprintf("out-%d-%d", m.ID, m.CreatedAt.Unix())
}
