package utilitysim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/utility"
)

// maxBody bounds a request body.
const maxBody = 1 << 20

// apiError is an error answer of the protocol.
type apiError struct {
	status  int
	code    string
	message string
	field   string
	amount  utility.Fen
}

func (e *apiError) body() []byte {
	type inner struct {
		Code    string      `json:"code"`
		Message string      `json:"message,omitempty"`
		Field   string      `json:"field,omitempty"`
		Amount  utility.Fen `json:"amount_fen,omitempty"`
	}
	b, _ := json.Marshal(struct {
		Error inner `json:"error"`
	}{inner{e.code, e.message, e.field, e.amount}})
	return b
}

func invalid(field, message string) *apiError {
	return &apiError{status: http.StatusUnprocessableEntity, code: utility.CodeValidation, message: message, field: field}
}

func notFound(message string) *apiError {
	return &apiError{status: http.StatusNotFound, code: utility.CodeNotFound, message: message}
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeErr(w http.ResponseWriter, e *apiError) { writeJSON(w, e.status, e.body()) }

func writeValue(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeErr(w, &apiError{status: 500, code: utility.CodeInternal})
		return
	}
	writeJSON(w, http.StatusOK, b)
}

// found answers the lookup of one record: an internal error when the store failed
// (logged), not found (with the citizen's message) when it is missing, else v.
func (u *uapi) found(w http.ResponseWriter, v any, found bool, err error, missing string) {
	switch {
	case err != nil:
		u.internal(w, err)
	case !found:
		writeErr(w, notFound(missing))
	default:
		writeValue(w, v)
	}
}

type ctxKey struct{}

// reqInfo is what the middleware learnt about a request.
type reqInfo struct {
	kioskID string
	body    []byte
}

func info(r *http.Request) reqInfo { v, _ := r.Context().Value(ctxKey{}).(reqInfo); return v }

// signatureMessage words a refused signature as every message of the protocol is
// worded (docs/utility-api.yaml, ErrorBody): in Chinese, saying which check failed so
// that staff can tell a wrong secret from a wrong clock or a wrong kiosk ID.
func signatureMessage(err error) string {
	switch {
	case errors.Is(err, utility.ErrSignatureStale):
		return "请求时间与服务器时间相差过大，请校准自助终端时钟"
	case errors.Is(err, utility.ErrSignatureMissing):
		return "请求缺少签名"
	case errors.Is(err, utility.ErrKioskUnknown):
		return "未登记的自助终端编号，请核对终端编号"
	}
	return "请求签名校验失败，请核对终端密钥"
}

// secret is the secret of the kiosk kioskID for utility id; nil for a kiosk the
// simulator does not know.
func (s *Server) secret(id, kioskID string) []byte {
	own, ok := s.o.Kiosks[kioskID]
	if !ok {
		return nil
	}
	if v := own[id]; len(v) > 0 {
		return v
	}
	return utility.DemoSecret(id)
}

// utilityHandler serves one utility's API under /v1.
func (s *Server) utilityHandler(id string) http.Handler {
	u := &uapi{s: s, id: id}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/accounts/search", u.accountsSearch)
	mux.HandleFunc("GET /v1/accounts/{number}", u.accountGet)
	mux.HandleFunc("GET /v1/accounts/{number}/bills", u.billsList)
	mux.HandleFunc("GET /v1/accounts/{number}/bills/{bill}", u.billGet)
	mux.HandleFunc("POST /v1/payments", u.submit(utility.KindPayment, u.createPayment))
	mux.HandleFunc("POST /v1/payments/cancel", u.submit(utility.KindCancelPayment, u.cancelPayment))
	mux.HandleFunc("GET /v1/payments/{ref}", u.paymentGet)
	mux.HandleFunc("POST /v1/applications", u.submit(utility.KindApplication, u.createApplication))
	mux.HandleFunc("POST /v1/applications/search", u.applicationsSearch)
	mux.HandleFunc("GET /v1/applications/{ref}", u.applicationGet)
	mux.HandleFunc("POST /v1/transfers", u.submit(utility.KindTransfer, u.createTransfer))
	mux.HandleFunc("POST /v1/transfers/check", u.checkTransfer)
	mux.HandleFunc("POST /v1/evaluations", u.submit(utility.KindEvaluation, u.createEvaluation))
	mux.HandleFunc("GET /v1/submissions/{ref}", u.submissionGet)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			writeErr(w, &apiError{status: http.StatusRequestEntityTooLarge, code: utility.CodeValidation, message: "请求过大"})
			return
		}
		kiosk, err := utility.Verify(r, body, s.o.Clock.Now(), s.o.ReplayWindow, func(kioskID string) []byte { return s.secret(id, kioskID) })
		if err != nil {
			writeErr(w, &apiError{status: http.StatusUnauthorized, code: utility.CodeBadSignature, message: signatureMessage(err)})
			return
		}
		f := s.Faults(id)
		if s.chance(f.ErrorRate) {
			writeErr(w, &apiError{status: http.StatusServiceUnavailable, code: utility.CodeUnavailable, message: "系统维护中"})
			return
		}
		if r.Method != http.MethodPost || r.Header.Get(utility.HeaderIdempotencyKey) == "" {
			if !s.sleep(r.Context(), f.LatencyMS) {
				return
			}
			if f.Malformed {
				writeJSON(w, http.StatusOK, []byte(`{"accounts": [{"number": `))
				return
			}
		}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, reqInfo{kioskID: kiosk, body: body}))
		r.Body = io.NopCloser(bytes.NewReader(body))
		mux.ServeHTTP(w, r)
	})
}

func (s *Server) sleep(ctx context.Context, ms int) bool {
	if ms <= 0 {
		return true
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// uapi is one utility's handlers.
type uapi struct {
	s  *Server
	id string
}

func (u *uapi) now() time.Time { return u.s.o.Clock.Now() }

// view runs fn on the utility's buckets in a read transaction; errDamaged when the
// file lacks one.
func (u *uapi) view(fn func(b ubk) error) error { return u.s.db.View(u.in(fn)) }

// update is view in a read-write transaction.
func (u *uapi) update(fn func(b ubk) error) error { return u.s.db.Update(u.in(fn)) }

// in is fn on the utility's buckets of a transaction.
func (u *uapi) in(fn func(b ubk) error) func(tx *bolt.Tx) error {
	return func(tx *bolt.Tx) error {
		b, err := bucketsOf(tx, u.id)
		if err != nil {
			return err
		}
		return fn(b)
	}
}

// internal answers a request the state file failed (damaged: errDamaged), logging why.
func (u *uapi) internal(w http.ResponseWriter, err error) {
	u.s.log.Error("utilitysim: state", "utility", u.id, "err", err)
	writeErr(w, &apiError{status: 500, code: utility.CodeInternal})
}

// process is a state change: it reads the request body and returns the answer (a value
// for 200, or an *apiError). It runs inside the transaction that records the answer.
type process func(b ubk, kioskID string, body []byte) (any, *apiError)

// submit wraps a state-changing handler with the idempotency rules of the IETF draft:
// no key → 400; a key in flight → 409; a known key with another body → 422; a known key
// with the same body → the stored answer, without processing again.
func (u *uapi) submit(kind utility.Kind, fn process) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in := info(r)
		key := utility.ParseIdempotencyKey(r.Header.Get(utility.HeaderIdempotencyKey))
		if !utility.ValidKey(key) {
			writeErr(w, &apiError{status: http.StatusBadRequest, code: utility.CodeKeyMissing, message: "缺少或无效的 Idempotency-Key"})
			return
		}
		// Keys are per kiosk, so that one kiosk's key never returns another's answer.
		ik := in.kioskID + "\x00" + key
		sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), in.body...))
		fp := hex.EncodeToString(sum[:])
		u.s.mu.Lock()
		busy := u.s.inflight[u.id+"\x00"+ik]
		if !busy {
			u.s.inflight[u.id+"\x00"+ik] = true
		}
		u.s.mu.Unlock()
		if busy {
			writeErr(w, &apiError{status: http.StatusConflict, code: utility.CodeInProgress, message: "该请求正在处理中"})
			return
		}
		defer func() {
			u.s.mu.Lock()
			delete(u.s.inflight, u.id+"\x00"+ik)
			u.s.mu.Unlock()
		}()
		var stored idemRec
		found := false
		if err := u.view(func(b ubk) error {
			found = b.get(bIdem, ik, &stored) && u.now().Sub(stored.At) < u.s.o.KeyRetention
			return nil
		}); err != nil {
			u.internal(w, err)
			return
		}
		if found {
			if stored.Fingerprint != fp {
				writeErr(w, &apiError{status: http.StatusUnprocessableEntity, code: utility.CodeKeyReused, message: "Idempotency-Key 已用于另一请求"})
				return
			}
			w.Header().Set("Idempotent-Replayed", "true")
			u.answer(w, r, stored.Status, stored.Body)
			return
		}
		if !u.s.sleep(r.Context(), u.s.Faults(u.id).LatencyMS) {
			return
		}
		var status int
		var body []byte
		err := u.s.db.Batch(u.in(func(b ubk) error {
			var v any
			var aerr *apiError
			if msg := u.s.Faults(u.id).Refuse; msg != "" && (kind == utility.KindApplication || kind == utility.KindTransfer) {
				aerr = invalid("", msg)
			} else {
				v, aerr = fn(b, in.kioskID, in.body)
			}
			if aerr != nil {
				status, body = aerr.status, aerr.body()
			} else {
				status = http.StatusOK
				var err error
				if body, err = json.Marshal(v); err != nil {
					return err
				}
				if kind == utility.KindApplication || kind == utility.KindTransfer {
					body = u.sparse(body)
				}
			}
			if err := b.put(bIdem, ik, idemRec{Fingerprint: fp, Status: status, Body: body, At: u.now()}); err != nil {
				return err
			}
			var ref struct {
				KioskRef string `json:"kiosk_ref"`
			}
			_ = json.Unmarshal(in.body, &ref)
			if ref.KioskRef == "" {
				return nil
			}
			if err := b.put(bSubmissions, in.kioskID+"/"+ref.KioskRef, submissionRec{Kind: kind, Status: status, Response: body, Key: key}); err != nil {
				return err
			}
			if status != http.StatusOK {
				return nil
			}
			return b.logReceived(Received{KioskRef: ref.KioskRef, Kind: kind, Key: key, Status: status, At: u.now()})
		}))
		if err != nil {
			u.internal(w, fmt.Errorf("commit: %w", err))
			return
		}
		u.answer(w, r, status, body)
	}
}

// answer writes a state change's answer, or cuts the connection half-way through it
// when the fault is injected: the change is committed but the kiosk does not learn so.
func (u *uapi) answer(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	if u.s.chance(u.s.Faults(u.id).CutRate) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		_, _ = w.Write(body[:len(body)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	writeJSON(w, status, body)
}

// sparse leaves the fields of Faults.Omit out of a JSON object (an acceptance, an
// application's progress); reference stays.
func (u *uapi) sparse(obj []byte) json.RawMessage {
	omit := u.s.Faults(u.id).Omit
	if len(omit) == 0 {
		return obj
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(obj, &m) != nil {
		return obj
	}
	for _, f := range omit {
		if f != "reference" {
			delete(m, f)
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		return obj
	}
	return out
}

func decode(body []byte, v any) *apiError {
	if err := json.Unmarshal(body, v); err != nil {
		return &apiError{status: http.StatusBadRequest, code: utility.CodeValidation, message: "请求格式错误"}
	}
	return nil
}

func (u *uapi) submissionGet(w http.ResponseWriter, r *http.Request) {
	var rec submissionRec
	found := false
	err := u.view(func(b ubk) error {
		found = b.get(bSubmissions, info(r).kioskID+"/"+r.PathValue("ref"), &rec)
		return nil
	})
	u.found(w, rec, found, err, "未收到该业务")
}
