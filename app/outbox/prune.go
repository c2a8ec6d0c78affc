package outbox

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/store"
)

// Pruned counts what Prune did.
type Pruned struct {
	// Erased requests lost their sealed contents: the citizen's data, the utility's
	// answer, a refusal's message.
	Erased int
	// Removed requests are gone, with their reference.
	Removed int
}

// pruneBatch bounds one transaction, so that pruning a large backlog never holds the
// database for long.
const pruneBatch = 500

// finished reports whether a request will never be sent again: answered, closed by
// staff or expired. Pending requests and dead letters (staff may retry them) are not.
func finished(s State) bool { return s == Done || s == Closed || s == Expired }

// Prune erases the sealed contents of the requests finished before eraseBefore and
// removes the requests finished before removeBefore. What remains of an erased request
// (its references, kind, states and times) holds no personal data, nor what would find
// it by the applicant (ByApplicant): a citizen can still
// track an application by the kiosk reference on the receipt, staff still see what
// happened. Requests not finished are never touched.
func (ob *Outbox) Prune(eraseBefore, removeBefore time.Time) (Pruned, error) {
	var total Pruned
	var seqs [][]byte
	err := ob.st.View(func(tx *bolt.Tx) error {
		return forEach(tx, func(k, v []byte) error {
			r, err := decodeRecord(k, v)
			if err != nil {
				return err
			}
			if erase, remove := pruneAction(r, eraseBefore, removeBefore); erase || remove {
				seqs = append(seqs, append([]byte(nil), k...))
			}
			return nil
		})
	})
	for len(seqs) > 0 && err == nil {
		batch := seqs[:min(pruneBatch, len(seqs))]
		seqs = seqs[len(batch):]
		now := ob.o.Clock.Now().UTC()
		err = ob.st.Update(func(tx *bolt.Tx) error {
			b, err := bucket(tx, store.BucketOutbox)
			if err != nil {
				return err
			}
			refs, err := bucket(tx, store.BucketOutboxRef)
			if err != nil {
				return err
			}
			for _, k := range batch {
				// Read again: staff may have acted on it since.
				r, err := decodeRecord(k, b.Get(k))
				if err != nil {
					return err
				}
				switch erase, remove := pruneAction(r, eraseBefore, removeBefore); {
				case remove:
					if err := b.Delete(k); err != nil {
						return err
					}
					if err := refs.Delete([]byte(r.Ref)); err != nil {
						return err
					}
					total.Removed++
				case erase:
					r.Body, r.Answer, r.ErrorMessage, r.Applicant, r.Erased = nil, nil, nil, "", now
					if err := putRecord(tx, r); err != nil {
						return err
					}
					total.Erased++
				}
			}
			return nil
		})
	}
	if err != nil {
		return total, fmt.Errorf("outbox: prune: %w", err)
	}
	return total, nil
}

// pruneAction says whether r is to be erased or removed. A request already erased is not
// erased again; one not finished is neither.
func pruneAction(r *record, eraseBefore, removeBefore time.Time) (erase, remove bool) {
	if r == nil || !finished(r.State) {
		return false, false
	}
	if r.DoneAt.Before(removeBefore) {
		return false, true
	}
	return r.Erased.IsZero() && r.DoneAt.Before(eraseBefore), false
}
