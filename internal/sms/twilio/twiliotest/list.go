package twiliotest

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"
)

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	if !s.wait(r) {
		return
	}
	if _, ok := s.authorize(w, r); !ok {
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	s.queries = append(s.queries, q)
	s.mu.Unlock()
	keep, err := filter(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, 20001, err.Error())
		return
	}
	size := s.opts.MaxPageSize
	if v := q.Get("PageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, 20001, "Invalid PageSize")
			return
		}
		size = min(n, s.opts.MaxPageSize)
	}
	page, _ := strconv.Atoi(q.Get("Page"))

	s.mu.Lock()
	type item struct {
		m Message
		i int
	}
	var all []item
	for i, m := range s.msgs {
		if keep(m) {
			all = append(all, item{m, i})
		}
	}
	s.mu.Unlock()
	// Newest first, as Twilio lists them.
	sort.SliceStable(all, func(a, b int) bool {
		if !all[a].m.DateSent.Equal(all[b].m.DateSent) {
			return all[a].m.DateSent.After(all[b].m.DateSent)
		}
		return all[a].i > all[b].i
	})
	start := 0
	if tok := q.Get("PageToken"); tok != "" {
		// The token names the last message of the previous page, so
		// that messages added meanwhile do not shift the pages.
		start = len(all)
		for j, it := range all {
			if "PA"+it.m.SID == tok {
				start = j + 1
				break
			}
		}
	}
	end := min(start+size, len(all))
	msgs := make([]any, 0, end-start)
	for _, it := range all[start:end] {
		msgs = append(msgs, s.resource(it.m))
	}

	base := "/2010-04-01/Accounts/" + s.opts.AccountSID + "/Messages.json"
	pageURI := func(p int, token string) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "Page" && k != "PageToken" && k != "PageSize" {
				v[k] = vs
			}
		}
		v.Set("PageSize", strconv.Itoa(size))
		v.Set("Page", strconv.Itoa(p))
		if token != "" {
			v.Set("PageToken", token)
		}
		return base + "?" + v.Encode()
	}
	var next any // JSON null on the last page
	if end < len(all) {
		next = pageURI(page+1, "PA"+all[end-1].m.SID)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"messages":          msgs,
		"end":               max(end-1, 0),
		"first_page_uri":    pageURI(0, ""),
		"next_page_uri":     next,
		"page":              page,
		"page_size":         size,
		"previous_page_uri": nil,
		"start":             start,
		"uri":               r.URL.RequestURI(),
	})
}

// filter builds the list filter from Twilio's query parameters. The SDK
// writes "DateSent>=2024-01-02T03:04:05Z" as the parameter "DateSent>"
// (the "=" separates name and value), which Twilio reads as "sent on or
// after"; likewise "DateSent<". Messages not yet sent have no date_sent and
// never match a DateSent filter.
func filter(q url.Values) (func(Message) bool, error) {
	var after, before, on time.Time
	for _, f := range []struct {
		name string
		t    *time.Time
	}{{"DateSent>", &after}, {"DateSent<", &before}, {"DateSent", &on}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		t, err := parseDate(v)
		if err != nil {
			//lint:ignore ST1005 the fake answers with Twilio's own wording
			return nil, fmt.Errorf("Invalid %s: %s", f.name, v)
		}
		*f.t = t
	}
	from, to := q.Get("From"), q.Get("To")
	return func(m Message) bool {
		if from != "" && m.From != from || to != "" && m.To != to {
			return false
		}
		if (!after.IsZero() || !before.IsZero() || !on.IsZero()) && m.DateSent.IsZero() {
			return false
		}
		if !after.IsZero() && m.DateSent.Before(after) {
			return false
		}
		if !before.IsZero() && m.DateSent.After(before) {
			return false
		}
		if !on.IsZero() && m.DateSent.UTC().Format(time.DateOnly) != on.Format(time.DateOnly) {
			return false
		}
		return true
	}, nil
}

func parseDate(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}

// rfc2822 is how Twilio writes dates: "Mon, 02 Jan 2006 15:04:05 +0000".
func rfc2822(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC1123Z)
}

func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}
