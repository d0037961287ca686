package web

import (
	"github.com/tocsin/tocsin/internal/web/bait"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// routes lists every endpoint in one place.
func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /healthz", s.healthz)
	m.Handle("GET /static/", webkit.Static())

	m.HandleFunc("GET /{$}", s.public.Home)
	m.HandleFunc("GET /privacy", s.public.Privacy)
	m.HandleFunc("GET /lang/{lang}", s.kit.SetLang)
	m.HandleFunc("GET /alerts/{ref}", s.public.AlertPage)
	m.HandleFunc("GET /v/{ref}", s.public.AlertPage)
	m.HandleFunc("GET /log/checkpoint", s.logpub.Checkpoint)
	m.HandleFunc("GET /log/entries/{index}", s.logpub.Entry)
	m.HandleFunc("GET /log/proof/inclusion", s.logpub.Inclusion)
	m.HandleFunc("GET /log/proof/consistency", s.logpub.Consistency)
	m.HandleFunc("GET /log/alerts/{ref}", s.logpub.Alert)
	m.HandleFunc("GET /log/notices/{id}", s.logpub.Notice)
	m.HandleFunc("GET /notices", s.public.Notices)
	m.HandleFunc("GET /notices/{id}", s.public.Notice)
	m.HandleFunc("GET /verify", s.public.VerifyForm)
	m.HandleFunc("POST /verify", s.public.VerifySubmit)

	m.HandleFunc("GET /report", s.public.ReportForm)
	m.HandleFunc("POST /report", s.public.ReportSubmit)
	m.HandleFunc("POST /api/v1/reports", s.public.CreateReport)
	m.HandleFunc("GET /api/v1/challenge", s.public.Challenge)
	m.HandleFunc("GET /api/v1/reports", s.api.Queue)
	m.HandleFunc("POST /api/v1/verify", s.public.Verify)
	m.HandleFunc("GET /api/v1/openapi.json", s.api.OpenAPIDoc)
	m.HandleFunc("GET /api/v1/alerts", s.public.Alerts)
	m.HandleFunc("POST /api/v1/alerts/list", s.api.ListAlertsSigned)
	m.HandleFunc("GET /api/v1/alerts/{id}/statement", s.api.AlertStatement)
	m.HandleFunc("POST /api/v1/alerts/{id}/approvals", s.api.SubmitApproval)
	m.HandleFunc("GET /api/v1/notices/{id}/statement", s.api.NoticeStatement)
	m.HandleFunc("POST /api/v1/notices/{id}/approvals", s.api.SubmitNoticeApproval)
	m.HandleFunc("GET /api/v1/freeze-orders", s.api.ListFreezeOrders)
	m.HandleFunc("POST /api/v1/freeze-orders", s.api.SubmitFreezeOrder)

	m.HandleFunc("GET /subscribe", s.public.SubscribeForm)
	m.HandleFunc("POST /subscribe", s.public.SubscribeSubmit)
	m.HandleFunc("GET /subscribe/{id}", s.public.ConfirmForm)
	m.HandleFunc("POST /subscribe/{id}", s.public.ConfirmSubmit)

	if s.cfg.DevHooks {
		m.HandleFunc("POST /hooks/sms/dev", s.hooks.DevInbound)
	}
	for _, p := range s.cfg.ProviderHooks {
		m.HandleFunc("POST /hooks/sms/"+p, s.hooks.ProviderHook(p))
		if p == "kannel" {
			m.HandleFunc("GET /hooks/sms/"+p, s.hooks.ProviderHook(p)) // Kannel's get-url and dlr-url
		}
	}
	if s.cfg.CanaryHook != "" {
		m.HandleFunc("POST /hooks/sms/canary", s.hooks.ProviderHook("canary"))
		if s.cfg.CanaryHook == "kannel" {
			m.HandleFunc("GET /hooks/sms/canary", s.hooks.ProviderHook("canary"))
		}
	}

	for _, p := range bait.DecoyPaths() {
		m.HandleFunc("GET "+p, s.bait.Decoy)
		m.HandleFunc("POST "+p, s.bait.Decoy) // the decoy log-in forms
	}

	m.HandleFunc("GET /enrol/{token}", s.console.EnrolForm)
	m.HandleFunc("POST /enrol/{token}", s.console.EnrolSubmit)
	m.HandleFunc("GET /console/login", s.console.LoginForm)
	m.HandleFunc("POST /console/login", s.console.LoginSubmit)
	m.HandleFunc("GET /console/login/code", s.console.TOTPForm)
	m.HandleFunc("POST /console/login/code", s.console.TOTPSubmit)
	m.HandleFunc("POST /console/logout", s.kit.RequireOperator(s.console.Logout))

	m.HandleFunc("GET /console", s.kit.RequireOperator(s.console.Queue))
	m.HandleFunc("GET /console/reports/{id}/photo", s.kit.RequireOperator(s.console.ReportPhoto))
	m.HandleFunc("POST /console/reports/{id}/state", s.kit.RequireOperator(s.console.SetReportState))
	m.HandleFunc("GET /console/counts", s.kit.RequireOperator(s.console.Counts))
	m.HandleFunc("GET /console/alerts", s.kit.RequireOperator(s.console.AlertList))
	m.HandleFunc("GET /console/alerts/new", s.kit.RequireOperator(s.console.ComposeForm))
	m.HandleFunc("POST /console/alerts/new", s.kit.RequireOperator(s.console.ComposeSubmit))
	m.HandleFunc("GET /console/freeze", s.kit.RequireOperator(s.admin.FreezeForm))
	m.HandleFunc("POST /console/freeze", s.kit.RequireOperator(s.admin.Freeze))
	m.HandleFunc("GET /console/security", s.kit.RequireOperator(s.admin.SecurityEvents))
	m.HandleFunc("GET /console/limits", s.kit.RequireOperator(s.admin.Limits))
	m.HandleFunc("GET /console/audit", s.kit.RequireOperator(s.admin.AuditTrail))
	m.HandleFunc("GET /console/canaries", s.kit.RequireOperator(s.admin.Canaries))
	m.HandleFunc("POST /console/canaries", s.kit.RequireOperator(s.admin.CreateCanary))
	m.HandleFunc("GET /console/notices", s.kit.RequireOperator(s.admin.Notices))
	m.HandleFunc("POST /console/notices", s.kit.RequireOperator(s.admin.DraftNotice))
	m.HandleFunc("GET /console/notices/{id}/withdraw", s.kit.RequireOperator(s.admin.WithdrawForm))
	m.HandleFunc("POST /console/notices/{id}/withdraw", s.kit.RequireOperator(s.admin.WithdrawNotice))
}
