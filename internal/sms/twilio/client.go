package twilio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"

	"github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/tocsin/tocsin/internal/sms"
)

// APIError is an error answer from Twilio. It wraps sms.ErrTemporary (429,
// 5xx), ErrAuth (401, 403) or sms.ErrPermanent (other 4xx).
type APIError struct {
	Op       string // "send" or "list"
	Status   int    // HTTP status
	Code     int    // Twilio's error code, 0 when the answer had none
	Message  string // Twilio's words, with phone numbers removed
	MoreInfo string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%v: twilio %s: HTTP %d, Twilio error %d: %s", e.Unwrap(), e.Op, e.Status, e.Code, e.Message)
}

// Unwrap returns the sentinel that says what to do.
func (e *APIError) Unwrap() error {
	switch {
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		return ErrAuth
	case e.Status == http.StatusTooManyRequests || e.Status >= 500:
		return sms.ErrTemporary
	case e.Status >= 400:
		return sms.ErrPermanent
	}
	return sms.ErrTemporary
}

// numberLike matches what could be a phone number in Twilio's messages
// (which repeat the number: "Invalid 'To' Phone Number: +1555…").
var numberLike = regexp.MustCompile(`\+?[0-9](?:[ ().-]*[0-9]){6,}`)

func scrub(s string) string {
	s = numberLike.ReplaceAllString(s, "[number]")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// call is one use of the SDK, bound to a context.
type call struct {
	api *openapi.ApiService
	tr  *callTransport
}

// call prepares the SDK for one operation. The SDK builds its requests on
// context.Background(), so the context reaches them through the transport;
// the configured timeout becomes a deadline on that context (the SDK reads
// and closes every answer before it returns, so done can cancel safely).
// The client is built directly rather than with twilio.NewRestClientWithParams,
// which would fall back to TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN from the
// environment (the auth token must never send) and build a client for
// every Twilio product on each call; the RequestHandler is built without
// NewRequestHandler so that TWILIO_EDGE / TWILIO_REGION cannot redirect it.
func (p *Provider) call(ctx context.Context) (*call, func()) {
	done := func() {}
	if p.timeout > 0 {
		ctx, done = context.WithTimeout(ctx, p.timeout)
	}
	tr := &callTransport{ctx: ctx, next: p.hc.Transport}
	hc := p.hc
	hc.Timeout = 0
	hc.Transport = tr
	c := &client.Client{Credentials: client.NewCredentials(p.apiKey, p.apiSecret), HTTPClient: &hc}
	c.SetAccountSid(p.accountSID)
	api := openapi.NewApiService(&client.RequestHandler{Client: &baseClient{Client: c, base: p.base}})
	return &call{api: api, tr: tr}, done
}

// classify turns what the SDK returned into an error that wraps the right
// sentinel and carries no phone number and no URL.
func (c *call) classify(op string, err error) error {
	status := int(c.tr.status.Load())
	var rest *client.TwilioRestError
	var v1 *client.RestErrorV1
	switch {
	case errors.As(err, &rest):
		st := rest.Status
		if st == 0 {
			st = status
		}
		return &APIError{Op: op, Status: st, Code: rest.Code, Message: scrub(rest.Message), MoreInfo: rest.MoreInfo}
	case errors.As(err, &v1):
		st := v1.HttpStatusCode
		if st == 0 {
			st = status
		}
		return &APIError{Op: op, Status: st, Code: v1.Code, Message: scrub(v1.Message)}
	case status >= 300:
		// An answer the SDK could not decode (an HTML page from a proxy).
		return &APIError{Op: op, Status: status, Message: "the error answer was not Twilio's JSON"}
	case status >= 200:
		return fmt.Errorf("%w: %w: twilio %s: HTTP %d but the answer was not understood", sms.ErrTemporary, ErrMaybeSent, op, status)
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // without the URL
	}
	if c.tr.wrote.Load() {
		return fmt.Errorf("%w: %w: twilio %s: no answer: %w", sms.ErrTemporary, ErrMaybeSent, op, err)
	}
	return fmt.Errorf("%w: twilio %s: %w", sms.ErrTemporary, op, err)
}

// baseClient is the SDK's own client behind the SDK's BaseClient
// interface, which is how the SDK lets a program supply its HTTP client.
// It moves requests from https://api.twilio.com to the configured BaseURL
// (the SDK's services have the Twilio host built in), and refuses to send
// the credentials to any other address.
type baseClient struct {
	*client.Client
	base string
}

func (c *baseClient) SendRequest(method, rawURL string, data url.Values, headers map[string]interface{}, body ...byte) (*http.Response, error) {
	rest, ok := strings.CutPrefix(rawURL, twilioAPI)
	if !ok || (rest != "" && rest[0] != '/') {
		return nil, errors.New("twilio: refusing a request to a host other than api.twilio.com")
	}
	if c.base != "" {
		rawURL = c.base + rest
	}
	return c.Client.SendRequest(method, rawURL, data, headers, body...)
}

// callTransport binds requests to the call's context and notes what
// classify needs: the last HTTP status, and whether the last request was
// written out (after which a lost answer means the message may be sent).
type callTransport struct {
	ctx    context.Context
	next   http.RoundTripper
	status atomic.Int32
	wrote  atomic.Bool
}

func (t *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.status.Store(0)
	t.wrote.Store(false)
	ctx := httptrace.WithClientTrace(t.ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				t.wrote.Store(true)
			}
		},
	})
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if resp != nil {
		t.status.Store(int32(resp.StatusCode))
	}
	return resp, err
}
