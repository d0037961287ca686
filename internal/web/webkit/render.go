package webkit

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/phone"
)

// templates holds every page, each parsed with the layout, checked at start.
type templates struct {
	pages map[string]*template.Template
}

func parseTemplates(loc *time.Location) (*templates, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"date": func(t time.Time) string { return formatTime(t, loc) },
		"join": strings.Join,
		// para splits a text into its paragraphs (blank-line separated).
		"para": func(s string) []string {
			var out []string
			for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
			return out
		},
	}
	t := &templates{pages: make(map[string]*template.Template)}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		p, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", base, err)
		}
		t.pages[strings.TrimSuffix(base, ".html")] = p
	}
	return t, nil
}

// formatTime shows t in loc, with the zone named: "2026-12-08 01:10 UTC",
// or "2026-12-07 17:10 PST (America/Los_Angeles)".
func formatTime(t time.Time, loc *time.Location) string {
	if loc == nil || loc == time.UTC || loc.String() == "UTC" {
		return t.UTC().Format("2006-01-02 15:04 UTC")
	}
	return t.In(loc).Format("2006-01-02 15:04 MST") + " (" + loc.String() + ")"
}

// Page is what every template receives.
type Page struct {
	Lang     tocsin.Language
	Name     string
	Title    string
	CSRF     string
	Operator *tocsin.Operator
	Path     string
	Errors   map[string]string // field → message
	Error    string
	Notice   string
	PoW      *PoWPrompt // a proof of work the form carries, under load
	Data     any
	// SMS are the service's numbers to text (Config.SMSNumbers).
	SMS []phone.Public
	// Freeze is the state of outbound messaging, on console pages.
	Freeze *FreezeStatus
	cat    catalog
}

// Can reports whether the signed-in operator's role allows action (an
// auth.Action name): templates offer only what the role may do.
func (p *Page) Can(action string) bool {
	if p.Operator == nil {
		return false
	}
	role, err := auth.ParseRole(p.Operator.Role)
	return err == nil && role.Can(auth.Action(action))
}

// T translates key into the page's language.
func (p *Page) T(key string) string { return p.cat.text(p.Lang, key) }

// Other is the language the switch offers.
func (p *Page) Other() tocsin.Language {
	if p.Lang == tocsin.Spanish {
		return tocsin.English
	}
	return tocsin.Spanish
}

// newPage starts the data of a page for r.
func (s *Kit) NewPage(r *http.Request, titleKey string) *Page {
	p := &Page{Lang: s.Lang(r), Name: s.Name, Path: r.URL.Path, Errors: map[string]string{}, SMS: s.SMSNumbers, cat: newCatalog()}
	p.Title = p.T(titleKey)
	return p
}

// render writes a page; it renders into a buffer first so that a template
// error becomes a clean 500, never half a page.
func (s *Kit) Render(w http.ResponseWriter, r *http.Request, status int, name string, p *Page) {
	t, ok := s.tmpl.pages[name]
	if !ok {
		s.Log.Error("no such template", "name", name)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.Log.Error("render", "template", name, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", string(p.Lang))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// PoWPrompt is the challenge a form carries.
type PoWPrompt struct {
	Challenge string // JSON, for pow.js
	Asked     bool   // the last send was held back for want of a solution
	Refused   bool   // the solution sent was not accepted
	Submit    bool   // pow.js may send the form again by itself once solved
}

// VerifyURL is the prefix of the verification link at the end of every
// alert text: the public /v/ page ("" when no public URL is configured).
func (s *Kit) VerifyURL() string {
	if s.BaseURL == "" {
		return ""
	}
	return strings.TrimRight(s.BaseURL, "/") + "/v/"
}
