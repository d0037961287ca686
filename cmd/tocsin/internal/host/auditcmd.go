package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/cmd/tocsin/internal/datadir"
	"github.com/tocsin/tocsin/internal/audit"
)

// RunAudit handles "tocsin audit verify": it checks the whole audit trail's
// hash chain and names the first entry that was edited, deleted, reordered
// or inserted.
func RunAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: tocsin audit verify --data DIR")
	}
	fs := cmdline.FlagSet("audit verify", "Checks the audit trail's hash chain and the heads committed in the transparency log, and names the first entry that was edited, deleted, reordered or inserted.", stderr)
	data := fs.String("data", "./tocsin-data", "data directory")
	dbPath := fs.String("db", "", datadir.DBUsage)
	if err := cmdline.Parse(fs, args[1:]); err != nil {
		return err
	}
	if *dbPath == "" {
		if _, err := os.Stat(filepath.Join(*data, "tocsin.db")); err != nil {
			return fmt.Errorf("no database at %s", filepath.Join(*data, "tocsin.db"))
		}
	}
	st, err := datadir.OpenStore(ctx, *data, *dbPath)
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
	// The chain may be intact yet rewritten from some entry on: the heads
	// the sender committed to the transparency log tell.
	size, err := st.LogSize(ctx)
	if err != nil {
		return err
	}
	committed, prevN := 0, 0
	for i := range size {
		e, err := st.LogEntry(ctx, i)
		if err != nil {
			return err
		}
		n, h, ok := audit.ParseHeadEntry(e)
		if !ok {
			continue
		}
		if n > len(links) {
			return fmt.Errorf("the audit trail was tampered with: the log committed %d entries (log entry %d), the trail has %d: entries after %d were deleted", n, i, len(links), len(links))
		}
		if links[n-1].Hash != h {
			return fmt.Errorf("the audit trail was tampered with: it was rewritten between entries %d and %d (its head does not match the one committed in log entry %d)", prevN+1, n, i)
		}
		committed, prevN = n, n
	}
	fmt.Fprintf(stdout, "The audit trail is intact: %d entries, head %x; the first %d match the heads committed in the transparency log.\n", len(links), head, committed)
	return nil
}
