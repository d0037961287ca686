package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

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
	_, err = s.db.Exec(ctx, `INSERT INTO alerts (`+sqlrow.AlertCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		a.ID, a.Ref, string(a.State), a.Confirmed, a.AllClear, a.BodyEN, a.BodyES, area, reports,
		a.CreatedBy, a.ApprovedBy, sqlrow.Unix(a.CreatedAt), sqlrow.Unix(a.ApprovedAt), sqlrow.Unix(a.ValidUntil), a.Recipients, a.Sent, a.Failed, a.Statement)
	if err != nil {
		return fmt.Errorf("create alert: %w", err)
	}
	return nil
}

// GetAlert returns one alert.
func (s q) GetAlert(ctx context.Context, id string) (*tocsin.Alert, error) {
	var a tocsin.Alert
	if err := one(sqlrow.Alert(s.db.QueryRow(ctx, `SELECT `+sqlrow.AlertCols+` FROM alerts WHERE id = $1`, id), &a), "alert"); err != nil {
		return nil, err
	}
	return &a, nil
}

// GetAlertByRef returns the alert with a reference code.
func (s q) GetAlertByRef(ctx context.Context, ref string) (*tocsin.Alert, error) {
	var a tocsin.Alert
	if err := one(sqlrow.Alert(s.db.QueryRow(ctx, `SELECT `+sqlrow.AlertCols+` FROM alerts WHERE ref = $1`, ref), &a), "alert"); err != nil {
		return nil, err
	}
	return &a, nil
}

// ListAlerts returns alerts in the given states (all when none), newest first.
func (s q) ListAlerts(ctx context.Context, states []tocsin.AlertState, limit int) ([]tocsin.Alert, error) {
	query := `SELECT ` + sqlrow.AlertCols + ` FROM alerts`
	args := []any{limit}
	if len(states) > 0 {
		query += ` WHERE state = ANY($2)`
		args = append(args, strs(states))
	}
	query += ` ORDER BY created_at DESC, id LIMIT $1`
	rows, err := s.db.Query(ctx, query, args...)
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
	tag, err := s.db.Exec(ctx, `UPDATE alerts SET state = 'approved', approved_by = $1, approved_at = $2 WHERE id = $3 AND state = 'draft'`, by, at.Unix(), id)
	if err != nil {
		return fmt.Errorf("approve alert: %w", err)
	}
	if tag.RowsAffected() == 0 {
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

// createLedger moves the alert to sending (the UPDATE locks its row, so two
// callers cannot both start it) and writes the rows with COPY, which is
// what a ledger of a million rows needs.
func (s q) createLedger(ctx context.Context, alertID string, rs []tocsin.Recipient) error {
	tag, err := s.db.Exec(ctx, `UPDATE alerts SET state = 'sending', recipients = $1 WHERE id = $2 AND state = 'approved'`, len(rs), alertID)
	if err != nil {
		return fmt.Errorf("start alert: %w", err)
	}
	if tag.RowsAffected() == 0 {
		if _, err := s.GetAlert(ctx, alertID); err != nil {
			return err
		}
		return conflict("the alert is not approved")
	}
	if len(rs) == 0 {
		return nil
	}
	src := pgx.CopyFromSlice(len(rs), func(i int) ([]any, error) {
		return []any{alertID, rs[i].SubscriberID, int64(i), rs[i].MAC, string(tocsin.DeliveryPending)}, nil
	})
	if _, err := s.db.CopyFrom(ctx, pgx.Identifier{"deliveries"}, []string{"alert_id", "subscriber_id", "seq", "mac", "status"}, src); err != nil {
		return fmt.Errorf("write ledger: %w", err)
	}
	return nil
}

// ClaimDeliveries marks up to limit pending rows as sending and returns
// them with what is needed to send them: one UPDATE … RETURNING over rows
// picked FOR UPDATE SKIP LOCKED (so that workers claiming at once take
// different rows without waiting for each other), then the subscribers in
// one SELECT, both in one transaction so that a claim that cannot be
// completed is not made.
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
	rows, err := s.db.Query(ctx, `WITH picked AS (
			SELECT seq FROM deliveries
			WHERE alert_id = $1 AND status = 'pending'
			ORDER BY seq LIMIT $2
			FOR UPDATE SKIP LOCKED)
		UPDATE deliveries d SET status = 'sending', attempts = d.attempts + 1, claimed_by = $3, claimed_at = $4
		FROM picked
		WHERE d.alert_id = $1 AND d.seq = picked.seq
		RETURNING d.subscriber_id, d.seq, d.attempts, d.mac`, alertID, limit, claimer, at.Unix())
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
	if len(jobs) == 0 {
		return nil
	}
	byID := make(map[int64][]int, len(jobs))
	ids := make([]int64, len(jobs))
	for i := range jobs {
		byID[jobs[i].SubscriberID] = append(byID[jobs[i].SubscriberID], i)
		ids[i] = jobs[i].SubscriberID
	}
	rows, err := s.db.Query(ctx, `SELECT id, sealed, phone_hash, lang, active FROM subscribers WHERE id = ANY($1)`, ids)
	if err != nil {
		return fmt.Errorf("claim subscribers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var sealed, phoneHash []byte
		var lang tocsin.Language
		var active bool
		if err := rows.Scan(&id, &sealed, &phoneHash, &lang, &active); err != nil {
			return fmt.Errorf("scan subscriber: %w", err)
		}
		for _, i := range byID[id] {
			j := &jobs[i]
			j.Sealed, j.PhoneHash, j.Lang, j.Active = sealed, phoneHash, lang, active
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("claim subscribers: %w", err)
	}
	return nil
}

// FinishDeliveries records outcomes.
func (s q) FinishDeliveries(ctx context.Context, ds []tocsin.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	return s.atomic(ctx, func(s q) error { return s.finishDeliveries(ctx, ds) })
}

func (s q) finishDeliveries(ctx context.Context, ds []tocsin.Delivery) error {
	alerts := make([]string, len(ds))
	seqs := make([]int64, len(ds))
	statuses := make([]string, len(ds))
	providerIDs := make([]string, len(ds))
	errs := make([]string, len(ds))
	var withID []string
	for i, d := range ds {
		alerts[i], seqs[i], statuses[i], providerIDs[i], errs[i] = d.AlertID, int64(d.Seq), string(d.Status), d.ProviderID, d.Error
		if d.ProviderID != "" {
			withID = append(withID, d.ProviderID)
		}
	}
	_, err := s.db.Exec(ctx, `UPDATE deliveries d SET status = v.status, provider_id = v.provider_id, error = v.error
		FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[]) AS v(alert_id, seq, status, provider_id, error)
		WHERE d.alert_id = v.alert_id AND d.seq = v.seq`, alerts, seqs, statuses, providerIDs, errs)
	if err != nil {
		return fmt.Errorf("finish deliveries: %w", err)
	}
	// Receipts that came before the row was finished.
	if len(withID) > 0 {
		_, err = s.db.Exec(ctx, `UPDATE deliveries d SET receipt = r.status, receipt_at = r.at FROM receipts r
			WHERE d.provider_id = r.provider_id AND d.provider_id <> '' AND d.provider_id = ANY($1)`, withID)
		if err != nil {
			return fmt.Errorf("finish deliveries: receipts: %w", err)
		}
	}
	return nil
}

// CompleteAlert marks a sending alert sent once no row is left to send.
func (s q) CompleteAlert(ctx context.Context, id string) (bool, error) {
	tag, err := s.db.Exec(ctx, `UPDATE alerts SET state = 'sent',
			sent = (SELECT count(*) FROM deliveries WHERE alert_id = $1 AND status = 'sent'),
			failed = (SELECT count(*) FROM deliveries WHERE alert_id = $1 AND status = 'failed')
		WHERE id = $1 AND state = 'sending'
		AND NOT EXISTS (SELECT 1 FROM deliveries WHERE alert_id = $1 AND status IN ('pending', 'sending'))`, id)
	if err != nil {
		return false, fmt.Errorf("complete alert: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}
