package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/internal/tlog"
)

// The transparency log's name (the first line of every checkpoint) and key
// files: log.key (the sender's, 0600) signs checkpoints; log.pub is public:
// give it to anyone who checks the log (tocsin verify --log-key).
const (
	logOrigin     = cmdline.LogOrigin
	logKeyFile    = "log.key"
	logPublicFile = "log.pub"
)

func loadOrCreateLogKey(keysDir string, log *slog.Logger) (string, error) {
	path := filepath.Join(keysDir, logKeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		if fi, _ := os.Stat(path); fi != nil && fi.Mode().Perm()&0o077 != 0 {
			return "", fmt.Errorf("%s is readable by others (mode %v): chmod 600 it", path, fi.Mode().Perm())
		}
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	skey, vkey, err := tlog.NewSigner(logOrigin)
	if err != nil {
		return "", err
	}
	if err := cmdline.WriteNew(path, []byte(skey+"\n")); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(keysDir, logPublicFile), []byte(vkey+"\n"), 0o644); err != nil {
		return "", err
	}
	log.Info("created the transparency log's signing key", "public", filepath.Join(keysDir, logPublicFile))
	return skey, nil
}

// loadLogPublic reads the log's public key (log.pub), which the web tier
// needs to tell a genuine alert from a row in the database.
func loadLogPublic(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%w (the web role needs the transparency log's public key to show which alerts are genuine: copy the sender's keys/log.pub here, or give --log-pub)", err)
	}
	key := strings.TrimSpace(string(b))
	if err := tlog.CheckVerifier(key); err != nil {
		return "", fmt.Errorf("%s: %w (it must hold the sender's keys/log.pub)", path, err)
	}
	return key, nil
}
