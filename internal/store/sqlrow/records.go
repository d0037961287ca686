package sqlrow

import "github.com/tocsin/tocsin"

// Column lists, in the order the scans below read them.
const (
	AlertCols      = `id, ref, state, confirmed, all_clear, body_en, body_es, area, report_ids, created_by, approved_by, created_at, approved_at, valid_until, recipients, sent, failed, statement`
	APIKeyCols     = `id, name, hash, scope, canary, created_at, last_used_at, revoked_at`
	OperatorCols   = `id, username, role, password_hash, totp_secret, totp_last_step, failures, last_failure, enrolled, created_at, canary, code_failures, last_code_failure`
	ReportCols     = `id, category, description, place_text, zip, cell, observed_at, received_at, expires_at, state, source, photo IS NOT NULL`
	SubscriberCols = `id, phone_hash, sealed, lang, active, created_at, updated_at`
	SignupCols     = `id, sealed, code_hash, lang, area, state, attempts, created_at, expires_at`
)

// Alert scans a row of AlertCols into a.
func Alert(sc Scanner, a *tocsin.Alert) error {
	var area, reports string
	var created, approved, valid Seconds
	if err := sc.Scan(&a.ID, &a.Ref, &a.State, &a.Confirmed, &a.AllClear, &a.BodyEN, &a.BodyES, &area, &reports,
		&a.CreatedBy, &a.ApprovedBy, &created, &approved, &valid, &a.Recipients, &a.Sent, &a.Failed, &a.Statement); err != nil {
		return err
	}
	a.CreatedAt, a.ApprovedAt, a.ValidUntil = created.Time(), approved.Time(), valid.Time()
	if err := Unmarshal(area, &a.Area); err != nil {
		return err
	}
	return Unmarshal(reports, &a.ReportIDs)
}

// Operator scans a row of OperatorCols into o.
func Operator(sc Scanner, o *tocsin.Operator) error {
	var last, created, lastCode Seconds
	err := sc.Scan(&o.ID, &o.Username, &o.Role, &o.PasswordHash, &o.TOTPSecret, &o.TOTPLastStep, &o.Failures, &last, &o.Enrolled, &created, &o.Canary, &o.CodeFailures, &lastCode)
	o.LastFailure, o.CreatedAt, o.LastCodeFailure = last.Time(), created.Time(), lastCode.Time()
	return err
}

// Report scans a row of ReportCols into r.
func Report(sc Scanner, r *tocsin.Report) error {
	var cell int64
	var obs, rec, exp Seconds
	err := sc.Scan(&r.ID, &r.Category, &r.Description, &r.PlaceText, &r.ZIP, &cell, &obs, &rec, &exp, &r.State, &r.Source, &r.HasPhoto)
	r.Cell, r.ObservedAt, r.ReceivedAt, r.ExpiresAt = uint64(cell), obs.Time(), rec.Time(), exp.Time()
	return err
}

// Subscriber scans a row of SubscriberCols into sub; its areas are read
// separately.
func Subscriber(sc Scanner, sub *tocsin.Subscriber) error {
	var created, updated Seconds
	err := sc.Scan(&sub.ID, &sub.PhoneHash, &sub.Sealed, &sub.Lang, &sub.Active, &created, &updated)
	sub.CreatedAt, sub.UpdatedAt = created.Time(), updated.Time()
	return err
}

// Signup scans a row of SignupCols into su.
func Signup(sc Scanner, su *tocsin.Signup) error {
	var area string
	var created, expires Seconds
	if err := sc.Scan(&su.ID, &su.Sealed, &su.CodeHash, &su.Lang, &area, &su.State, &su.Attempts, &created, &expires); err != nil {
		return err
	}
	su.CreatedAt, su.ExpiresAt = created.Time(), expires.Time()
	return Unmarshal(area, &su.Area)
}

// APIKey scans a row of APIKeyCols into k.
func APIKey(sc Scanner, k *tocsin.APIKey) error {
	var created, used, revoked Seconds
	err := sc.Scan(&k.ID, &k.Name, &k.Hash, &k.Scope, &k.Canary, &created, &used, &revoked)
	k.CreatedAt, k.LastUsedAt, k.RevokedAt = created.Time(), used.Time(), revoked.Time()
	return err
}
