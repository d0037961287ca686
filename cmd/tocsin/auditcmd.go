package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tocsin/tocsin/internal/audit"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// runAudit handles "tocsin audit verify": it checks the whole audit trail's
// hash chain and names the first entry that was edited, deleted, reordered
// or inserted.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: tocsin audit verify --data DIR")
	}
	fs := flagSet("audit verify", "Checks the audit trail's hash chain and names the first entry that was edited, deleted, reordered or inserted.", stderr)
	data := fs.String("data", "./tocsin-data", "data directory")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	path := filepath.Join(*data, "tocsin.db")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no database at %s", path)
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	links, err := st.AuditChain(ctx)
	if err != nil {
		return err
	}
	head, brk := audit.Verify(links)
	if brk != nil {
		return fmt.Errorf("the audit trail was tampered with: %w", brk)
	}
	fmt.Fprintf(stdout, "The audit trail is intact: %d entries, head %x.\n", len(links), head)
	return nil
}
