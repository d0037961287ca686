package alarm

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
)

// Config is the alarm channels' settings as they come from flags (or
// their TOCSIN_* variables). Leaving both the webhook URL and the SMTP
// address empty configures no channel.
type Config struct {
	WebhookURL    string // --alarm-webhook-url
	WebhookFormat string // --alarm-webhook-format: ntfy (default) or json
	WebhookToken  string // --alarm-webhook-token (secret)

	SMTPAddr     string // --alarm-smtp-addr: host[:port]
	SMTPFrom     string // --alarm-smtp-from
	SMTPTo       string // --alarm-smtp-to: comma-separated
	SMTPUsername string // --alarm-smtp-username
	SMTPPassword string // --alarm-smtp-password (secret)
	SMTPTLS      string // --alarm-smtp-tls: starttls (default), tls or none

	// Service names this instance in every alarm that names none.
	Service string // --alarm-service
	// ConsoleURL is put in every alarm that has none.
	ConsoleURL string
	// Throttle, if positive, holds back repeats of an alarm (same kind and
	// subject, no more severe) for that long.
	Throttle time.Duration // --alarm-throttle

	// TLSConfig, if set, is used by both channels (a private CA; tests).
	TLSConfig *tls.Config
	// Logger logs held-back alarms (default: none).
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// RegisterFlags adds the --alarm-* flags to fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.WebhookURL, "alarm-webhook-url", "", "security alarms: URL to POST them to (an ntfy topic, a chat bridge); keep it secret")
	fs.StringVar(&c.WebhookFormat, "alarm-webhook-format", FormatNtfy, "security alarms: webhook format, ntfy or json")
	fs.StringVar(&c.WebhookToken, "alarm-webhook-token", "", "security alarms: bearer token for the webhook (secret: prefer the _FILE form)")
	fs.StringVar(&c.SMTPAddr, "alarm-smtp-addr", "", "security alarms: SMTP server host:port to e-mail them through")
	fs.StringVar(&c.SMTPFrom, "alarm-smtp-from", "", "security alarms: sender address of the e-mails")
	fs.StringVar(&c.SMTPTo, "alarm-smtp-to", "", "security alarms: recipient addresses, comma-separated")
	fs.StringVar(&c.SMTPUsername, "alarm-smtp-username", "", "security alarms: SMTP username (needs TLS)")
	fs.StringVar(&c.SMTPPassword, "alarm-smtp-password", "", "security alarms: SMTP password (secret: prefer the _FILE form)")
	fs.StringVar(&c.SMTPTLS, "alarm-smtp-tls", TLSStartTLS, "security alarms: SMTP TLS, starttls, tls (port 465) or none (only to a relay on this machine)")
	fs.StringVar(&c.Service, "alarm-service", "tocsin", "security alarms: this instance's name in them")
	fs.DurationVar(&c.Throttle, "alarm-throttle", 5*time.Minute, "security alarms: hold back repeats of the same alarm for this long (0: never)")
}

// Validate reports every problem in c at once, each naming its flag.
func (c Config) Validate() error {
	_, err := c.build()
	return err
}

// New returns the configured channels as one Notifier: a webhook, SMTP or
// both (Multi), throttled if c.Throttle is positive. It returns nil and no
// error when no channel is configured.
func New(c Config) (Notifier, error) {
	return c.build()
}

func (c Config) build() (Notifier, error) {
	var ns Multi
	var errs []error
	if n, err := c.webhook(); err != nil {
		errs = append(errs, err...)
	} else if n != nil {
		ns = append(ns, n)
	}
	if n, err := c.smtp(); err != nil {
		errs = append(errs, err...)
	} else if n != nil {
		ns = append(ns, n)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(ns) == 0 {
		return nil, nil
	}
	var n Notifier = ns
	if len(ns) == 1 {
		n = ns[0]
	}
	if c.Throttle > 0 {
		n = NewThrottle(n, c.Throttle, c.Now, c.Logger)
	}
	return defaults{next: n, service: c.Service, console: c.ConsoleURL, now: c.Now}, nil
}

func (c Config) webhook() (*Webhook, []error) {
	if strings.TrimSpace(c.WebhookURL) == "" {
		if c.WebhookToken != "" {
			return nil, []error{errors.New("--alarm-webhook-token is set but --alarm-webhook-url is not")}
		}
		return nil, nil
	}
	var errs []error
	u, err := checkWebhookURL(c.WebhookURL)
	if err != nil {
		errs = append(errs, fmt.Errorf("--alarm-webhook-url: %w", err))
	}
	if _, err := checkFormat(c.WebhookFormat); err != nil {
		errs = append(errs, fmt.Errorf("--alarm-webhook-format: %w", err))
	}
	if err := checkToken(c.WebhookToken, u); err != nil {
		errs = append(errs, fmt.Errorf("--alarm-webhook-token: %w", err))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	w, err := NewWebhook(WebhookConfig{URL: c.WebhookURL, Format: c.WebhookFormat, Token: c.WebhookToken, TLSConfig: c.TLSConfig})
	if err != nil {
		return nil, []error{err}
	}
	return w, nil
}

func (c Config) smtp() (*SMTP, []error) {
	if strings.TrimSpace(c.SMTPAddr) == "" {
		if c.SMTPFrom != "" || c.SMTPTo != "" || c.SMTPUsername != "" || c.SMTPPassword != "" {
			return nil, []error{errors.New("--alarm-smtp-addr is needed when other --alarm-smtp-* flags are set")}
		}
		return nil, nil
	}
	var errs []error
	mode, modeErr := checkMode(c.SMTPTLS)
	if modeErr != nil {
		errs = append(errs, fmt.Errorf("--alarm-smtp-tls: %w", modeErr))
		mode = TLSStartTLS // to check the address all the same
	}
	host, _, err := checkSMTPAddr(c.SMTPAddr, mode)
	if err != nil {
		errs = append(errs, fmt.Errorf("--alarm-smtp-addr: %w", err))
	} else if err := checkModeFor(host, mode, c.SMTPUsername); err != nil && modeErr == nil {
		errs = append(errs, fmt.Errorf("--alarm-smtp-tls: %w", err))
	}
	if c.SMTPUsername == "" && c.SMTPPassword != "" {
		errs = append(errs, errors.New("--alarm-smtp-password is set but --alarm-smtp-username is not"))
	}
	if strings.TrimSpace(c.SMTPFrom) == "" {
		errs = append(errs, errors.New("--alarm-smtp-from: needed to send e-mail"))
	} else if _, err := checkAddress(c.SMTPFrom); err != nil {
		errs = append(errs, fmt.Errorf("--alarm-smtp-from: %w", err))
	}
	to, err := splitRecipients(c.SMTPTo)
	if err != nil {
		errs = append(errs, fmt.Errorf("--alarm-smtp-to: %w", err))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	s, err := NewSMTP(SMTPConfig{Addr: c.SMTPAddr, From: c.SMTPFrom, To: to, Username: c.SMTPUsername, Password: c.SMTPPassword,
		TLS: c.SMTPTLS, TLSConfig: c.TLSConfig, Now: c.Now})
	if err != nil {
		return nil, []error{err}
	}
	return s, nil
}

// splitRecipients parses a comma-separated list of addresses.
func splitRecipients(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("needs at least one recipient")
	}
	list, err := mail.ParseAddressList(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a comma-separated list of e-mail addresses", s)
	}
	to := make([]string, len(list))
	for i, a := range list {
		to[i] = a.String()
	}
	return to, nil
}

// LogValue shows the settings with the secrets hidden.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("webhook", redactedURL(c.WebhookURL)),
		slog.String("webhook_format", c.WebhookFormat),
		slog.Bool("webhook_token", c.WebhookToken != ""),
		slog.String("smtp_addr", c.SMTPAddr),
		slog.String("smtp_from", c.SMTPFrom),
		slog.String("smtp_to", c.SMTPTo),
		slog.String("smtp_username", c.SMTPUsername),
		slog.Bool("smtp_password", c.SMTPPassword != ""),
		slog.String("smtp_tls", c.SMTPTLS),
		slog.Duration("throttle", c.Throttle),
	)
}

// String shows the settings with the secrets hidden.
func (c Config) String() string { return c.LogValue().String() }

// redactedURL keeps a URL's scheme and host: its path may be the secret.
func redactedURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := checkWebhookURL(s)
	if err != nil {
		return "(invalid)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// defaults fills the fields an alarm leaves empty.
type defaults struct {
	next             Notifier
	service, console string
	now              func() time.Time
}

func (d defaults) Notify(ctx context.Context, a Alarm) error {
	a.Service = orDefault(a.Service, d.service)
	a.ConsoleURL = orDefault(a.ConsoleURL, d.console)
	if a.At.IsZero() {
		if d.now != nil {
			a.At = d.now()
		} else {
			a.At = time.Now()
		}
	}
	return d.next.Notify(ctx, a)
}
