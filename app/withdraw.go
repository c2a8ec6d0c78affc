package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/staff"
)

// ErrNotWithdrawn means an application can no longer be withdrawn: it is being sent to
// its utility at that moment, or its utility has had it (or it was closed) since the
// list was read.
var ErrNotWithdrawn = errors.New("app: the application can no longer be withdrawn")

// Withdraw withdraws, for good, an application this kiosk holds for the citizen in the
// visit because its utility has not taken it yet (Application.Withdrawable): it is never
// sent, and the journal keeps staff.Withdrawn as the reason (request.withdrawn). The
// citizen's ID card decides: only their own is withdrawn. ErrNoSession without one;
// ErrNotWithdrawn when it is too late.
func (k *Kiosk) Withdraw(_ context.Context, a Application) error {
	s := k.Sessions.Current()
	if s == nil {
		return ErrNoSession
	}
	id, ok := s.Identity()
	if !ok {
		return ErrNoSession
	}
	ref := a.Progress.KioskRef
	own, err := k.Outbox.ByApplicant(id.IDNumber)
	if err != nil {
		return fmt.Errorf("app: withdraw %s: %w", ref, err)
	}
	i := slices.IndexFunc(own, func(st outbox.Status) bool { return st.KioskRef == ref })
	if ref == "" || i < 0 || !isApplication(own[i]) {
		return fmt.Errorf("app: withdraw %q: not an application of the citizen's at this kiosk", ref)
	}
	if err := k.Outbox.Withdraw(ref, staff.Withdrawn); errors.Is(err, outbox.ErrTooLate) {
		return fmt.Errorf("%w: %v", ErrNotWithdrawn, err)
	} else if err != nil {
		return fmt.Errorf("app: withdraw %s: %w", ref, err)
	}
	k.Log.Info("application withdrawn by its citizen", "ref", ref, "utility", own[i].Utility)
	return nil
}
