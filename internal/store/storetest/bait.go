package storetest

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

func testAPIKeys(t *testing.T, open func(t *testing.T) store.Store) {
	b := setup(t, open)
	h1, h2 := sha256.Sum256([]byte("tsk_real")), sha256.Sum256([]byte("tsk_canary"))
	keys := []tocsin.APIKey{
		{ID: "tsk_aaaa1111", Name: "partner", Hash: h1[:], Scope: tocsin.APIScopeReportsRead, CreatedAt: now},
		{ID: "tsk_bbbb2222", Name: "backup-job", Hash: h2[:], Scope: tocsin.APIScopeReportsRead, Canary: true, CreatedAt: now.Add(time.Minute)},
	}
	for i := range keys {
		must(t, b.s.CreateAPIKey(b.ctx, &keys[i]))
	}
	dup := keys[0]
	wantCode(t, b.s.CreateAPIKey(b.ctx, &dup), tocsin.ECONFLICT)
	wantCode(t, b.s.CreateAPIKey(b.ctx, &tocsin.APIKey{ID: "x", Name: "x", Hash: []byte{1}, Scope: "s"}), tocsin.EINVALID)

	got, err := b.s.GetAPIKeyByHash(b.ctx, h2[:])
	must(t, err)
	if got.ID != "tsk_bbbb2222" || !got.Canary || got.Name != "backup-job" || !got.CreatedAt.Equal(now.Add(time.Minute)) || !bytes.Equal(got.Hash, h2[:]) {
		t.Errorf("GetAPIKeyByHash = %+v", got)
	}
	_, err = b.s.GetAPIKeyByHash(b.ctx, make([]byte, 32))
	wantCode(t, err, tocsin.ENOTFOUND)

	must(t, b.s.TouchAPIKey(b.ctx, "tsk_aaaa1111", now.Add(time.Hour)))
	must(t, b.s.RevokeAPIKey(b.ctx, "tsk_aaaa1111", now.Add(2*time.Hour)))
	wantCode(t, b.s.RevokeAPIKey(b.ctx, "tsk_aaaa1111", now.Add(3*time.Hour)), tocsin.ENOTFOUND) // already revoked
	wantCode(t, b.s.RevokeAPIKey(b.ctx, "nope", now), tocsin.ENOTFOUND)
	list, err := b.s.ListAPIKeys(b.ctx)
	must(t, err)
	if len(list) != 2 || list[0].ID != "tsk_bbbb2222" || list[1].Canary {
		t.Fatalf("ListAPIKeys = %+v", list)
	}
	if !list[1].LastUsedAt.Equal(now.Add(time.Hour)) || !list[1].RevokedAt.Equal(now.Add(2*time.Hour)) {
		t.Errorf("used/revoked: %+v", list[1])
	}
}

func testCanaryOperator(t *testing.T, open func(t *testing.T) store.Store) {
	b := setup(t, open)
	o := &tocsin.Operator{Username: "j.rivera", Role: "admin", PasswordHash: "x", Enrolled: true, Canary: true, CreatedAt: now}
	must(t, b.s.CreateOperator(b.ctx, o))
	got, err := b.s.GetOperatorByName(b.ctx, "j.rivera")
	must(t, err)
	if !got.Canary {
		t.Error("a canary operator reads back as a real one")
	}
	real := &tocsin.Operator{Username: "ana", Role: "admin", CreatedAt: now}
	must(t, b.s.CreateOperator(b.ctx, real))
	if got, _ := b.s.GetOperator(b.ctx, real.ID); got.Canary {
		t.Error("a real operator reads back as a canary")
	}
}

func testNotices(t *testing.T, open func(t *testing.T) store.Store) {
	b := setup(t, open)
	for i, id := range []string{"n1", "n2"} {
		must(t, b.s.CreateNotice(b.ctx, &tocsin.Notice{ID: id, TitleEN: "Fake texts", TitleES: "Mensajes falsos", BodyEN: "We did not send them.", BodyES: "No los enviamos.",
			Statement: []byte("statement " + id), CreatedBy: "ana", CreatedAt: now.Add(time.Duration(i) * time.Hour)}))
	}
	wantCode(t, b.s.CreateNotice(b.ctx, &tocsin.Notice{ID: "n1", TitleEN: "x", BodyEN: "y", Statement: []byte("s"), CreatedBy: "z"}), tocsin.ECONFLICT)
	wantCode(t, b.s.CreateNotice(b.ctx, &tocsin.Notice{ID: "n3", TitleEN: "x", BodyEN: "y", CreatedBy: "z"}), tocsin.EINVALID)
	list, err := b.s.ListNotices(b.ctx, "", 10)
	must(t, err)
	if len(list) != 2 || list[0].ID != "n2" || list[0].State != tocsin.NoticeDraft {
		t.Fatalf("ListNotices = %+v", list)
	}
	n, err := b.s.GetNotice(b.ctx, "n1")
	must(t, err)
	if n.BodyES != "No los enviamos." || !n.CreatedAt.Equal(now) || n.CreatedBy != "ana" || string(n.Statement) != "statement n1" || !n.PublishedAt.IsZero() {
		t.Errorf("GetNotice = %+v", n)
	}
	_, err = b.s.GetNotice(b.ctx, "n9")
	wantCode(t, err, tocsin.ENOTFOUND)

	// draft → approved → published; n2 approved → refused.
	wantCode(t, b.s.PublishNotice(b.ctx, "n1", "ana, ben", now), tocsin.ECONFLICT)
	must(t, b.s.ApproveNotice(b.ctx, "n1"))
	wantCode(t, b.s.ApproveNotice(b.ctx, "n1"), tocsin.ECONFLICT)
	wantCode(t, b.s.ApproveNotice(b.ctx, "n9"), tocsin.ENOTFOUND)
	must(t, b.s.PublishNotice(b.ctx, "n1", "ana, ben", now.Add(3*time.Hour)))
	wantCode(t, b.s.RefuseNotice(b.ctx, "n1"), tocsin.ECONFLICT)
	must(t, b.s.ApproveNotice(b.ctx, "n2"))
	must(t, b.s.RefuseNotice(b.ctx, "n2"))
	pub, err := b.s.ListNotices(b.ctx, tocsin.NoticePublished, 10)
	must(t, err)
	if len(pub) != 1 || pub[0].ID != "n1" || pub[0].PublishedBy != "ana, ben" || !pub[0].PublishedAt.Equal(now.Add(3*time.Hour)) {
		t.Fatalf("published = %+v", pub)
	}
	if all, _ := b.s.ListNotices(b.ctx, "", 10); len(all) != 2 || all[0].ID != "n1" || all[1].State != tocsin.NoticeRefused {
		t.Fatalf("ListNotices after publishing = %+v", all)
	}

	// Approvals, one per key, replaced by the same key.
	ap := &store.Approval{AlertID: "n1", Kind: "ed25519", KeyID: "ed25519:k1", Digest: []byte{1}, Signature: []byte{2}, SignedAt: now}
	must(t, b.s.AddNoticeApproval(b.ctx, ap))
	ap.Signature = []byte{3}
	must(t, b.s.AddNoticeApproval(b.ctx, ap))
	must(t, b.s.AddNoticeApproval(b.ctx, &store.Approval{AlertID: "n1", Kind: "ed25519", KeyID: "ed25519:k0", Digest: []byte{1}, Signature: []byte{4}, SignedAt: now}))
	wantCode(t, b.s.AddNoticeApproval(b.ctx, &store.Approval{AlertID: "n9", Kind: "ed25519", KeyID: "k", Digest: []byte{1}, Signature: []byte{2}}), tocsin.ENOTFOUND)
	wantCode(t, b.s.AddNoticeApproval(b.ctx, &store.Approval{AlertID: "n1", Kind: "ed25519", Digest: []byte{1}, Signature: []byte{2}}), tocsin.EINVALID)
	as, err := b.s.ListNoticeApprovals(b.ctx, "n1")
	must(t, err)
	if len(as) != 2 || as[0].KeyID != "ed25519:k0" || as[1].Signature[0] != 3 || as[1].AlertID != "n1" || !as[1].SignedAt.Equal(now) {
		t.Fatalf("ListNoticeApprovals = %+v", as)
	}
	if as, _ := b.s.ListApprovals(b.ctx, "n1"); len(as) != 0 {
		t.Error("a notice's approvals are listed as an alert's")
	}
}
