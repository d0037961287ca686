package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

// CreateReport stores a report.
func (s q) CreateReport(ctx context.Context, r *tocsin.Report) error {
	var photo any
	if len(r.Photo) > 0 {
		photo = r.Photo
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO reports (id, category, description, place_text, zip, cell, observed_at, received_at, expires_at, state, source, photo)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Category, r.Description, r.PlaceText, r.ZIP, int64(r.Cell), sqlrow.Unix(r.ObservedAt), sqlrow.Unix(r.ReceivedAt), sqlrow.Unix(r.ExpiresAt), r.State, r.Source, photo)
	if err != nil {
		return fmt.Errorf("create report: %w", err)
	}
	r.HasPhoto = photo != nil
	return nil
}

// GetReport returns one report with its photo.
func (s q) GetReport(ctx context.Context, id string) (*tocsin.Report, error) {
	var r tocsin.Report
	if err := one(sqlrow.Report(s.db.QueryRowContext(ctx, `SELECT `+sqlrow.ReportCols+` FROM reports WHERE id = ?`, id), &r), "report"); err != nil {
		return nil, err
	}
	if r.HasPhoto {
		if err := s.db.QueryRowContext(ctx, `SELECT photo FROM reports WHERE id = ?`, id).Scan(&r.Photo); err != nil {
			return nil, fmt.Errorf("report photo: %w", err)
		}
	}
	return &r, nil
}

// ListReports returns reports newest first.
func (s q) ListReports(ctx context.Context, f store.ReportFilter) ([]tocsin.Report, error) {
	var where []string
	var args []any
	if len(f.States) > 0 {
		where = append(where, `state IN (`+placeholders(len(f.States))+`)`)
		for _, st := range f.States {
			args = append(args, st)
		}
	}
	if !f.Since.IsZero() {
		where = append(where, `received_at >= ?`)
		args = append(args, f.Since.Unix())
	}
	query := `SELECT ` + sqlrow.ReportCols + ` FROM reports`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	query += ` ORDER BY received_at DESC, id LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	defer rows.Close()
	var out []tocsin.Report
	for rows.Next() {
		var r tocsin.Report
		if err := sqlrow.Report(rows, &r); err != nil {
			return nil, fmt.Errorf("scan report: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetReportState changes a report's triage state.
func (s q) SetReportState(ctx context.Context, id string, st tocsin.ReportState) error {
	res, err := s.db.ExecContext(ctx, `UPDATE reports SET state = ? WHERE id = ?`, st, id)
	if err != nil {
		return fmt.Errorf("set report state: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("report")
	}
	return nil
}

// ExpireReports marks new and verified reports past their expiry as expired,
// and drops the photo, description and place text of every report past its
// expiry (false and duplicate ones keep their state): what is not kept cannot
// leak. Category, coarse cell and times stay for the record. It returns how
// many reports it expired.
func (s q) ExpireReports(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.atomic(ctx, func(s q) error {
		res, err := s.db.ExecContext(ctx, `UPDATE reports SET state = 'expired' WHERE state IN ('new', 'verified') AND expires_at <= ?`, now.Unix())
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		_, err = s.db.ExecContext(ctx, `UPDATE reports SET photo = NULL, description = '', place_text = ''
			WHERE expires_at <= ? AND (photo IS NOT NULL OR description != '' OR place_text != '')`, now.Unix())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("expire reports: %w", err)
	}
	return int(n), nil
}
