package logpub

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// The transparency log, served read-only: the latest checkpoint the sender
// signed, its entries, and inclusion and consistency proofs, so that anyone
// can check a message and witness the log without trusting this server.

func (s *Handler) Checkpoint(w http.ResponseWriter, r *http.Request) {
	_, signed, err := s.st.LatestCheckpoint(r.Context())
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(signed)
}

// Entry serves one entry of the log.
func (s *Handler) Entry(w http.ResponseWriter, r *http.Request) {
	i, err := strconv.ParseUint(r.PathValue("index"), 10, 64)
	if err != nil {
		s.WriteJSONError(w, r, tocsin.FieldError("index", "the index is a whole number"))
		return
	}
	e, err := s.st.LogEntry(r.Context(), i)
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable") // entries never change
	w.Write(e)
}

type proofJSON struct {
	Hashes []string `json:"hashes"` // standard base64
}

func encodeProof(p [][32]byte) proofJSON {
	out := proofJSON{Hashes: make([]string, len(p))}
	for i, h := range p {
		out.Hashes[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

// uints reads whole-number query parameters.
func uints(r *http.Request, names ...string) ([]uint64, error) {
	out := make([]uint64, len(names))
	for i, n := range names {
		v, err := strconv.ParseUint(r.URL.Query().Get(n), 10, 64)
		if err != nil {
			return nil, tocsin.FieldError(n, "%s is a whole number", n)
		}
		out[i] = v
	}
	return out, nil
}

// Inclusion serves an inclusion proof.
func (s *Handler) Inclusion(w http.ResponseWriter, r *http.Request) {
	v, err := uints(r, "index", "size")
	if err == nil {
		err = s.checkSize(r, v[1])
	}
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	p, err := tlog.InclusionProof(r.Context(), store.LogLeaves{Q: s.st}, v[0], v[1])
	if err != nil {
		s.WriteJSONError(w, r, tocsin.Errorf(tocsin.EINVALID, "no such proof: index %d, size %d", v[0], v[1]))
		return
	}
	webkit.WriteJSON(w, http.StatusOK, encodeProof(p))
}

// Consistency serves a consistency proof.
func (s *Handler) Consistency(w http.ResponseWriter, r *http.Request) {
	v, err := uints(r, "from", "to")
	if err == nil {
		err = s.checkSize(r, v[1])
	}
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	p, err := tlog.ConsistencyProof(r.Context(), store.LogLeaves{Q: s.st}, v[0], v[1])
	if err != nil {
		s.WriteJSONError(w, r, tocsin.Errorf(tocsin.EINVALID, "no such proof: from %d to %d", v[0], v[1]))
		return
	}
	webkit.WriteJSON(w, http.StatusOK, encodeProof(p))
}

// checkSize refuses proofs for sizes no checkpoint covers.
func (s *Handler) checkSize(r *http.Request, size uint64) error {
	latest, _, err := s.st.LatestCheckpoint(r.Context())
	if err != nil {
		return err
	}
	if size > latest {
		return tocsin.Errorf(tocsin.EINVALID, "the log's latest checkpoint has size %d", latest)
	}
	return nil
}

// Alert finds a sent alert's entry in the log by its reference code.
func (s *Handler) Alert(w http.ResponseWriter, r *http.Request) {
	a, err := s.st.GetAlertByRef(r.Context(), strings.ToUpper(r.PathValue("ref")))
	if err != nil || len(a.Statement) == 0 || (a.State != tocsin.AlertSending && a.State != tocsin.AlertSent) {
		s.WriteJSONError(w, r, tocsin.Errorf(tocsin.ENOTFOUND, "no sent alert has this reference"))
		return
	}
	i, err := s.st.LogIndex(r.Context(), tlog.LeafHash(a.Statement))
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	webkit.WriteJSON(w, http.StatusOK, map[string]any{"index": i, "entry": base64.StdEncoding.EncodeToString(a.Statement)})
}

// Notice finds a published notice's entry in the log by its id.
func (s *Handler) Notice(w http.ResponseWriter, r *http.Request) {
	n, err := s.st.GetNotice(r.Context(), r.PathValue("id"))
	if err != nil || len(n.Statement) == 0 || n.State != tocsin.NoticePublished {
		s.WriteJSONError(w, r, tocsin.Errorf(tocsin.ENOTFOUND, "no published notice has this id"))
		return
	}
	i, err := s.st.LogIndex(r.Context(), tlog.LeafHash(n.Statement))
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	webkit.WriteJSON(w, http.StatusOK, map[string]any{"index": i, "entry": base64.StdEncoding.EncodeToString(n.Statement)})
}
