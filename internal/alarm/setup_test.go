package alarm

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// testAlarm is an alarm as the sender would raise one.
func testAlarm() Alarm {
	return Alarm{
		Kind:       "provider.unknown_messages",
		Severity:   SeverityCritical,
		At:         time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC),
		Subject:    "twilio",
		Detail:     "The provider lists 3 messages the ledger did not send.\nOutbound messaging is frozen.",
		Service:    "tocsin-east",
		ConsoleURL: "https://tocsin.example.org/console/security",
	}
}

// testCert returns a server TLS config with a self-signed certificate for
// 127.0.0.1 and localhost, and a client config that trusts it.
func testCert(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "tocsin test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}
	return server, &tls.Config{RootCAs: pool}
}

// mailServer is a real SMTP server (go-smtp) on loopback that records what
// it accepts.
type mailServer struct {
	addr       string
	user, pass string // if set, MAIL needs AUTH PLAIN with them

	mu    sync.Mutex
	mails []mailReceived
	cmds  []string // MAIL and AUTH attempts, in order
}

type mailReceived struct {
	from   string
	to     []string
	data   []byte
	tls    bool
	authed bool
}

type serverOpts struct {
	tls        *tls.Config // offer STARTTLS with it
	implicit   bool        // or speak TLS from the start
	user, pass string
}

// startMailServer runs an SMTP server on 127.0.0.1 until the test ends.
func startMailServer(t *testing.T, o serverOpts) *mailServer {
	t.Helper()
	ms := &mailServer{user: o.user, pass: o.pass}
	srv := gosmtp.NewServer(ms)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ms.addr = l.Addr().String()
	switch {
	case o.implicit:
		l = tls.NewListener(l, o.tls)
	case o.tls != nil:
		srv.TLSConfig = o.tls
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return ms
}

func (ms *mailServer) received() []mailReceived {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]mailReceived(nil), ms.mails...)
}

func (ms *mailServer) commands() []string {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]string(nil), ms.cmds...)
}

// NewSession implements gosmtp.Backend.
func (ms *mailServer) NewSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	return &mailSession{ms: ms, conn: c}, nil
}

type mailSession struct {
	ms     *mailServer
	conn   *gosmtp.Conn
	authed bool
	cur    mailReceived
}

var _ gosmtp.AuthSession = (*mailSession)(nil)

func (s *mailSession) AuthMechanisms() []string {
	if s.ms.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *mailSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		s.ms.log("AUTH " + username)
		if username != s.ms.user || password != s.ms.pass {
			return errors.New("invalid username or password")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *gosmtp.MailOptions) error {
	s.ms.log("MAIL " + from)
	if s.ms.user != "" && !s.authed {
		return gosmtp.ErrAuthRequired
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.cur = mailReceived{from: from, tls: isTLS, authed: s.authed}
	return nil
}

func (s *mailSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	s.ms.mu.Lock()
	s.ms.mails = append(s.ms.mails, s.cur)
	s.ms.mu.Unlock()
	return nil
}

func (s *mailSession) Reset()        { s.cur = mailReceived{} }
func (s *mailSession) Logout() error { return nil }

func (ms *mailServer) log(cmd string) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	ms.cmds = append(ms.cmds, cmd)
}
