package alarm

import (
	"bytes"
	"crypto/rand"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// message builds the RFC 5322 message for a: text/plain in UTF-8,
// quoted-printable, the subject RFC 2047-encoded when it is not ASCII.
// Every header value is one line: the alarm's text cannot add headers.
func (s *SMTP) message(a Alarm) ([]byte, error) {
	var b bytes.Buffer
	header := func(k, v string) {
		if !strings.HasPrefix(v, "\r\n") { // not folded already
			v = " " + v
		}
		b.WriteString(k + ":" + v + "\r\n")
	}
	header("Date", s.now().Format(time.RFC1123Z))
	header("From", s.from.String())
	header("To", joinAddresses(s.to))
	header("Subject", encodeHeader(a.Title()))
	header("Message-ID", "<"+rand.Text()+"@"+domain(s.from.Address)+">")
	header("Auto-Submitted", "auto-generated") // RFC 3834: no auto-replies
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ToValidUTF8(a.Text(), "\uFFFD"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// encodeHeader makes v one line and RFC 2047-encodes it if it is not
// ASCII. Encoded words (up to 75 characters each) go on lines of their
// own, folded, so that no line grows past 78 characters.
func encodeHeader(v string) string {
	v = oneLine(v)
	enc := mime.QEncoding.Encode("utf-8", v)
	if enc == v {
		return v
	}
	return "\r\n " + strings.ReplaceAll(enc, "?= =?", "?=\r\n =?")
}

func joinAddresses(as []*mail.Address) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

// domain is the domain of an address, for the Message-ID.
func domain(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i < len(addr)-1 {
		return addr[i+1:]
	}
	return "localhost"
}
