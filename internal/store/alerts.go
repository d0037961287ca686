package store

import (
	"context"
	"time"

	"github.com/tocsin/tocsin"
)

// ReportFilter selects reports for the queue.
type ReportFilter struct {
	States []tocsin.ReportState // empty: all
	Since  time.Time            // zero: no bound
	Limit  int
}

// Reports stores reports.
type Reports interface {
	CreateReport(ctx context.Context, r *tocsin.Report) error
	GetReport(ctx context.Context, id string) (*tocsin.Report, error) // with the photo
	ListReports(ctx context.Context, f ReportFilter) ([]tocsin.Report, error)
	SetReportState(ctx context.Context, id string, s tocsin.ReportState) error
}

// DeliveryJob is a claimed ledger row with what the sender needs to send it.
type DeliveryJob struct {
	tocsin.Delivery
	MAC       []byte // as written with the ledger row
	Sealed    []byte
	PhoneHash []byte
	Lang      tocsin.Language
	Active    bool
}

// Alerts stores alerts.
type Alerts interface {
	CreateAlert(ctx context.Context, a *tocsin.Alert) error
	GetAlert(ctx context.Context, id string) (*tocsin.Alert, error)
	GetAlertByRef(ctx context.Context, ref string) (*tocsin.Alert, error)
	ListAlerts(ctx context.Context, states []tocsin.AlertState, limit int) ([]tocsin.Alert, error)
	// ApproveAlert moves a draft to approved; ECONFLICT if it is not a draft.
	ApproveAlert(ctx context.Context, id, by string, at time.Time) error
}

// Ledger is the fan-out's: alerts' delivery ledger, and their end.
type Ledger interface {
	// CreateLedger writes one pending row per recipient, in order, and moves
	// the alert from approved to sending; ECONFLICT if it is not approved.
	CreateLedger(ctx context.Context, alertID string, rs []tocsin.Recipient) error
	// ClaimDeliveries returns up to limit pending rows of the alert, lowest
	// Seq first, marking them sending by claimer at at: rows claimed by one
	// worker are never claimed by another.
	ClaimDeliveries(ctx context.Context, alertID string, limit int, claimer string, at time.Time) ([]DeliveryJob, error)
	// ReleaseClaims returns to pending the rows left sending by claimer (a
	// sender starting again after a crash; "" for none) and the rows whose
	// claim is older than staleBefore by a sender whose member lease
	// ("member/<claimer>") is not live at now (a sender that died).
	ReleaseClaims(ctx context.Context, claimer string, staleBefore, now time.Time) (int, error)
	// FinishDeliveries records outcomes, each on the row of its AlertID and
	// Seq.
	FinishDeliveries(ctx context.Context, ds []tocsin.Delivery) error
	// CompleteAlert moves a sending alert whose ledger has no pending or
	// sending row to sent, recording its counts. It reports whether it did.
	CompleteAlert(ctx context.Context, id string) (bool, error)
	// RefuseAlert moves an approved (or sending) alert to refused.
	RefuseAlert(ctx context.Context, id string) error
}
