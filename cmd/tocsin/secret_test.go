package main

import (
	"bytes"
	"path/filepath"
	"sync"
	"testing"
)

// Replicas starting together on one shared directory end with one web key.
func TestLoadOrCreateSecretOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "web.key")
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := loadOrCreateSecret(path)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if !bytes.Equal(k, keys[0]) || len(k) != 32 {
			t.Fatal("replicas got different web keys")
		}
	}
}

func TestRedactDB(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://tocsin:s3cret@db:5432/tocsin": "postgres://tocsin:xxxxx@db:5432/tocsin",
		"postgres://db/tocsin":                    "postgres://db/tocsin",
		"/srv/tocsin/tocsin.db":                   "/srv/tocsin/tocsin.db",
		"postgres://db/tocsin?user=t&password=s3": "postgres://db/tocsin?password=xxxxx&user=t",
	} {
		if got := redactDB(in); got != want {
			t.Errorf("redactDB(%q) = %q, want %q", in, got, want)
		}
	}
}
