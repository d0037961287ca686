package kanneltest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"syscall"
	"time"
	"unicode/utf16"
)

// InjectMO makes the fake SMSC deliver an inbound text from from to to, as
// a phone would. It returns once fakesmsc has handed the text to Kannel;
// the get-url is called asynchronously.
func (k *Kannel) InjectMO(from, to, text string) error {
	if strings.ContainsAny(from+to, " \r\n") || from == "" || to == "" {
		return errors.New("kanneltest: MO numbers must be non-empty and without spaces")
	}
	line := from + " " + to + " text " + text
	if strings.ContainsAny(text, "\r\n") || text == "" {
		// fakesmsc reads one message a line; "ucs2" carries the text
		// URL-encoded as UTF-16BE (Kannel recodes it, mo-recode = true).
		u := utf16.Encode([]rune(text))
		b := make([]byte, 0, 2*len(u))
		for _, c := range u {
			b = append(b, byte(c>>8), byte(c))
		}
		line = from + " " + to + " ucs2 " + url.QueryEscape(string(b))
	}
	k.moMu.Lock()
	defer k.moMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		pr, pw := io.Pipe()
		sent := make(chan struct{})
		go func() {
			sc := bufio.NewScanner(pr)
			once := false
			for sc.Scan() {
				if !once && strings.Contains(sc.Text(), "fakesmsc: sent message 1") {
					once = true
					close(sent)
				}
			}
			io.Copy(io.Discard, pr)
		}()
		p, err := k.spawn("fakesmsc-mo", k.fakesmsc,
			[]string{"-H", "127.0.0.1", "-r", fmt.Sprint(k.moPort), "-i", "0", "-m", "1", line}, nil, pw)
		if err != nil {
			return err
		}
		select {
		case <-sent:
			// Give the line a moment to leave the socket buffer, then end
			// the process: with -m 1 it would wait for MTs forever.
			time.Sleep(50 * time.Millisecond)
			p.stop(syscall.SIGINT, 5*time.Second)
			pw.Close()
			return nil
		case <-p.done:
			pw.Close()
			// The previous injector's connection may still be closing.
			if ctx.Err() != nil {
				return fmt.Errorf("kanneltest: fakesmsc could not inject: %v", p.err)
			}
			time.Sleep(100 * time.Millisecond)
		case <-ctx.Done():
			p.stop(syscall.SIGKILL, time.Second)
			pw.Close()
			return errors.New("kanneltest: fakesmsc did not send the MO in time")
		}
	}
}
