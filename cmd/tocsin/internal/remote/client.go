package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// api talks to a tocsin server's JSON API.
type api struct {
	base string
	hc   *http.Client
}

func newAPI(server string) (*api, error) {
	if !strings.HasPrefix(server, "http://") && !strings.HasPrefix(server, "https://") {
		return nil, fmt.Errorf("--server must be the server's URL, such as https://alerts.example.org")
	}
	return &api{base: strings.TrimRight(server, "/"), hc: &http.Client{Timeout: 30 * time.Second}}, nil
}

// do sends a request and decodes a JSON answer into out (when not nil); an
// error answer becomes an error with the server's message.
func (a *api) do(ctx context.Context, method, path string, in, out any) ([]byte, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := a.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if res.StatusCode >= 300 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return nil, fmt.Errorf("the server refused: %s", e.Error)
		}
		return nil, fmt.Errorf("the server answered %s", res.Status)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return nil, fmt.Errorf("unexpected answer: %w", err)
		}
	}
	return b, nil
}
