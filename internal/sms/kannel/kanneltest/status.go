package kanneltest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// onlineSMSC reports whether bearerbox's status.txt lists the SMSC
// "id[id]" as online.
func onlineSMSC(status, name string) bool {
	for _, l := range strings.Split(status, "\n") {
		if strings.Contains(l, name) && strings.Contains(l, "(online") {
			return true
		}
	}
	return false
}

// Status returns bearerbox's status.txt.
func (k *Kannel) Status(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.admin+"/status.txt?password="+url.QueryEscape(k.adminPassword), nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status.txt: HTTP %d", resp.StatusCode)
	}
	return string(b), err
}

func (k *Kannel) waitStatus(ctx context.Context, p *proc, ok func(string) bool) error {
	var last string
	for {
		s, err := k.Status(ctx)
		if err == nil && ok(s) {
			return nil
		}
		if err == nil {
			last = s
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited: %v", p.name, p.err)
		case <-ctx.Done():
			return fmt.Errorf("%w; last status:\n%s", ctx.Err(), last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitSendsms waits until sendsms answers (an unauthenticated request gets
// 403 once smsbox is up).
func (k *Kannel) waitSendsms(ctx context.Context) error {
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, k.sendsmsURL, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (k *Kannel) logTails() string {
	var b strings.Builder
	for _, name := range []string{"bearerbox.log", "smsbox.log", "bearerbox.out", "smsbox.out", "fakesmsc.out"} {
		data, err := os.ReadFile(filepath.Join(k.Dir, name))
		if err != nil || len(data) == 0 {
			continue
		}
		if len(data) > 3000 {
			data = data[len(data)-3000:]
		}
		fmt.Fprintf(&b, "--- %s (tail)\n%s\n", name, data)
	}
	return b.String()
}
