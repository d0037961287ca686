package signed

import (
	"bytes"
	"context"
	"fmt"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

// Approvals, roster versions and freeze orders: their statements read the
// same in both dialects. Alerts and signed records are never deleted, so an
// existence check before an insert holds.

// AddApproval stores an approval, replacing any earlier one by the same key
// for the same alert; ENOTFOUND if the alert does not exist.
func (s Records) AddApproval(ctx context.Context, a *store.Approval) error {
	switch {
	case a.KeyID == "":
		return invalid("an approval needs a key id")
	case len(a.Digest) == 0 || len(a.Signature) == 0:
		return invalid("an approval needs a digest and a signature")
	}
	if err := s.exists(ctx, "alert", `SELECT count(*) FROM alerts WHERE id = ?`, a.AlertID); err != nil {
		return err
	}
	_, err := s.Conn.Exec(ctx, `INSERT INTO approvals (alert_id, kind, key_id, digest, signature, signed_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (alert_id, key_id) DO UPDATE SET
			kind = excluded.kind, digest = excluded.digest, signature = excluded.signature, signed_at = excluded.signed_at`,
		a.AlertID, a.Kind, a.KeyID, a.Digest, a.Signature, sqlrow.Unix(a.SignedAt))
	if err != nil {
		return fmt.Errorf("add approval: %w", err)
	}
	return nil
}

// exists returns ENOTFOUND (naming what) unless the count query finds a row.
func (s Records) exists(ctx context.Context, what, query string, args ...any) error {
	var n int
	if err := s.Conn.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		return fmt.Errorf("find %s: %w", what, err)
	}
	if n == 0 {
		return notFound(what)
	}
	return nil
}

// ListApprovals returns the approvals of an alert, by key id; none (and no
// error) for an alert without any or that does not exist.
func (s Records) ListApprovals(ctx context.Context, alertID string) ([]store.Approval, error) {
	return s.approvals(ctx, `SELECT alert_id, kind, key_id, digest, signature, signed_at
		FROM approvals WHERE alert_id = ? ORDER BY key_id`, alertID, "approvals")
}

// approvals runs a query of an alert's or a notice's approvals (subject
// id, kind, key id, digest, signature, signing time).
func (s Records) approvals(ctx context.Context, query, id, what string) ([]store.Approval, error) {
	var out []store.Approval
	err := s.Conn.Each(ctx, query, []any{id}, func(sc sqlrow.Scanner) error {
		var a store.Approval
		var at sqlrow.Seconds
		if err := sc.Scan(&a.AlertID, &a.Kind, &a.KeyID, &a.Digest, &a.Signature, &at); err != nil {
			return err
		}
		a.SignedAt = at.Time()
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	return out, nil
}

// RefuseAlert moves an approved or sending alert to refused.
func (s Records) RefuseAlert(ctx context.Context, id string) error {
	n, err := s.Conn.Exec(ctx, `UPDATE alerts SET state = 'refused' WHERE id = ? AND state IN ('approved', 'sending')`, id)
	if err != nil {
		return fmt.Errorf("refuse alert: %w", err)
	}
	if n == 0 {
		if err := s.exists(ctx, "alert", `SELECT count(*) FROM alerts WHERE id = ?`, id); err != nil {
			return err
		}
		return conflict("the alert is neither approved nor sending")
	}
	return nil
}

// signedTable names the tables of one kind of signed record.
type signedTable struct {
	what   string // for messages: "roster version", "freeze order"
	bodies string // table of (key, body)
	sigs   string // table of (key, key_id, signature)
	key    string // name of the number column in both
}

func rosterTables() signedTable {
	return signedTable{what: "roster version", bodies: "roster_versions", sigs: "roster_sigs", key: "version"}
}

func freezeTables() signedTable {
	return signedTable{what: "freeze order", bodies: "freeze_orders", sigs: "freeze_sigs", key: "seq"}
}

// put stores body at number n: nothing happens if it is there already with
// the same body, ECONFLICT if with another.
func (t signedTable) put(ctx context.Context, c sqlrow.Conn, n int64, body []byte) error {
	if len(body) == 0 {
		return invalid("a %s needs a body", t.what)
	}
	k, err := c.Exec(ctx, `INSERT INTO `+t.bodies+` (`+t.key+`, body) VALUES (?, ?) ON CONFLICT (`+t.key+`) DO NOTHING`, n, body)
	if err != nil {
		return fmt.Errorf("put %s: %w", t.what, err)
	}
	if k > 0 {
		return nil
	}
	var old []byte
	if err := one(c, c.QueryRow(ctx, `SELECT body FROM `+t.bodies+` WHERE `+t.key+` = ?`, n).Scan(&old), t.what); err != nil {
		return err
	}
	if !bytes.Equal(old, body) {
		return conflict("%s %d exists with another body", t.what, n)
	}
	return nil
}

// addSig stores a signature over record n, replacing any earlier one by the
// same key; ENOTFOUND if there is no record n.
func (t signedTable) addSig(ctx context.Context, s Records, n int64, sig store.Sig) error {
	if sig.KeyID == "" || len(sig.Signature) == 0 {
		return invalid("a signature needs a key id and a signature")
	}
	if err := s.exists(ctx, t.what, `SELECT count(*) FROM `+t.bodies+` WHERE `+t.key+` = ?`, n); err != nil {
		return err
	}
	if _, err := s.Conn.Exec(ctx, `INSERT INTO `+t.sigs+` (`+t.key+`, key_id, signature) VALUES (?, ?, ?)
		ON CONFLICT (`+t.key+`, key_id) DO UPDATE SET signature = excluded.signature`, n, sig.KeyID, sig.Signature); err != nil {
		return fmt.Errorf("add %s signature: %w", t.what, err)
	}
	return nil
}

// list returns the records (all of them, or those numbered above after when
// bounded), in order, each with its signatures by key id. It reads bodies
// and signatures in one statement each; signatures of a record written
// between the two are left out.
func (t signedTable) list(ctx context.Context, c sqlrow.Conn, bounded bool, after int64) ([]store.Signed, error) {
	where, args := "", []any(nil)
	if bounded {
		where, args = ` WHERE `+t.key+` > ?`, []any{after}
	}
	var out []store.Signed
	index := map[int64]int{}
	err := c.Each(ctx, `SELECT `+t.key+`, body FROM `+t.bodies+where+` ORDER BY `+t.key, args, func(sc sqlrow.Scanner) error {
		var r store.Signed
		if err := sc.Scan(&r.Seq, &r.Body); err != nil {
			return err
		}
		index[r.Seq] = len(out)
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %ss: %w", t.what, err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	err = c.Each(ctx, `SELECT `+t.key+`, key_id, signature FROM `+t.sigs+where+` ORDER BY `+t.key+`, key_id`, args, func(sc sqlrow.Scanner) error {
		var n int64
		var sig store.Sig
		if err := sc.Scan(&n, &sig.KeyID, &sig.Signature); err != nil {
			return err
		}
		if i, ok := index[n]; ok {
			out[i].Sigs = append(out[i].Sigs, sig)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s signatures: %w", t.what, err)
	}
	return out, nil
}

// PutRosterVersion stores a roster version body; idempotent for the same
// body, ECONFLICT for another.
func (s Records) PutRosterVersion(ctx context.Context, version int64, body []byte) error {
	return rosterTables().put(ctx, s.Conn, version, body)
}

// AddRosterSig adds (or replaces) a key's signature of a roster version.
func (s Records) AddRosterSig(ctx context.Context, version int64, sig store.Sig) error {
	return rosterTables().addSig(ctx, s, version, sig)
}

// RosterChain returns every roster version in order, with its signatures.
func (s Records) RosterChain(ctx context.Context) ([]store.Signed, error) {
	return rosterTables().list(ctx, s.Conn, false, 0)
}

// PutFreezeOrder stores a freeze order body; idempotent for the same body,
// ECONFLICT for another.
func (s Records) PutFreezeOrder(ctx context.Context, seq int64, body []byte) error {
	return freezeTables().put(ctx, s.Conn, seq, body)
}

// AddFreezeSig adds (or replaces) a key's signature of a freeze order.
func (s Records) AddFreezeSig(ctx context.Context, seq int64, sig store.Sig) error {
	return freezeTables().addSig(ctx, s, seq, sig)
}

// FreezeOrders returns the freeze orders with seq > after, in order.
func (s Records) FreezeOrders(ctx context.Context, after int64) ([]store.Signed, error) {
	return freezeTables().list(ctx, s.Conn, true, after)
}
