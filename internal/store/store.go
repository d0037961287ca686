// Package store defines the storage contract of tocsin: one interface that
// every database implementation satisfies and that one contract suite tests,
// composed of the role interfaces its consumers hold (roles.go): the web tier
// holds Web, which names no ledger, claim or outbound write.
//
// It holds no SQL. It must never hold a key that opens a sealed phone number,
// and nothing stored through it may be a phone number in the clear, an IP
// address or anything else that identifies a reporter.
package store

import (
	"context"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/audit"
)

// Store is a database holding tocsin's state: every role's operations
// (roles.go), composed for the drivers.
type Store interface {
	Web
	Querier
	// InTx runs fn in one transaction: all of it happens or none of it.
	InTx(ctx context.Context, fn func(q Querier) error) error
	Close() error
}

// Querier is every operation, inside a transaction or not: what the web
// tier may do and what only the sender and the command line may. Not-found
// is reported as a *tocsin.Error with code ENOTFOUND, a state clash as
// ECONFLICT.
type Querier interface {
	WebQuerier
	Privileged
}

// Bucket is one token bucket: Rate tokens a second flow in, up to Burst.
type Bucket struct {
	// Key names the kind of limit and its scope ("signup:global",
	// "report:cell:…", "signup:prefix:…"): never a person or an address.
	Key   string
	Rate  float64 // tokens per second
	Burst float64 // at least 1
}

// RefusalCount is how many requests one kind of limit held back in an hour.
type RefusalCount struct {
	Kind string
	Hour time.Time
	N    int64
}

// Limits holds the abuse limits that every web replica shares.
type Limits interface {
	// TakeTokens takes one token from every bucket, in order, or from
	// none: it returns the index of the first bucket that had none, or -1
	// when every token was taken. Each bucket is changed by one statement,
	// so replicas taking from the same bucket at once never take more than
	// it holds.
	TakeTokens(ctx context.Context, buckets []Bucket, now time.Time) (empty int, err error)
	// CountRefusals adds n to kind's count for the hour of at.
	CountRefusals(ctx context.Context, kind string, n int, at time.Time) error
	// Refusals returns the counts of the hours from since's on, oldest
	// first, then by kind.
	Refusals(ctx context.Context, since time.Time) ([]RefusalCount, error)
	// SpendChallenge records a proof-of-work challenge as used until
	// expires: ECONFLICT if it was used already. Challenges that expired
	// before now are forgotten.
	SpendChallenge(ctx context.Context, id string, expires, now time.Time) error
	// PurgeLimits deletes buckets untouched since before (full again by
	// then) and counts of hours before countsBefore.
	PurgeLimits(ctx context.Context, before, countsBefore time.Time) error
}

// Counts answers the console's counting questions: how many, never who.
type Counts interface {
	// SubscriberLangs counts the active subscribers among ids by language.
	SubscriberLangs(ctx context.Context, ids []int64) (map[tocsin.Language]int, error)
	// SubscriberCounts counts active subscribers by ZIP code and by
	// language.
	SubscriberCounts(ctx context.Context) (*SubscriberCounts, error)
	// DailyCounts counts, per UTC day from since's day on, the reports
	// received and the alerts approved to send (sent or sending). Days with
	// nothing are left out; the result is in day order.
	DailyCounts(ctx context.Context, since time.Time) ([]DayCount, error)
}

// SubscriberCounts is how many active subscribers there are, by the ZIP
// codes they follow (a subscriber following two ZIPs counts in each) and by
// language; Points counts those who follow a place on the map.
type SubscriberCounts struct {
	Total  int
	ByZIP  []KeyCount // by ZIP, ascending
	ByLang []KeyCount // by language tag, ascending
	Points int
}

// KeyCount is a count under a key.
type KeyCount struct {
	Key string
	N   int
}

// DayCount is what happened on one UTC day.
type DayCount struct {
	Day     time.Time // midnight UTC
	Reports int
	Alerts  int
}

// Log reads the transparency log: entries, in order, and signed
// checkpoints. Only the sender appends and signs (LogWriter).
type Log interface {
	LogSize(ctx context.Context) (uint64, error)
	LogLeafHash(ctx context.Context, index uint64) ([32]byte, error)
	LogEntry(ctx context.Context, index uint64) ([]byte, error)
	// LogIndex finds the entry with this leaf hash; ENOTFOUND if none.
	LogIndex(ctx context.Context, leafHash [32]byte) (uint64, error)
	// LatestCheckpoint returns the signed checkpoint of the largest size;
	// ENOTFOUND when there is none.
	LatestCheckpoint(ctx context.Context) (uint64, []byte, error)
}

// LogWriter is the log keeper's (the primary sender's): it appends to the
// transparency log, stores the checkpoints it signs, and publishes or
// refuses the notices it verified.
type LogWriter interface {
	// LogAppend appends an entry at index want; ECONFLICT if the log does
	// not have exactly want entries.
	LogAppend(ctx context.Context, want uint64, hash [32]byte, entry []byte) error
	PutCheckpoint(ctx context.Context, size uint64, signed []byte) error
	// PublishNotice moves an approved notice to published (after appending
	// it to the log), and RefuseNotice an approved one to refused;
	// ECONFLICT from another state, ENOTFOUND for no such notice.
	PublishNotice(ctx context.Context, id, by string, at time.Time) error
	RefuseNotice(ctx context.Context, id string) error
}

// APIKeys stores keys to the keyed API, real and canary.
type APIKeys interface {
	// CreateAPIKey stores a key; ECONFLICT if its id or hash is taken.
	CreateAPIKey(ctx context.Context, k *tocsin.APIKey) error
	// GetAPIKeyByHash finds a key by the SHA-256 of the whole key.
	GetAPIKeyByHash(ctx context.Context, hash []byte) (*tocsin.APIKey, error)
	ListAPIKeys(ctx context.Context) ([]tocsin.APIKey, error)
	TouchAPIKey(ctx context.Context, id string, at time.Time) error
	RevokeAPIKey(ctx context.Context, id string, at time.Time) error
}

// Notices stores public incident notices, their statements and approvals.
// The store checks no signature: the sender publishes a notice only with
// enough valid ones, and the web tier shows only what is in the log.
type Notices interface {
	// CreateNotice stores a draft notice with its statement; ECONFLICT if
	// the id is taken.
	CreateNotice(ctx context.Context, n *tocsin.Notice) error
	GetNotice(ctx context.Context, id string) (*tocsin.Notice, error)
	// ListNotices returns notices in state (all when ""), the most recently
	// published first, then the most recently created.
	ListNotices(ctx context.Context, state tocsin.NoticeState, limit int) ([]tocsin.Notice, error)
	// ApproveNotice moves a draft to approved (then the sender publishes
	// or refuses it, LogWriter); ECONFLICT from another state, ENOTFOUND
	// for no such notice.
	ApproveNotice(ctx context.Context, id string) error
	// AddNoticeApproval stores an approval of a notice (its id in
	// AlertID); a second one by the same key replaces the first.
	// ENOTFOUND if the notice does not exist.
	AddNoticeApproval(ctx context.Context, a *Approval) error
	ListNoticeApprovals(ctx context.Context, noticeID string) ([]Approval, error)
}

// AlertStart is the primary sender's record that it verified an alert's
// statement and started it. MAC is the sender's; the store checks nothing.
type AlertStart struct {
	AlertID   string
	Digest    []byte // SHA-256 of the statement
	StartedAt time.Time
	MAC       []byte
}

// Cluster coordinates several processes sharing one database: leases that
// one process holds at a time, and the record of alerts started.
type Cluster interface {
	// TryLease takes the named lease for holder until now+ttl, or renews it
	// if holder has it; it reports false, changing nothing, while another
	// holder's lease has not expired at now.
	TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	// DropLease gives the lease up if holder has it.
	DropLease(ctx context.Context, name, holder string) error
	// CountLeases counts the leases whose name begins with prefix and that
	// have not expired at now.
	CountLeases(ctx context.Context, prefix string, now time.Time) (int, error)

	// RecordStart stores an alert's start; ECONFLICT if the alert has one.
	RecordStart(ctx context.Context, s *AlertStart) error
	// GetStart returns an alert's start; ENOTFOUND if it has none.
	GetStart(ctx context.Context, alertID string) (*AlertStart, error)
	// StartsSince returns the starts at or after t, oldest first.
	StartsSince(ctx context.Context, t time.Time) ([]AlertStart, error)
}

// HookRequest is a provider webhook request, sealed to the sender.
type HookRequest struct {
	ID         int64
	Provider   string
	Sealed     []byte
	ReceivedAt time.Time
}

// DeliveryCounts sums an alert's ledger: what providers accepted and what
// their receipts say reached phones.
type DeliveryCounts struct {
	Accepted, Delivered, Undelivered int
}

// SentMessage is a message handed to a provider, by the provider's id.
type SentMessage struct{ Provider, ProviderID string }

// Hooks stores what provider webhooks bring to the web tier: an inbound
// text, a request sealed whole to the sender, a delivery receipt.
type Hooks interface {
	AddInbound(ctx context.Context, m *tocsin.Inbound) error
	AddHookRequest(ctx context.Context, h *HookRequest) error
	// RecordReceipt stores a receipt on the ledger row with this provider
	// id; it reports whether there was one.
	RecordReceipt(ctx context.Context, providerID, status string, at time.Time) (bool, error)
}

// Gateways is the sender's side of what real SMS gateways send back.
type Gateways interface {
	ListHookRequests(ctx context.Context, limit int) ([]HookRequest, error)
	DeleteHookRequest(ctx context.Context, id int64) error
	// MarkHookSeen records the keyed hash of a webhook request's provider
	// id as acted on at; it reports false, changing nothing, when the hash
	// was recorded already (a replay).
	MarkHookSeen(ctx context.Context, hash []byte, at time.Time) (bool, error)
	DeliveryCounts(ctx context.Context, alertID string) (DeliveryCounts, error)
	// RecordSent notes messages handed to providers, by their ids.
	RecordSent(ctx context.Context, sent []SentMessage, at time.Time) error
	// KnownSent reports which of the ids the sender handed to provider.
	KnownSent(ctx context.Context, provider string, ids []string) (map[string]bool, error)
}

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

// AreaCandidate is a subscriber area that may fall in an alert's area.
type AreaCandidate struct {
	SubscriberID int64
	ZIP          string
	Cell         uint64
	RadiusM      float64
}

// AreaQuery selects subscriber areas: those whose cell is in one of Ranges
// and whose radius is in (MinRadiusM, MaxRadiusM] (no bound when MaxRadiusM
// is 0), restricted to point areas (no ZIP) when PointsOnly; plus, in every
// case, the areas whose ZIP is one of ZIPs.
type AreaQuery struct {
	Ranges     []CellRange
	MinRadiusM float64
	MaxRadiusM float64
	PointsOnly bool
	ZIPs       []string
}

// CellRange is an inclusive range of S2 leaf cell ids.
type CellRange struct{ Min, Max uint64 }

// Subscribers stores subscriptions, and the codes the sender texts to
// sign-ups: the sender's alone.
type Subscribers interface {
	// GetSubscriberByHash finds a subscriber by the keyed hash of its number.
	GetSubscriberByHash(ctx context.Context, hash []byte) (*tocsin.Subscriber, error)
	GetSubscriber(ctx context.Context, id int64) (*tocsin.Subscriber, error)
	// SaveSubscriber inserts s (ID 0) or updates it, replacing its areas.
	SaveSubscriber(ctx context.Context, s *tocsin.Subscriber) error
	// ActiveAreas returns every area of every active subscriber, for an
	// in-memory index, and the highest subscriber id at that moment.
	ActiveAreas(ctx context.Context) ([]AreaCandidate, int64, error)
	// SubscribersChangedSince returns the ids of subscribers added after
	// afterID or updated at or after since.
	SubscribersChangedSince(ctx context.Context, afterID int64, since time.Time) ([]int64, error)

	ListSignups(ctx context.Context, state tocsin.SignupState, limit int) ([]tocsin.Signup, error)
	// RecordCodeSend notes that a code went to the number with this hash.
	RecordCodeSend(ctx context.Context, phoneHash []byte, at time.Time) error
	CountCodeSends(ctx context.Context, phoneHash []byte, since time.Time) (int, error)
	// RecordBlockCode notes a code to a number of the block (phone.Number.
	// Block) with this keyed hash: sent, or refused over the block's limit.
	RecordBlockCode(ctx context.Context, blockHash []byte, at time.Time, refused bool) error
	// CountBlockCodes counts the codes sent to, and refused to, the block
	// since t.
	CountBlockCodes(ctx context.Context, blockHash []byte, since time.Time) (sent, refused int, err error)

	// SetOptOut records that the number with this keyed hash opted out
	// (STOP) at t, subscribed or not; a number already opted out keeps the
	// time it first did. No retention purge forgets an opt-out.
	SetOptOut(ctx context.Context, phoneHash []byte, at time.Time) error
	// GetOptOut returns when the number opted out; ENOTFOUND if it has not,
	// or has opted back in since.
	GetOptOut(ctx context.Context, phoneHash []byte) (time.Time, error)
	// ClearOptOut forgets the number's opt-out: it opted back in.
	ClearOptOut(ctx context.Context, phoneHash []byte) error
}

// Audience is what the web tier may learn of subscribers: how many there
// are and which areas an alert's area reaches, never a number, sealed or not.
type Audience interface {
	CountSubscribers(ctx context.Context) (active int, err error)
	// AreaCandidates returns the areas of active subscribers that q selects,
	// each area once.
	AreaCandidates(ctx context.Context, q AreaQuery) ([]AreaCandidate, error)
}

// Signups stores web sign-ups.
type Signups interface {
	CreateSignup(ctx context.Context, s *tocsin.Signup) error
	GetSignup(ctx context.Context, id string) (*tocsin.Signup, error)
	UpdateSignup(ctx context.Context, id string, state tocsin.SignupState, attempts int) error
	// CountSignupAttempt counts one attempt at a sign-up's code, atomically,
	// and returns the sign-up as it is now; ECONFLICT if it cannot be tried
	// any more (not waiting for its code, expired at now, or out of attempts).
	CountSignupAttempt(ctx context.Context, id string, now time.Time, maxAttempts int) (*tocsin.Signup, error)
	CountSignupsSince(ctx context.Context, since time.Time) (int, error)
}

// Messages is the sender's queue of inbound texts (added through Hooks)
// and its one-to-one outbound texts.
type Messages interface {
	ListInbound(ctx context.Context, limit int) ([]tocsin.Inbound, error)
	DeleteInbound(ctx context.Context, id int64) error
	AddOutbound(ctx context.Context, m *tocsin.Outbound) error
	ListOutbound(ctx context.Context, limit int) ([]tocsin.Outbound, error)
	DeleteOutbound(ctx context.Context, id int64) error
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

// Operators stores operators, enrolment links and sessions.
type Operators interface {
	CreateOperator(ctx context.Context, o *tocsin.Operator) error
	GetOperator(ctx context.Context, id int64) (*tocsin.Operator, error)
	GetOperatorByName(ctx context.Context, username string) (*tocsin.Operator, error)
	ListOperators(ctx context.Context) ([]tocsin.Operator, error)
	UpdateOperator(ctx context.Context, o *tocsin.Operator) error
	// CountLoginFailure adds one password failure to an operator atomically
	// and returns the new count; a count whose last failure is before since
	// starts again at 1.
	CountLoginFailure(ctx context.Context, id int64, at, since time.Time) (int, error)
	// CountCodeFailure adds one second-factor failure to an operator
	// atomically and returns the new count.
	CountCodeFailure(ctx context.Context, id int64, at time.Time) (int, error)
	CountOperators(ctx context.Context) (int, error)

	CreateEnrolment(ctx context.Context, e *tocsin.Enrolment) error
	GetEnrolment(ctx context.Context, tokenHash []byte) (*tocsin.Enrolment, error)
	SetEnrolmentSecret(ctx context.Context, tokenHash []byte, secret string) error
	DeleteEnrolment(ctx context.Context, tokenHash []byte) error

	CreateSession(ctx context.Context, s *tocsin.Session) error
	GetSession(ctx context.Context, tokenHash []byte) (*tocsin.Session, error)
	DeleteSession(ctx context.Context, tokenHash []byte) error
}

// Sig is one signature over a signed record, by the key KeyID.
type Sig struct {
	KeyID     string
	Signature []byte
}

// Signed is a signed record as stored: a canonical body (a roster version or
// a freeze order, see package trust) and the signatures gathered for it. The
// store checks nothing about them: only the sender's verification counts.
type Signed struct {
	Seq  int64 // roster version or freeze order sequence number
	Body []byte
	Sigs []Sig
}

// Approval is one operator's signature over an alert statement, or over a
// notice statement (AlertID is then the notice's id).
type Approval struct {
	AlertID   string
	Kind      string // "ed25519"; room for "webauthn"
	KeyID     string
	Digest    []byte // SHA-256 of the statement, as the signer saw it
	Signature []byte
	SignedAt  time.Time
}

// Severities of security events, lowest first. Operators are told of high
// and critical ones at once, over the alarm channel.
const (
	SeverityInfo     = "info"
	SeverityWarning  = "warning"
	SeverityHigh     = "high"
	SeverityCritical = "critical"
)

// SecurityEvent is something refused or detected that operators must see.
type SecurityEvent struct {
	ID       int64
	At       time.Time
	Kind     string // e.g. "alert.refused", "roster.rejected", "freeze", "canary.subscriber"
	Severity string // info, warning (the default), high or critical
	Subject  string // what was touched: alert id, roster version, canary, …
	Detail   string // why, for a person; never a phone number
	// Net: the request's network details, only for an event that a request
	// to bait caused (a canary key, a decoy, a canary account); nil
	// otherwise. Never a reporter's or a subscriber's.
	Net        *NetworkDetails
	NotifiedAt time.Time // zero until operators were told
}

// NetworkDetails are what a request to bait gives away about who made it.
type NetworkDetails struct {
	SourceAddr string
	UserAgent  string
	Headers    map[string]string
}

// Trust stores what the sender verifies: approvals, the roster chain (read
// here, written through Roster), freeze orders; and security events.
type Trust interface {
	// AddApproval stores an approval; a second one by the same key for the
	// same alert replaces the first.
	AddApproval(ctx context.Context, a *Approval) error
	ListApprovals(ctx context.Context, alertID string) ([]Approval, error)

	// RosterChain returns every version in order, with its signatures.
	RosterChain(ctx context.Context) ([]Signed, error)

	// PutFreezeOrder stores a freeze order body at its sequence number
	// (ECONFLICT if taken by another body); AddFreezeSig adds a signature.
	PutFreezeOrder(ctx context.Context, seq int64, body []byte) error
	AddFreezeSig(ctx context.Context, seq int64, sig Sig) error
	// FreezeOrders returns the orders with seq > after, in order.
	FreezeOrders(ctx context.Context, after int64) ([]Signed, error)

	// AddSecurityEvent records an event (severity warning when empty).
	AddSecurityEvent(ctx context.Context, e *SecurityEvent) error
	// ListSecurityEvents returns the newest events first.
	ListSecurityEvents(ctx context.Context, limit int) ([]SecurityEvent, error)
	// SecurityEventsBetween returns the events in [from, to), oldest first.
	SecurityEventsBetween(ctx context.Context, from, to time.Time) ([]SecurityEvent, error)
}

// Roster writes roster versions and their signatures: the command line's
// (tocsin init, tocsin roster), on the host.
type Roster interface {
	// PutRosterVersion stores a roster version body (ECONFLICT if that
	// version exists with another body); AddRosterSig adds a signature.
	PutRosterVersion(ctx context.Context, version int64, body []byte) error
	AddRosterSig(ctx context.Context, version int64, sig Sig) error
}

// Upkeep is the coordinator's: it tells operators of security events, and
// forgets what is kept for a time only.
type Upkeep interface {
	// UnnotifiedEvents returns, oldest first, events of the given
	// severities of which operators were not told yet.
	UnnotifiedEvents(ctx context.Context, severities []string, limit int) ([]SecurityEvent, error)
	MarkNotified(ctx context.Context, ids []int64, at time.Time) error
	// PurgeSecurityEvents forgets the network details of events before
	// netBefore and the events before before.
	PurgeSecurityEvents(ctx context.Context, netBefore, before time.Time) error
	ExpireReports(ctx context.Context, now time.Time) (int, error)
	DeleteExpiredSessions(ctx context.Context, now time.Time) error
	// PurgeCodeSends forgets code sends before t, per number and per block:
	// they serve the rate limits only.
	PurgeCodeSends(ctx context.Context, before time.Time) error
	// PurgeHooksSeen forgets the hashes recorded before t.
	PurgeHooksSeen(ctx context.Context, before time.Time) error
	PurgeSent(ctx context.Context, before time.Time) error
}

// Audit stores the audit trail as a hash chain (package audit).
type Audit interface {
	// AppendAudit appends an entry with the next id, chained to the last.
	AppendAudit(ctx context.Context, e *tocsin.AuditEntry) error
	ListAudit(ctx context.Context, limit int) ([]tocsin.AuditEntry, error)
	// AuditChain returns the whole trail in id order with its chain fields.
	AuditChain(ctx context.Context) ([]audit.Link, error)
}
