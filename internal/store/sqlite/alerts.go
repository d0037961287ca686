package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

// CreateAlert stores a new alert.
func (s q) CreateAlert(ctx context.Context, a *tocsin.Alert) error {
	area, err := sqlrow.Marshal(a.Area)
	if err != nil {
		return err
	}
	if a.ReportIDs == nil {
		a.ReportIDs = []string{}
	}
	reports, err := sqlrow.Marshal(a.ReportIDs)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO alerts (`+sqlrow.AlertCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Ref, a.State, boolInt(a.Confirmed), boolInt(a.AllClear), a.BodyEN, a.BodyES, area, reports,
		a.CreatedBy, a.ApprovedBy, sqlrow.Unix(a.CreatedAt), sqlrow.Unix(a.ApprovedAt), sqlrow.Unix(a.ValidUntil), a.Recipients, a.Sent, a.Failed, a.Statement)
	if err != nil {
		return fmt.Errorf("create alert: %w", err)
	}
	return nil
}

// GetAlert returns one alert.
func (s q) GetAlert(ctx context.Context, id string) (*tocsin.Alert, error) {
	var a tocsin.Alert
	if err := one(sqlrow.Alert(s.db.QueryRowContext(ctx, `SELECT `+sqlrow.AlertCols+` FROM alerts WHERE id = ?`, id), &a), "alert"); err != nil {
		return nil, err
	}
	return &a, nil
}

// GetAlertByRef returns the alert with a reference code.
func (s q) GetAlertByRef(ctx context.Context, ref string) (*tocsin.Alert, error) {
	var a tocsin.Alert
	if err := one(sqlrow.Alert(s.db.QueryRowContext(ctx, `SELECT `+sqlrow.AlertCols+` FROM alerts WHERE ref = ?`, ref), &a), "alert"); err != nil {
		return nil, err
	}
	return &a, nil
}

// ListAlerts returns alerts in the given states (all when none), newest first.
func (s q) ListAlerts(ctx context.Context, states []tocsin.AlertState, limit int) ([]tocsin.Alert, error) {
	query := `SELECT ` + sqlrow.AlertCols + ` FROM alerts`
	var args []any
	if len(states) > 0 {
		query += ` WHERE state IN (` + placeholders(len(states)) + `)`
		for _, st := range states {
			args = append(args, st)
		}
	}
	query += ` ORDER BY created_at DESC, id LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	defer rows.Close()
	var out []tocsin.Alert
	for rows.Next() {
		var a tocsin.Alert
		if err := sqlrow.Alert(rows, &a); err != nil {
			return nil, fmt.Errorf("scan alert: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ApproveAlert moves a draft to approved.
func (s q) ApproveAlert(ctx context.Context, id, by string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE alerts SET state = 'approved', approved_by = ?, approved_at = ? WHERE id = ? AND state = 'draft'`, by, at.Unix(), id)
	if err != nil {
		return fmt.Errorf("approve alert: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.GetAlert(ctx, id); err != nil {
			return err
		}
		return conflict("the alert is not a draft any more")
	}
	return nil
}

// CreateLedger writes the delivery ledger and moves the alert to sending.
func (s q) CreateLedger(ctx context.Context, alertID string, rs []tocsin.Recipient) error {
	if err := sqlrow.CheckRecipients(rs); err != nil {
		return err
	}
	return s.atomic(ctx, func(s q) error { return s.createLedger(ctx, alertID, rs) })
}

func (s q) createLedger(ctx context.Context, alertID string, rs []tocsin.Recipient) error {
	res, err := s.db.ExecContext(ctx, `UPDATE alerts SET state = 'sending', recipients = ? WHERE id = ? AND state = 'approved'`, len(rs), alertID)
	if err != nil {
		return fmt.Errorf("start alert: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.GetAlert(ctx, alertID); err != nil {
			return err
		}
		return conflict("the alert is not approved")
	}
	const chunk = 300 // rows per INSERT, under SQLite's variable limit
	for start := 0; start < len(rs); start += chunk {
		end := min(start+chunk, len(rs))
		args := make([]any, 0, 4*(end-start))
		for i := start; i < end; i++ {
			args = append(args, alertID, rs[i].SubscriberID, i, rs[i].MAC)
		}
		values := placeholdersRows(end-start, "(?, ?, ?, ?, 'pending')")
		if _, err := s.db.ExecContext(ctx, `INSERT INTO deliveries (alert_id, subscriber_id, seq, mac, status) VALUES `+values, args...); err != nil {
			return fmt.Errorf("write ledger: %w", err)
		}
	}
	return nil
}

// ClaimDeliveries marks up to limit pending (or crash-left sending) rows as
// sending and returns them with what is needed to send them: one UPDATE …
// RETURNING, then the subscribers in one SELECT per chunk of ids, both in one
// transaction so that a claim that cannot be completed is not made.
func (s q) ClaimDeliveries(ctx context.Context, alertID string, limit int, claimer string, at time.Time) ([]store.DeliveryJob, error) {
	var jobs []store.DeliveryJob
	err := s.atomic(ctx, func(s q) error {
		var err error
		jobs, err = s.claimDeliveries(ctx, alertID, limit, claimer, at)
		return err
	})
	if err != nil {
		return nil, err
	}
	return jobs, nil
}

func (s q) claimDeliveries(ctx context.Context, alertID string, limit int, claimer string, at time.Time) ([]store.DeliveryJob, error) {
	// SQLite keeps whatever type a writer puts in a column: a row whose
	// seq is not an integer cannot be finished by its seq and is never
	// claimed; other columns are read as integers whatever they hold (the
	// sender's MAC check refuses such a row).
	rows, err := s.db.QueryContext(ctx, `UPDATE deliveries SET status = 'sending', attempts = CAST(attempts AS INTEGER) + 1, claimed_by = ?, claimed_at = ?
		WHERE alert_id = ? AND seq IN (
			SELECT seq FROM deliveries WHERE alert_id = ? AND status = 'pending' AND typeof(seq) = 'integer' ORDER BY seq LIMIT ?)
		RETURNING CAST(subscriber_id AS INTEGER), seq, attempts, CAST(mac AS BLOB)`, claimer, at.Unix(), alertID, alertID, limit)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	var jobs []store.DeliveryJob
	for rows.Next() {
		j := store.DeliveryJob{Delivery: tocsin.Delivery{AlertID: alertID, Status: tocsin.DeliverySending}}
		if err := rows.Scan(&j.SubscriberID, &j.Seq, &j.Attempts, &j.MAC); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan claim: %w", err)
		}
		jobs = append(jobs, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	if err := s.fillJobs(ctx, jobs); err != nil {
		return nil, err
	}
	sqlrow.SortJobs(jobs)
	return jobs, nil
}

// fillJobs reads what the sender needs of each job's subscriber. A job
// whose subscriber is not there is left without a number (and inactive),
// and rows naming the same subscriber (which a database writer can make)
// each get it: the sender refuses what it did not write, row by row, and
// one such row must not stop the rest.
func (s q) fillJobs(ctx context.Context, jobs []store.DeliveryJob) error {
	byID := make(map[int64][]int, len(jobs))
	for i := range jobs {
		byID[jobs[i].SubscriberID] = append(byID[jobs[i].SubscriberID], i)
	}
	const chunk = 500 // ids per SELECT, under SQLite's variable limit
	for start := 0; start < len(jobs); start += chunk {
		end := min(start+chunk, len(jobs))
		args := make([]any, 0, end-start)
		for i := start; i < end; i++ {
			args = append(args, jobs[i].SubscriberID)
		}
		rows, err := s.db.QueryContext(ctx, `SELECT id, CAST(sealed AS BLOB), CAST(phone_hash AS BLOB), CAST(lang AS TEXT), active IS 1 FROM subscribers WHERE id IN (`+placeholders(end-start)+`)`, args...)
		if err != nil {
			return fmt.Errorf("claim subscribers: %w", err)
		}
		for rows.Next() {
			var id int64
			var sealed, phoneHash []byte
			var lang sql.NullString
			var active bool
			if err := rows.Scan(&id, &sealed, &phoneHash, &lang, &active); err != nil {
				rows.Close()
				return fmt.Errorf("scan subscriber: %w", err)
			}
			for _, i := range byID[id] {
				j := &jobs[i]
				j.Sealed, j.PhoneHash, j.Lang, j.Active = sealed, phoneHash, tocsin.Language(lang.String), active
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("claim subscribers: %w", err)
		}
	}
	return nil
}

// FinishDeliveries records outcomes.
func (s q) FinishDeliveries(ctx context.Context, ds []tocsin.Delivery) error {
	return s.atomic(ctx, func(s q) error { return s.finishDeliveries(ctx, ds) })
}

func (s q) finishDeliveries(ctx context.Context, ds []tocsin.Delivery) error {
	const chunk = 150 // five values a row, under SQLite's variable limit
	for start := 0; start < len(ds); start += chunk {
		part := ds[start:min(start+chunk, len(ds))]
		args := make([]any, 0, 5*len(part))
		for _, d := range part {
			args = append(args, d.AlertID, d.Seq, d.Status, d.ProviderID, d.Error)
		}
		_, err := s.db.ExecContext(ctx, `UPDATE deliveries SET status = v.column3, provider_id = v.column4, error = v.column5
			FROM (VALUES `+placeholdersRows(len(part), "(?, ?, ?, ?, ?)")+`) AS v
			WHERE deliveries.alert_id = v.column1 AND deliveries.seq = v.column2`, args...)
		if err != nil {
			return fmt.Errorf("finish deliveries: %w", err)
		}
		// Receipts that came before the row was finished.
		ids := make([]any, 0, len(part))
		for _, d := range part {
			if d.ProviderID != "" {
				ids = append(ids, d.ProviderID)
			}
		}
		if len(ids) > 0 {
			_, err = s.db.ExecContext(ctx, `UPDATE deliveries SET receipt = r.status, receipt_at = r.at FROM receipts r
				WHERE deliveries.provider_id = r.provider_id AND deliveries.provider_id <> '' AND deliveries.provider_id IN (`+placeholders(len(ids))+`)`, ids...)
			if err != nil {
				return fmt.Errorf("finish deliveries: receipts: %w", err)
			}
		}
	}
	return nil
}

// CompleteAlert marks a sending alert sent once no row is left to send (a
// row whose seq is not an integer, which only a database writer makes, is
// never claimed, and does not hold the alert).
func (s q) CompleteAlert(ctx context.Context, id string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE alerts SET state = 'sent',
			sent = (SELECT count(*) FROM deliveries WHERE alert_id = ?1 AND status = 'sent'),
			failed = (SELECT count(*) FROM deliveries WHERE alert_id = ?1 AND status = 'failed')
		WHERE id = ?1 AND state = 'sending'
		AND NOT EXISTS (SELECT 1 FROM deliveries WHERE alert_id = ?1 AND status IN ('pending', 'sending') AND typeof(seq) = 'integer')`, id)
	if err != nil {
		return false, fmt.Errorf("complete alert: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
