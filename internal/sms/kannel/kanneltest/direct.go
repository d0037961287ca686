package kanneltest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DirectOptions shapes the requests of DirectRateWith.
type DirectOptions struct {
	// DLRURL, when set, is sent as dlr-url with kannel.DLRMask on every
	// request, as tocsin's provider does, so that Kannel does the same
	// delivery-report work. It must answer Kannel's GETs quickly (for
	// example an httptest server that answers 200).
	DLRURL string
	// From is the sender; empty means "12345".
	From string
}

// DirectRate drives n messages straight into Kannel's sendsms with a plain
// HTTP loop of concurrency workers (no delivery reports), waits until
// fakesmsc has received them all, and returns messages per second from
// the first request to the last receipt. It is the yardstick tocsin's own
// rate through Kannel is compared with.
func DirectRate(ctx context.Context, k *Kannel, n, concurrency int) (float64, error) {
	return DirectRateWith(ctx, k, n, concurrency, DirectOptions{})
}

// DirectRateWith is DirectRate with request options.
func DirectRateWith(ctx context.Context, k *Kannel, n, concurrency int, o DirectOptions) (float64, error) {
	if n <= 0 || concurrency <= 0 {
		return 0, errors.New("kanneltest: n and concurrency must be positive")
	}
	if o.From == "" {
		o.From = "12345"
	}
	run := randomHex(4)
	prefix := "direct " + run + " "
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = concurrency
	client := &http.Client{Transport: t, Timeout: time.Minute}
	defer t.CloseIdleConnections()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) || ctx.Err() != nil {
					return
				}
				if err := directSend(ctx, client, k, o, i, prefix); err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	if _, err := k.WaitReceived(ctx, n, func(m MT) bool { return strings.HasPrefix(m.Text, prefix) }); err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

func directSend(ctx context.Context, c *http.Client, k *Kannel, o DirectOptions, i int64, prefix string) error {
	v := url.Values{}
	v.Set("username", k.Username())
	v.Set("password", k.Password())
	v.Set("from", o.From)
	v.Set("to", fmt.Sprintf("+1555%07d", i%10_000_000))
	v.Set("text", fmt.Sprintf("%s%d", prefix, i))
	v.Set("charset", "UTF-8")
	if o.DLRURL != "" {
		v.Set("dlr-mask", "19") // kannel.DLRMask: final reports only
		sep := "?"
		if strings.Contains(o.DLRURL, "?") {
			sep = "&"
		}
		v.Set("dlr-url", fmt.Sprintf("%s%sid=d%d&status=%%d", o.DLRURL, sep, i))
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.SendSMSURL()+"?"+v.Encode(), nil)
		if err != nil {
			return err
		}
		resp, err := c.Do(req)
		if err != nil {
			return errors.New("kanneltest: sendsms request failed") // no URL: it holds the password
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode/100 == 2:
			return nil
		case resp.StatusCode == http.StatusServiceUnavailable && attempt < 100:
			// Kannel's queue is full: back off as a well-behaved client.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
		default:
			return fmt.Errorf("kanneltest: sendsms answered HTTP %d", resp.StatusCode)
		}
	}
}
