package bait

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/tocsin/tocsin/internal/store"
)

// decoys are the URLs a scanner or an intruder tries first. Each answers
// with a plausible, phony file and records a security event (warning: the
// internet's scanners hit such paths all day); the credentials in them are
// canaries, and using one is critical (WatchCredentials, and the API's report queue).
var decoys = map[string]struct {
	contentType string
	body        func(s *Handler, ctx context.Context) string
}{
	"/.env":               {"text/plain; charset=utf-8", (*Handler).decoyEnv},
	"/.env.production":    {"text/plain; charset=utf-8", (*Handler).decoyEnv},
	"/backup.sql":         {"application/sql", (*Handler).decoyBackup},
	"/tocsin-backup.sql":  {"application/sql", (*Handler).decoyBackup},
	"/.git/config":        {"text/plain; charset=utf-8", func(*Handler, context.Context) string { return decoyGitConfig }},
	"/admin/":             {"text/html; charset=utf-8", func(*Handler, context.Context) string { return decoyAdmin }},
	"/wp-login.php":       {"text/html; charset=utf-8", func(*Handler, context.Context) string { return decoyAdmin }},
	"/config/secrets.yml": {"text/plain; charset=utf-8", (*Handler).decoySecrets},
}

// DecoyPaths lists the decoy URLs, for the console and the docs.
func DecoyPaths() []string {
	out := make([]string, 0, len(decoys))
	for p := range decoys {
		out = append(out, p)
	}
	return out
}

// Decoy serves the phony file of a decoy URL and records the request.
func (s *Handler) Decoy(w http.ResponseWriter, r *http.Request) {
	d, ok := decoys[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.BaitEvent(r.Context(), r, "canary.url", store.SeverityWarning, r.URL.Path, "a decoy URL was requested")
	w.Header().Set("Content-Type", d.contentType)
	w.Header().Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		return
	}
	fmt.Fprint(w, d.body(s, r.Context()))
}

func (s *Handler) decoyEnv(context.Context) string {
	c := s.CanaryCreds()
	return strings.Join([]string{
		"# tocsin production settings -- do not commit",
		"TOCSIN_ROLE=all",
		"TOCSIN_DB=postgres://tocsin:" + c.DBPassword + "@db.internal:5432/tocsin?sslmode=require",
		"TOCSIN_PROVIDER=twilio",
		"TOCSIN_TWILIO_ACCOUNT_SID=" + c.TwilioAccountSID,
		"TOCSIN_TWILIO_API_KEY=" + c.TwilioAPIKey,
		"TOCSIN_TWILIO_API_SECRET=" + c.TwilioAPISecret,
		"TOCSIN_TWILIO_AUTH_TOKEN=" + c.TwilioAuthToken,
		"TOCSIN_TWILIO_FROM=+12135550143",
		"TOCSIN_API_KEY=" + c.APIKey,
		"TOCSIN_RATE=20",
		"",
	}, "\n")
}

func (s *Handler) decoySecrets(context.Context) string {
	c := s.CanaryCreds()
	return fmt.Sprintf("production:\n  twilio:\n    account_sid: %s\n    api_key: %s\n    api_secret: %s\n  partner_api_key: %s\n", c.TwilioAccountSID, c.TwilioAPIKey, c.TwilioAPISecret, c.APIKey)
}

// decoyBackup is a database dump with made-up subscribers (555-01xx
// numbers, which the numbering plan keeps for fiction and no phone has) and
// the canary operator accounts, under password hashes of nothing, for an
// intruder to try.
func (s *Handler) decoyBackup(ctx context.Context) string {
	c := s.CanaryCreds()
	var b strings.Builder
	b.WriteString("-- PostgreSQL database dump\n-- Dumped from database version 15.8\n\nSET statement_timeout = 0;\nSET client_encoding = 'UTF8';\n\n")
	b.WriteString("CREATE TABLE public.subscribers (\n    id bigint NOT NULL,\n    phone text NOT NULL,\n    zip text NOT NULL,\n    lang text NOT NULL,\n    created_at timestamp with time zone NOT NULL\n);\n\n")
	b.WriteString("COPY public.subscribers (id, phone, zip, lang, created_at) FROM stdin;\n")
	zips := []string{"90011", "90022", "90033", "90044", "90063", "91331"}
	for i := range 40 {
		lang := "en"
		if i%3 == 0 {
			lang = "es"
		}
		fmt.Fprintf(&b, "%d\t+1%s55501%02d\t%s\t%s\t2026-%02d-%02d 1%d:%02d:00+00\n", 1000+i, []string{"213", "323", "818", "562"}[i%4], i%100, zips[i%len(zips)], lang, 1+i%10, 1+i%27, i%10, (i*7)%60)
	}
	b.WriteString("\\.\n\n")
	b.WriteString("CREATE TABLE public.operators (\n    id bigint NOT NULL,\n    username text NOT NULL,\n    role text NOT NULL,\n    password_hash text NOT NULL\n);\n\n")
	b.WriteString("COPY public.operators (id, username, role, password_hash) FROM stdin;\n")
	if ops, err := s.st.ListOperators(ctx); err == nil {
		for i, o := range ops {
			if o.Canary {
				fmt.Fprintf(&b, "%d\t%s\t%s\t%s\n", 3+i, o.Username, o.Role, o.PasswordHash)
			}
		}
	}
	b.WriteString("\\.\n\n")
	fmt.Fprintf(&b, "-- partner integration key (reports:read)\n-- %s\n", c.APIKey)
	return b.String()
}

const decoyGitConfig = `[core]
	repositoryformatversion = 0
	filemode = true
	bare = false
	logallrefupdates = true
[remote "origin"]
	url = git@git.internal:rapid-response/tocsin-deploy.git
	fetch = +refs/heads/*:refs/remotes/origin/*
[branch "main"]
	remote = origin
	merge = refs/heads/main
`

const decoyAdmin = `<!doctype html><html><head><title>Log in</title></head><body><form method="post"><label>Username <input name="log"></label><label>Password <input type="password" name="pwd"></label><button>Log in</button></form></body></html>`
