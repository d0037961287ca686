//go:build ignore

// Command tocsin-healthcheck is the container health check of the tocsin
// image, which has no shell, curl or wget: it fetches one URL (a /healthz on
// loopback) and exits 0 when the answer is 200 OK, 1 otherwise. The
// Dockerfile builds it next to tocsin:
//
//	go build -o tocsin-healthcheck ./deploy/docker/healthcheck.go
//
// The build tag keeps it out of ./... : it is not part of the module's
// packages.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: tocsin-healthcheck URL")
		os.Exit(2)
	}
	c := &http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "unhealthy:", err)
		os.Exit(1)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "unhealthy:", resp.Status)
		os.Exit(1)
	}
}
