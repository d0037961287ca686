package kanneltest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// Received returns the MT messages fakesmsc has printed so far, in order.
func (k *Kannel) Received() []MT {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]MT(nil), k.received...)
}

// WaitReceived waits until at least n received messages satisfy match
// (nil matches all) and returns them, or the context's error.
func (k *Kannel) WaitReceived(ctx context.Context, n int, match func(MT) bool) ([]MT, error) {
	var got []MT
	seen := 0
	for {
		k.mu.Lock()
		for _, m := range k.received[seen:] {
			if match == nil || match(m) {
				got = append(got, m)
			}
		}
		seen = len(k.received)
		ch := k.changed
		k.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return got, fmt.Errorf("kanneltest: %d of %d messages at fakesmsc: %w", len(got), n, ctx.Err())
		}
	}
}

// flushDelay is how long a text MT is held for continuation lines.
const flushDelay = 20 * time.Millisecond

// readMT parses fakesmsc's log, in which each MT is a line
// "... Got message N: <from to type data>".
//
// fakesmsc's protocol is one message a line, and Kannel writes a GSM-7 text
// unencoded: a text holding newlines reaches fakesmsc as several "messages",
// the first one valid and the others not ("All clear on Main St." has no
// type). The invalid ones are joined back onto the text before it, which is
// held until the next valid record or flushDelay of silence.
func (k *Kannel) readMT(r io.Reader) {
	lines := make(chan string, 256)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		io.Copy(io.Discard, r)
	}()
	var pending *MT
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	flush := func() {
		if pending != nil {
			k.publish(*pending)
			pending = nil
		}
	}
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				flush()
				return
			}
			rec, ok := gotMessage(line)
			if !ok {
				continue
			}
			m, valid := parseMT(rec)
			if !valid {
				if pending != nil {
					pending.Text += "\n" + rec
					timer.Reset(flushDelay)
				}
				continue
			}
			flush()
			switch m.Type {
			case "udh":
				if whole, ok := k.reassemble(m); ok {
					k.publish(whole)
				}
			case "text":
				pending = &m
				timer.Reset(flushDelay)
			default:
				k.publish(m)
			}
		case <-timer.C:
			flush()
		}
	}
}

// gotMessage returns the message of a fakesmsc "Got message N: <...>" log
// record.
func gotMessage(line string) (string, bool) {
	i := strings.Index(line, "Got message ")
	if i < 0 || !isLogRecord(line) {
		return "", false
	}
	rest := line[i+len("Got message "):]
	j := strings.Index(rest, ": <")
	if j < 0 || !strings.HasSuffix(rest, ">") {
		return "", false
	}
	return rest[j+3 : len(rest)-1], true
}

func (k *Kannel) publish(m MT) {
	k.mu.Lock()
	k.received = append(k.received, m)
	close(k.changed)
	k.changed = make(chan struct{})
	k.mu.Unlock()
}

// reassemble collects the parts of a concatenated message (UDH concat
// elements 0x00 and 0x08). It returns the whole message once every part has
// arrived, and a "udh" message without a concat element as it is. The
// parts do not say their coding: the text is taken as UTF-16BE (UCS-2)
// unless it is valid UTF-8 without NUL bytes (Kannel's GSM-7 text).
func (k *Kannel) reassemble(m MT) (MT, bool) {
	ref, total, seq, ok := concatInfo(m.UDH)
	if !ok {
		return m, true
	}
	if k.partial == nil {
		k.partial = make(map[partKey][][]byte)
	}
	key := partKey{m.From, m.To, ref, total}
	parts := k.partial[key]
	if parts == nil {
		parts = make([][]byte, total)
		k.partial[key] = parts
	}
	parts[seq-1] = []byte(m.Text)
	var all []byte
	for _, p := range parts {
		if p == nil {
			return MT{}, false
		}
		all = append(all, p...)
	}
	delete(k.partial, key)
	whole := MT{From: m.From, To: m.To, Type: "text", Text: string(all), Parts: total}
	if !utf8.Valid(all) || bytes.IndexByte(all, 0) >= 0 {
		whole.Type, whole.Text = "ucs-2", decodeUTF16BE(string(all))
	}
	return whole, true
}

// concatInfo finds the concatenation element of a UDH.
func concatInfo(udh []byte) (ref, total, seq int, ok bool) {
	if len(udh) < 1 || int(udh[0]) != len(udh)-1 {
		return 0, 0, 0, false
	}
	for i := 1; i+1 < len(udh); {
		iei, l := udh[i], int(udh[i+1])
		d := udh[i+2:]
		if len(d) < l {
			return 0, 0, 0, false
		}
		switch {
		case iei == 0x00 && l == 3:
			ref, total, seq = int(d[0]), int(d[1]), int(d[2])
			ok = true
		case iei == 0x08 && l == 4:
			ref, total, seq = int(d[0])<<8|int(d[1]), int(d[2]), int(d[3])
			ok = true
		}
		i += 2 + l
	}
	if ok && (total < 1 || seq < 1 || seq > total) {
		ok = false
	}
	return ref, total, seq, ok
}

func decodeUTF16BE(b string) string {
	if len(b)%2 != 0 {
		b += "\x00"
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}

// isLogRecord reports whether line starts like a gwlib log record:
// "2026-11-25 14:52:16 [pid] [thread] LEVEL: ".
func isLogRecord(line string) bool {
	if len(line) < 20 || line[4] != '-' || line[7] != '-' || line[10] != ' ' || line[13] != ':' || line[16] != ':' {
		return false
	}
	return strings.HasPrefix(line[19:], " [")
}

// parseMT decodes "from to type data" as smsc_fake writes it.
func parseMT(s string) (MT, bool) {
	f := strings.SplitN(s, " ", 4)
	if len(f) < 3 {
		return MT{}, false
	}
	m := MT{From: f[0], To: f[1], Type: f[2], Parts: 1}
	data := ""
	if len(f) == 4 {
		data = f[3]
	}
	switch m.Type {
	case "text":
		m.Text = data
	case "data":
		b, err := url.QueryUnescape(data)
		if err != nil {
			return MT{}, false
		}
		m.Text = b
	case "ucs-2":
		b, err := url.QueryUnescape(data)
		if err != nil || len(b)%2 != 0 {
			return MT{}, false
		}
		m.Text = decodeUTF16BE(b)
	case "udh":
		// "udh <udh> data <msgdata>"
		parts := strings.SplitN(data, " ", 3)
		if len(parts) != 3 {
			return MT{}, false
		}
		h, err1 := url.QueryUnescape(parts[0])
		b, err2 := url.QueryUnescape(parts[2])
		if err1 != nil || err2 != nil {
			return MT{}, false
		}
		m.UDH, m.Text = []byte(h), b
	default:
		return MT{}, false
	}
	return m, true
}
