package main

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/sender"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/sms/kannel"
	"github.com/tocsin/tocsin/internal/sms/outbox"
	"github.com/tocsin/tocsin/internal/sms/twilio"
)

// providerConfig is the SMS provider settings of the sender role. The web
// role must hold none of it (tocsin doctor checks).
type providerConfig struct {
	primary, fallback       string
	rate, fallbackRate      float64
	publicURL               string
	reconcileEvery          time.Duration
	workers, lanes          int
	twilioAccount           string
	twilioAPIKey, twilioKey string // API key SID and secret
	twilioToken             string // auth token: only to check webhook signatures
	twilioFrom, twilioMS    string
	twilioBaseURL           string
	kannelURL               string
	kannelUser, kannelPass  string
	kannelFrom, kannelSMSC  string
	kannelSecret            string
	outboxPath              string
	// The canary subscribers' own inbound path (another account or carrier).
	canaryHook                           string
	canaryTwilioAccount, canaryTwilioTok string
	canaryKannelSecret                   string
}

func (c *providerConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.primary, "provider", "outbox", "SMS provider: outbox (writes DATA/outbox.jsonl), twilio or kannel")
	fs.StringVar(&c.outboxPath, "outbox", "", "the outbox provider's file (default DATA/outbox.jsonl); sender workers may share one, as they would a provider account")
	fs.StringVar(&c.fallback, "fallback-provider", "", "a second provider that takes over when the first keeps failing")
	fs.Float64Var(&c.rate, "rate", 0, "messages per second through the provider (its numbers' throughput); 0 = no limit")
	fs.Float64Var(&c.fallbackRate, "fallback-rate", 0, "messages per second through the fallback provider")
	fs.StringVar(&c.publicURL, "public-url", "", "the site's public URL, for providers' webhooks (status callbacks, delivery reports)")
	fs.IntVar(&c.workers, "workers", 32, "messages of a batch in flight to the provider at once")
	fs.IntVar(&c.lanes, "lanes", 2, "batches of one alert in progress at once")
	fs.DurationVar(&c.reconcileEvery, "reconcile-every", time.Minute, "how often to compare the provider's list of sent messages with the ledger")
	fs.StringVar(&c.twilioAccount, "twilio-account-sid", "", "Twilio account SID (AC…)")
	fs.StringVar(&c.twilioAPIKey, "twilio-api-key", "", "Twilio API key SID (SK…), to send")
	fs.StringVar(&c.twilioKey, "twilio-api-secret", "", "Twilio API key secret (secret: prefer TOCSIN_TWILIO_API_SECRET_FILE)")
	fs.StringVar(&c.twilioToken, "twilio-auth-token", "", "Twilio auth token, only to check webhook signatures (secret: prefer the _FILE form)")
	fs.StringVar(&c.twilioFrom, "twilio-from", "", "sending number (E.164), or give --twilio-messaging-service instead")
	fs.StringVar(&c.twilioMS, "twilio-messaging-service", "", "Messaging Service SID (MG…)")
	fs.StringVar(&c.twilioBaseURL, "twilio-base-url", "", "Twilio API base URL (tests only)")
	fs.StringVar(&c.kannelURL, "kannel-sendsms-url", "http://127.0.0.1:13013/cgi-bin/sendsms", "Kannel smsbox sendsms URL")
	fs.StringVar(&c.kannelUser, "kannel-username", "", "Kannel sendsms-user")
	fs.StringVar(&c.kannelPass, "kannel-password", "", "its password (secret: prefer the _FILE form)")
	fs.StringVar(&c.kannelFrom, "kannel-from", "", "sender id or number")
	fs.StringVar(&c.kannelSMSC, "kannel-smsc", "", "smsc-id to route through")
	fs.StringVar(&c.kannelSecret, "kannel-hook-secret", "", "secret in Kannel's calls to /hooks/sms/kannel; it cannot send (secret: prefer the _FILE form)")
	fs.StringVar(&c.canaryHook, "canary-hook", "", "twilio or kannel: the inbound path of canary subscribers on another provider account or carrier, taken at /hooks/sms/canary; empty for none")
	fs.StringVar(&c.canaryTwilioAccount, "canary-twilio-account-sid", "", "the canary subscribers' own Twilio account SID (AC…, not the sending account)")
	fs.StringVar(&c.canaryTwilioTok, "canary-twilio-auth-token", "", "that account's auth token, only to check its webhook signatures; sender only (secret: prefer the _FILE form)")
	fs.StringVar(&c.canaryKannelSecret, "canary-kannel-hook-secret", "", "secret in the canary carrier's Kannel calls to /hooks/sms/canary; sender only (secret: prefer the _FILE form)")
}

// canaryVerifier builds the check of the canary hook's requests (nil when
// there is none).
func (c *providerConfig) canaryVerifier() (sms.Webhooks, error) {
	switch c.canaryHook {
	case "":
		return nil, nil
	case "twilio":
		if c.canaryTwilioTok != "" && c.canaryTwilioTok == c.twilioToken {
			return nil, errors.New("--canary-twilio-auth-token is the sending account's auth token: canaries on the sending account can be listed and skipped by whoever holds it; use another account")
		}
		if c.canaryTwilioAccount != "" && c.canaryTwilioAccount == c.twilioAccount {
			return nil, errors.New("--canary-twilio-account-sid is the sending account: use another account")
		}
		return twilio.NewVerifier(c.canaryTwilioAccount, c.canaryTwilioTok)
	case "kannel":
		if c.canaryKannelSecret != "" && c.canaryKannelSecret == c.kannelSecret {
			return nil, errors.New("--canary-kannel-hook-secret is the sending Kannel's hook secret: give the canary gateway its own")
		}
		return kannel.NewVerifier(c.canaryKannelSecret, "")
	default:
		return nil, fmt.Errorf("unknown --canary-hook %q: use twilio or kannel", c.canaryHook)
	}
}

// routes builds the providers in order of preference.
func (c *providerConfig) routes(dataDir string) ([]sender.Route, func(), error) {
	var rs []sender.Route
	var closers []func()
	closeAll := func() {
		for _, f := range closers {
			f()
		}
	}
	for _, p := range []struct {
		name string
		rate float64
	}{{c.primary, c.rate}, {c.fallback, c.fallbackRate}} {
		if p.name == "" {
			continue
		}
		prov, closeProv, err := c.build(p.name, dataDir)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		if closeProv != nil {
			closers = append(closers, closeProv)
		}
		rs = append(rs, sender.Route{Provider: prov, Rate: p.rate})
	}
	return rs, closeAll, nil
}

func (c *providerConfig) build(name, dataDir string) (sms.Provider, func(), error) {
	hook := strings.TrimRight(c.publicURL, "/") + "/hooks/sms/" + name
	switch name {
	case "outbox":
		path := c.outboxPath
		if path == "" {
			path = filepath.Join(dataDir, "outbox.jsonl")
		}
		p, err := outbox.Open(path, time.Now)
		if err != nil {
			return nil, nil, err
		}
		return p, func() { p.Close() }, nil
	case "twilio":
		cb := ""
		if c.publicURL != "" {
			cb = hook
		}
		p, err := twilio.New(twilio.Config{AccountSID: c.twilioAccount, APIKey: c.twilioAPIKey, APISecret: c.twilioKey, AuthToken: c.twilioToken,
			From: c.twilioFrom, MessagingServiceSID: c.twilioMS, StatusCallback: cb, BaseURL: c.twilioBaseURL})
		return p, nil, err
	case "kannel":
		if c.publicURL == "" {
			return nil, nil, errors.New("kannel needs --public-url for its delivery reports")
		}
		p, err := kannel.New(kannel.Config{SendSMSURL: c.kannelURL, Username: c.kannelUser, Password: c.kannelPass,
			From: c.kannelFrom, SMSC: c.kannelSMSC, DLRURL: hook, HookSecret: c.kannelSecret})
		return p, nil, err
	default:
		return nil, nil, fmt.Errorf("unknown provider %q: use outbox, twilio or kannel", name)
	}
}

// hooks names the providers whose webhooks the web tier takes.
func (c *providerConfig) hooks() []string {
	var out []string
	for _, p := range []string{c.primary, c.fallback} {
		if p == "twilio" || p == "kannel" {
			out = append(out, p)
		}
	}
	return out
}

// credentials lists the provider secrets set, by flag name: the web role
// must have none.
func (c *providerConfig) credentials() []string {
	var out []string
	for _, s := range []struct{ name, v string }{
		{"twilio-api-secret", c.twilioKey}, {"twilio-auth-token", c.twilioToken}, {"kannel-password", c.kannelPass}, // not the Kannel hook secret: it cannot send
		// The canary account's token could send from it; its secret, in
		// the web tier, would let an intruder forge a canary's texts.
		{"canary-twilio-auth-token", c.canaryTwilioTok}, {"canary-kannel-hook-secret", c.canaryKannelSecret},
	} {
		if s.v != "" {
			out = append(out, s.name)
		}
	}
	return out
}
