package utilitysim

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/utility"
)

// Sub-buckets of each utility's bucket.
var (
	bAccounts     = []byte("accounts")
	bBills        = []byte("bills") // account + "/" + bill ID
	bPayments     = []byte("payments")
	bApplications = []byte("applications")
	bIdem         = []byte("idempotency")
	bSubmissions  = []byte("submissions") // by kiosk reference
	bLog          = []byte("log")         // processed submissions in arrival order
	bSeq          = []byte("sequences")
)

var subBuckets = [][]byte{bAccounts, bBills, bPayments, bApplications, bIdem, bSubmissions, bLog, bSeq}

// errDamaged means the state file lacks a bucket every seeded file holds: damaged, or
// not the simulator's. Move it aside (or start with Options.Reseed) to start from the
// seed.
var errDamaged = errors.New("utilitysim: the state file is damaged or not the simulator's (move it aside to start from the seed)")

// ubk is one utility's buckets inside a transaction, each of subBuckets found.
type ubk struct {
	id   string
	tx   *bolt.Tx
	subs map[string]*bolt.Bucket
}

// bucketsOf is utility id's buckets in tx; an error wrapping errDamaged, naming the
// bucket, when the file lacks one.
func bucketsOf(tx *bolt.Tx, id string) (ubk, error) {
	u := tx.Bucket([]byte(id))
	if u == nil {
		return ubk{}, fmt.Errorf("%w: no bucket %q", errDamaged, id)
	}
	b := ubk{id: id, tx: tx, subs: make(map[string]*bolt.Bucket, len(subBuckets))}
	for _, name := range subBuckets {
		s := u.Bucket(name)
		if s == nil {
			return ubk{}, fmt.Errorf("%w: no bucket %q in %q", errDamaged, name, id)
		}
		b.subs[string(name)] = s
	}
	return b, nil
}

// sub is the sub-bucket name, one of subBuckets (bucketsOf found each).
func (b ubk) sub(name []byte) *bolt.Bucket { return b.subs[string(name)] }

func (b ubk) get(name []byte, key string, v any) bool {
	data := b.sub(name).Get([]byte(key))
	if data == nil {
		return false
	}
	return json.Unmarshal(data, v) == nil
}

func (b ubk) put(name []byte, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.sub(name).Put([]byte(key), data)
}

// next numbers references per prefix and day: DL26061200001.
func (b ubk) next(prefix string, now time.Time) (string, error) {
	day := now.In(cst).Format("060102")
	seqs := b.sub(bSeq)
	k := []byte(prefix + day)
	n := 0
	if v := seqs.Get(k); v != nil {
		fmt.Sscan(string(v), &n)
	}
	n++
	if err := seqs.Put(k, []byte(fmt.Sprint(n))); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s%s%05d", prefix, day, n), nil
}

// accountRec is an account with its holder's ID number and what the utility knows of
// its premises.
type accountRec struct {
	utility.Account
	OwnerID string `json:"owner_id"`
	Phone   string `json:"phone,omitempty"`
	// Property is the number of the premises' 不动产权证 (the digits of 第×××号), as the
	// property register shares it with the utility; a 过户 must name it.
	Property string `json:"property,omitempty"`
	// HolderSince is when the holder took the account over by a 过户 (zero: holder
	// from the start). Bills of periods that ended before it are the previous holder's.
	HolderSince time.Time `json:"holder_since,omitzero"`
}

// appRec is an application (or transfer) with what the utility keeps about it.
type appRec struct {
	utility.Progress
	OwnerID    string             `json:"owner_id"`
	Applicant  utility.Contact    `json:"applicant"`
	Address    string             `json:"address"`
	Account    string             `json:"account,omitempty"`
	Fields     map[string]string  `json:"fields,omitempty"`
	LastStep   time.Time          `json:"last_step"`
	Evaluation *evalRec           `json:"evaluation,omitempty"`
	Acceptance utility.Acceptance `json:"acceptance"`
}

type evalRec struct {
	utility.EvaluationReceipt
	Level   utility.Level `json:"level"`
	Reasons []string      `json:"reasons,omitempty"`
	Comment string        `json:"comment,omitempty"`
}

// paymentRec is a payment order.
type paymentRec struct {
	utility.Payment
	Created time.Time `json:"created"`
}

// idemRec is what an idempotency key remembers: the request's fingerprint and the answer.
type idemRec struct {
	Fingerprint string          `json:"fingerprint"`
	Status      int             `json:"status"`
	Body        json.RawMessage `json:"body"`
	At          time.Time       `json:"at"`
}

// submissionRec answers GET /submissions/{kiosk_ref}.
type submissionRec struct {
	Kind     utility.Kind    `json:"kind"`
	Status   int             `json:"status"`
	Response json.RawMessage `json:"response"`
	Key      string          `json:"idempotency_key"`
}

// Received is one submission a utility processed (an idempotent replay is not counted
// again): what tests check exactly-once delivery and per-account order against.
type Received struct {
	Seq      uint64       `json:"seq"`
	KioskRef string       `json:"kiosk_ref"`
	Kind     utility.Kind `json:"kind"`
	Key      string       `json:"key"`
	Status   int          `json:"status"`
	At       time.Time    `json:"at"`
}

func (b ubk) logReceived(r Received) error {
	l := b.sub(bLog)
	seq, err := l.NextSequence()
	if err != nil {
		return err
	}
	r.Seq = seq
	data, _ := json.Marshal(r)
	var k [8]byte
	for i := 0; i < 8; i++ {
		k[i] = byte(seq >> (56 - 8*i))
	}
	return l.Put(k[:], data)
}

// Received lists what a utility processed, in arrival order.
func (s *Server) Received(id string) ([]Received, error) {
	if _, ok := s.ends[id]; !ok {
		return nil, fmt.Errorf("utilitysim: unknown utility %q", id)
	}
	var out []Received
	err := s.db.View(func(tx *bolt.Tx) error {
		b, err := bucketsOf(tx, id)
		if err != nil {
			return err
		}
		return b.sub(bLog).ForEach(func(k, v []byte) error {
			var r Received
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}
