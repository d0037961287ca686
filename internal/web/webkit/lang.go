package webkit

import (
	"net/http"
	"strings"
	"unicode"

	"golang.org/x/text/language"

	"github.com/tocsin/tocsin"
)

// lang picks the page language: the visitor's choice (a cookie set by the
// switch), else the browser's Accept-Language, else English.
func (s *Kit) Lang(r *http.Request) tocsin.Language {
	if c, err := r.Cookie("lang"); err == nil {
		if l, ok := tocsin.ParseLanguage(c.Value); ok {
			return l
		}
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return tocsin.English
	}
	matcher := language.NewMatcher([]language.Tag{language.English, language.Spanish})
	_, i, conf := matcher.Match(tags...)
	if i == 1 && conf != language.No {
		return tocsin.Spanish
	}
	return tocsin.English
}

// setLang stores the visitor's language choice and goes back.
func (s *Kit) SetLang(w http.ResponseWriter, r *http.Request) {
	l, ok := tocsin.ParseLanguage(r.PathValue("lang"))
	if !ok {
		http.Error(w, "unknown language", http.StatusNotFound)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
	back := r.URL.Query().Get("back")
	if !IsLocalPath(back) {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// isLocalPath accepts "/x" but not "//host" or "/\host", nor control
// characters, which browsers drop ("/\t/host" is "//host"): no open redirects.
func IsLocalPath(p string) bool {
	return len(p) > 0 && p[0] == '/' && (len(p) == 1 || (p[1] != '/' && p[1] != '\\')) && !strings.ContainsFunc(p, unicode.IsControl)
}
