package alarm

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/smtp"
	"strconv"
	"strings"
	"time"
)

// SMTP TLS modes.
const (
	// TLSStartTLS connects in clear and upgrades with STARTTLS before
	// anything else; a server that does not offer it is refused.
	TLSStartTLS = "starttls"
	// TLSImplicit speaks TLS from the first byte (submissions, port 465).
	TLSImplicit = "tls"
	// TLSNone sends in clear: only to a relay on the loopback interface.
	TLSNone = "none"
)

// ErrNoStartTLS is returned when TLS mode is starttls and the server does
// not offer STARTTLS. Nothing is sent.
var ErrNoStartTLS = errors.New("the server does not offer STARTTLS; refusing to send in clear")

// SMTPConfig configures an SMTP notifier.
type SMTPConfig struct {
	// Addr is host:port. Without a port: 587 for starttls, 465 for tls,
	// 25 for none.
	Addr string
	// From is the sender's address ("tocsin <alarms@example.org>").
	From string
	// To is one or more recipients.
	To []string
	// Username and Password, if set, authenticate with AUTH PLAIN, which
	// needs TLS.
	Username, Password string
	// TLS is TLSStartTLS (the default), TLSImplicit or TLSNone.
	TLS string
	// TLSConfig, if set, is used for TLS (a private CA's RootCAs, in
	// tests). Its ServerName defaults to the host of Addr.
	TLSConfig *tls.Config
	// HelloName is the name given in EHLO (default "localhost").
	HelloName string
	// Timeout bounds each delivery, connection included (default 30s).
	Timeout time.Duration
	// Now gives the Date header (default time.Now).
	Now func() time.Time
}

// SMTP sends alarms by e-mail. It opens one connection per alarm: alarms
// are rare, and a fresh connection never finds a stale one.
type SMTP struct {
	addr, host string
	mode       string
	from       *mail.Address
	to         []*mail.Address
	user, pass string
	tls        *tls.Config
	hello      string
	timeout    time.Duration
	now        func() time.Time
}

var _ Notifier = (*SMTP)(nil)

// NewSMTP checks c and returns an SMTP notifier.
func NewSMTP(c SMTPConfig) (*SMTP, error) {
	mode, err := checkMode(c.TLS)
	if err != nil {
		return nil, fmt.Errorf("alarm: smtp TLS mode: %w", err)
	}
	host, addr, err := checkSMTPAddr(c.Addr, mode)
	if err != nil {
		return nil, fmt.Errorf("alarm: smtp address: %w", err)
	}
	if err := checkModeFor(host, mode, c.Username); err != nil {
		return nil, fmt.Errorf("alarm: smtp: %w", err)
	}
	from, err := checkAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("alarm: smtp from: %w", err)
	}
	to, err := checkRecipients(c.To)
	if err != nil {
		return nil, fmt.Errorf("alarm: smtp to: %w", err)
	}
	s := &SMTP{addr: addr, host: host, mode: mode, from: from, to: to, user: c.Username, pass: c.Password,
		hello: orDefault(c.HelloName, "localhost"), timeout: c.Timeout, now: c.Now}
	s.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	if c.TLSConfig != nil {
		s.tls = c.TLSConfig.Clone()
	}
	if s.tls.ServerName == "" {
		s.tls.ServerName = host
	}
	if s.timeout <= 0 {
		s.timeout = 30 * time.Second
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// String names the server: "smtp mail.example.org:587".
func (s *SMTP) String() string { return "smtp " + s.addr }

// Notify sends a as one message to every recipient.
func (s *SMTP) Notify(ctx context.Context, a Alarm) error {
	msg, err := s.message(a)
	if err != nil {
		return fmt.Errorf("alarm: %s: %w", s, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	conn, err := s.dial(ctx)
	if err != nil {
		return fmt.Errorf("alarm: %s: %w", s, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	// Cancellation interrupts a read or write in progress.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := s.deliver(conn, msg); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			err = fmt.Errorf("%w (%w)", cerr, err)
		}
		return fmt.Errorf("alarm: %s: %w", s, err)
	}
	return nil
}

// dial connects, in TLS from the start in implicit mode. In mode none it
// checks that the address it reached is a loopback one.
func (s *SMTP) dial(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{}
	if s.mode == TLSImplicit {
		return (&tls.Dialer{NetDialer: d, Config: s.tls}).DialContext(ctx, "tcp", s.addr)
	}
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return nil, err
	}
	if s.mode == TLSNone {
		if ap, err := netip.ParseAddrPort(conn.RemoteAddr().String()); err != nil || !ap.Addr().Unmap().IsLoopback() {
			conn.Close()
			return nil, fmt.Errorf("%s resolved to %s, not a loopback address: mode none is refused", s.host, conn.RemoteAddr())
		}
	}
	return conn, nil
}

// deliver runs the SMTP conversation on conn.
func (s *SMTP) deliver(conn net.Conn, msg []byte) error {
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello(s.hello); err != nil {
		return err
	}
	if s.mode == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return ErrNoStartTLS
		}
		if err := c.StartTLS(s.tls); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	}
	if s.user != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("the server offers no authentication")
		}
		if err := c.Auth(smtp.PlainAuth("", s.user, s.pass, s.host)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	return s.send(c, msg)
}

func (s *SMTP) send(c *smtp.Client, msg []byte) error {
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	for _, to := range s.to {
		if err := c.Rcpt(to.Address); err != nil {
			return fmt.Errorf("rcpt to %s: %w", to.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return c.Quit()
}

func checkMode(s string) (string, error) {
	switch s = strings.ToLower(strings.TrimSpace(s)); s {
	case "", TLSStartTLS:
		return TLSStartTLS, nil
	case TLSImplicit, TLSNone:
		return s, nil
	}
	return "", fmt.Errorf("%q is not a TLS mode: use starttls, tls or none", s)
}

// checkSMTPAddr splits host[:port], adding the mode's default port.
func checkSMTPAddr(addr, mode string) (host, hostport string, err error) {
	addr = strings.TrimSpace(addr)
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		if strings.Contains(strings.Trim(addr, "[]"), ":") && !strings.HasPrefix(addr, "[") {
			return "", "", fmt.Errorf("%q is not host:port", addr)
		}
		host, port = strings.Trim(addr, "[]"), map[string]string{TLSStartTLS: "587", TLSImplicit: "465", TLSNone: "25"}[mode]
	}
	if host == "" || strings.ContainsAny(host, " /@\r\n") {
		return "", "", fmt.Errorf("%q is not host:port", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", "", fmt.Errorf("%q has no valid port", addr)
	}
	return host, net.JoinHostPort(host, port), nil
}

// checkModeFor refuses mode none off the loopback interface, and a
// password without TLS.
func checkModeFor(host, mode, user string) error {
	if mode != TLSNone {
		return nil
	}
	if !isLoopback(host) {
		return fmt.Errorf("TLS mode none is allowed only for a relay on this machine (localhost, 127.0.0.1, ::1), not %s: use starttls or tls", host)
	}
	if user != "" {
		return errors.New("a username needs TLS (starttls or tls): the password would travel in clear")
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

func checkAddress(s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("must be on one line")
	}
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%q is not an e-mail address", s)
	}
	return a, nil
}

func checkRecipients(list []string) ([]*mail.Address, error) {
	var to []*mail.Address
	for _, s := range list {
		if strings.TrimSpace(s) == "" {
			continue
		}
		a, err := checkAddress(s)
		if err != nil {
			return nil, err
		}
		to = append(to, a)
	}
	if len(to) == 0 {
		return nil, errors.New("needs at least one recipient")
	}
	return to, nil
}
