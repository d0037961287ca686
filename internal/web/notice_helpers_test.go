package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/web"
)

// testLogSigner, testLogVerifier: a transparency log key, as the sender's
// log.key and log.pub.
var testLogSigner, testLogVerifier = func() (string, string) {
	skey, vkey, err := tlog.NewSigner("tocsin-log")
	if err != nil {
		panic(err)
	}
	return skey, vkey
}()

// b0withLog gives the web tier the log's public key.
func b0withLog(c *web.Config) { c.LogPublicKey = testLogVerifier }

// draftNotice drafts a notice from the console and returns its id.
func (b *bundle) draftNotice(oc *operatorClient, form url.Values) string {
	b.t.Helper()
	r := oc.post("/console/notices", form)
	m := regexp.MustCompile(`^/console/notices#notice-([a-z0-9]+)$`).FindStringSubmatch(r.Header.Get("Location"))
	if r.StatusCode != http.StatusSeeOther || m == nil {
		b.t.Fatalf("draft: %s %s", describe(r), r.Header.Get("Location"))
	}
	return m[1]
}

// approveNotice fetches notice id's statement, signs it with the key named
// keyName and submits the approval, as `tocsin notice approve` does.
func (b *bundle) approveNotice(id, keyName string) resp {
	b.t.Helper()
	r := b.get(nil, "/api/v1/notices/"+id+"/statement")
	wantStatus(b.t, r, http.StatusOK)
	st, err := trust.DecodeNotice([]byte(r.body))
	if err != nil {
		b.t.Fatalf("the statement of notice %s does not decode: %v", id, err)
	}
	ap, err := trust.SignNotice(b.key(keyName), st, b.clock.Now())
	if err != nil {
		b.t.Fatal(err)
	}
	return b.postJSON("/api/v1/notices/"+id+"/approvals", approvalJSON(ap))
}

func (b *bundle) notice(id string) *tocsin.Notice {
	b.t.Helper()
	n, err := b.st.GetNotice(context.Background(), id)
	if err != nil {
		b.t.Fatal(err)
	}
	return n
}

// senderPublishes does what the sender does with an approved notice
// (internal/sender tests the sender's checks): append its statement to the
// log, sign a checkpoint, mark it published.
func (b *bundle) senderPublishes(id string) {
	b.t.Helper()
	b.appendAndSign(b.notice(id).Statement)
	if err := b.st.PublishNotice(context.Background(), id, "ana, ned", b.clock.Now()); err != nil {
		b.t.Fatal(err)
	}
}

// forcePublish marks a notice published and puts it in the log whatever
// its signatures: what a database writer who also got hold of the log key
// could do.
func (b *bundle) forcePublish(id string) {
	b.t.Helper()
	b.sql(`UPDATE notices SET state = 'approved' WHERE id = ?`, id)
	b.senderPublishes(id)
}

// appendAndSign appends entry to the log and signs a checkpoint over it.
func (b *bundle) appendAndSign(entry []byte) {
	b.t.Helper()
	ctx := context.Background()
	size, err := b.st.LogSize(ctx)
	if err == nil {
		err = b.st.LogAppend(ctx, size, tlog.LeafHash(entry), entry)
	}
	if err != nil {
		b.t.Fatal(err)
	}
	root, err := tlog.Root(ctx, store.LogLeaves{Q: b.st}, size+1)
	if err != nil {
		b.t.Fatal(err)
	}
	signed, err := tlog.Sign(tlog.Checkpoint{Origin: "tocsin-log", Size: size + 1, Root: root}, testLogSigner)
	if err == nil {
		err = b.st.PutCheckpoint(ctx, size+1, signed)
	}
	if err != nil {
		b.t.Fatal(err)
	}
}

// noticeShown reports whether notice id is shown anywhere public: its
// page, the list, the home page.
func (b *bundle) noticeShown(id string) bool {
	b.t.Helper()
	page := b.get(nil, "/notices/"+id)
	home := b.get(nil, "/")
	list := b.get(nil, "/notices")
	return page.StatusCode == http.StatusOK || strings.Contains(home.body, "/notices/"+id) || strings.Contains(list.body, "notice-"+id)
}

// exec runs a statement on the database directly, as an attacker with
// write access would.
func (b *bundle) exec(query string, args ...any) {
	b.t.Helper()
	db, err := sql.Open("sqlite", "file:"+b.dbPath)
	if err != nil {
		b.t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		b.t.Fatalf("%s: %v", query, err)
	}
}

// describe renders a response for a failure message.
func describe(r resp) string {
	return fmt.Sprintf("%d %.500s", r.StatusCode, r.body)
}
