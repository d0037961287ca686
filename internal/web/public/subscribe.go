package public

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/abuse"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

type subscribeData struct {
	Phone, ZIPs, Lat, Lon, Radius string
	Code                          string // the code typed, kept when the form comes back
	Lang                          tocsin.Language
	ID                            string
	Done                          bool
}

// SubscribeForm shows the sign-up form.
func (s *Handler) SubscribeForm(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "subscribe.title")
	p.Data = subscribeData{Lang: p.Lang}
	s.carryPoW(p, abuse.KindSignup)
	s.Render(w, r, http.StatusOK, "subscribe", p)
}

// SubscribeSubmit seals the number at once and queues a sign-up; the sender
// texts the code. The answer is the same whatever the number, so the form
// tells nobody who is subscribed.
func (s *Handler) SubscribeSubmit(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "subscribe.title")
	if !s.ParseForm(w, r, webkit.MaxBody) {
		return
	}
	d := subscribeData{Phone: r.PostFormValue("phone"), ZIPs: r.PostFormValue("zips"), Lat: r.PostFormValue("lat"),
		Lon: r.PostFormValue("lon"), Radius: r.PostFormValue("radius"), Lang: tocsin.Language(r.PostFormValue("lang"))}
	p.Data = d
	su, err := s.newSignup(r, p, d, r.PostFormValue(powField))
	if e, ok := abuse.IsPoW(err); ok {
		s.askFormPoW(w, r, p, "subscribe", e, true)
		return
	}
	if err != nil {
		s.FormError(w, r, p, "subscribe", err)
		return
	}
	s.cfg.Wake()
	http.Redirect(w, r, "/subscribe/"+su.ID, http.StatusSeeOther)
}

func (s *Handler) newSignup(r *http.Request, p *webkit.Page, d subscribeData, solution string) (*tocsin.Signup, error) {
	ctx := r.Context()
	now := s.Now()
	n, err := phone.Parse(d.Phone, "US")
	if err != nil {
		return nil, tocsin.FieldError("phone", "that is not a phone number we can text; include the area code")
	}
	if why := s.cfg.SMSPolicy.Check(n); why != nil {
		return nil, s.refusedNumber(p, why)
	}
	lang, ok := tocsin.ParseLanguage(string(d.Lang))
	if !ok {
		return nil, tocsin.FieldError("lang", "choose English or Spanish")
	}
	area, err := webkit.ParseArea(s.cfg.ZIPs, d.ZIPs, d.Lat, d.Lon, d.Radius, tocsin.MaxZIPsPerSubscriber)
	if err != nil {
		return nil, err
	}
	if c := area.Circle; c != nil && c.RadiusM > tocsin.MaxSubscriberRadiusM {
		return nil, tocsin.FieldError("radius", "the radius can be at most %d km", tocsin.MaxSubscriberRadiusM/1000)
	}
	l := s.limits.Limits()
	if err := s.limits.Admit(ctx, abuse.KindSignup, []store.Bucket{
		abuse.Hourly(abuse.AreaKey(abuse.KindSignup, s.areaPoint(area)), l.SignupsPerAreaPerHour),
		abuse.Hourly(s.limits.PrefixBucketKey(abuse.KindSignup, n), l.SignupsPerPrefixPerHour),
	}, solution); err != nil {
		return nil, err
	}
	code := newCode()
	id := tocsin.NewID()
	sealed, err := s.cfg.Sealer.SealSignup(n, code)
	if err != nil {
		return nil, err
	}
	su := &tocsin.Signup{ID: id, Sealed: sealed, CodeHash: s.codeHash(id, code), Lang: lang, Area: area,
		State: tocsin.SignupPending, CreatedAt: now, ExpiresAt: now.Add(tocsin.SignupTTL)}
	if err := s.cfg.Store.CreateSignup(ctx, su); err != nil {
		return nil, err
	}
	return su, nil
}

// refusedNumber is the answer, in the page's language, to a number the SMS
// policy refuses: one of a country the service does not text, or a
// premium-rate, toll-free or other number that cannot take a text. Nothing
// is sealed or queued for it.
func (s *Handler) refusedNumber(p *webkit.Page, why error) error {
	if errors.Is(why, phone.ErrRegion) {
		where := p.T("subscribe.us_territories")
		if !s.cfg.SMSPolicy.USAndTerritoriesOnly() {
			where = strings.Join(s.cfg.SMSPolicy.Regions(), ", ")
		}
		return tocsin.FieldError("phone", p.T("subscribe.region"), where)
	}
	return tocsin.FieldError("phone", "%s", p.T("subscribe.number_type"))
}

// areaPoint is where an area is counted for the limits: its first ZIP
// code's centre, or its circle's.
func (s *Handler) areaPoint(a tocsin.Area) geo.Point {
	for _, z := range a.ZIPs {
		if p, ok := s.cfg.ZIPs.Lookup(z); ok {
			return p
		}
	}
	if a.Circle != nil {
		return geo.Point{Lat: a.Circle.Lat, Lon: a.Circle.Lon}
	}
	return geo.Point{}
}

// newCode returns six random digits.
func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// codeHash binds a code to its sign-up with the server's secret, so a copy
// of the database does not reveal codes.
func (s *Handler) codeHash(id, code string) []byte {
	m := hmac.New(sha256.New, s.CSRFKey)
	fmt.Fprintf(m, "tocsin/signup-code/v1\x00%s\x00%s", id, code)
	return m.Sum(nil)
}

// ConfirmForm asks for the code texted to a sign-up's number.
func (s *Handler) ConfirmForm(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "subscribe.title")
	su, err := s.cfg.Store.GetSignup(r.Context(), r.PathValue("id"))
	if err != nil {
		s.NotFound(w, r)
		return
	}
	p.Data = subscribeData{ID: su.ID, Done: su.State == tocsin.SignupConfirmed || su.State == tocsin.SignupDone}
	s.Render(w, r, http.StatusOK, "confirm", p)
}

// ConfirmSubmit checks a sign-up's code.
func (s *Handler) ConfirmSubmit(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "subscribe.title")
	ctx := r.Context()
	su, err := s.cfg.Store.GetSignup(ctx, r.PathValue("id"))
	if err != nil {
		s.NotFound(w, r)
		return
	}
	p.Data = subscribeData{ID: su.ID}
	if !s.ParseForm(w, r, webkit.MaxBody) {
		return
	}
	code := strings.TrimSpace(r.FormValue("code"))
	p.Data = subscribeData{ID: su.ID, Code: code}
	area := abuse.Hourly(abuse.AreaKey(abuse.KindCode, s.areaPoint(su.Area)), s.limits.Limits().CodesPerAreaPerHour)
	if err := s.limits.Admit(ctx, abuse.KindCode, []store.Bucket{area}, r.FormValue(powField)); err != nil {
		if e, ok := abuse.IsPoW(err); ok {
			s.askFormPoW(w, r, p, "confirm", e, true)
			return
		}
		s.FormError(w, r, p, "confirm", err)
		return
	}
	// Count the attempt first, atomically: guesses sent at once all count.
	su, err = s.cfg.Store.CountSignupAttempt(ctx, su.ID, s.Now(), tocsin.SignupMaxAttempts)
	if err != nil {
		if tocsin.ErrorCode(err) == tocsin.ECONFLICT {
			err = tocsin.FieldError("code", "this sign-up has expired; please start again")
		}
		s.FormError(w, r, p, "confirm", err)
		return
	}
	if !hmac.Equal(s.codeHash(su.ID, code), su.CodeHash) {
		s.FormError(w, r, p, "confirm", tocsin.FieldError("code", "that code is not right; check the text message and try again"))
		return
	}
	if err := s.cfg.Store.UpdateSignup(ctx, su.ID, tocsin.SignupConfirmed, su.Attempts); err != nil {
		s.FormError(w, r, p, "confirm", err)
		return
	}
	s.cfg.Wake()
	http.Redirect(w, r, "/subscribe/"+su.ID, http.StatusSeeOther)
}
