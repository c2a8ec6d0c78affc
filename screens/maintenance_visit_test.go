package screens_test

import (
	"testing"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/staffpin"
)

// A visit opened without a card or a scan while staff are in maintenance mode (by
// whatever opens one: Kiosk.EnsureSession) closes maintenance mode at the kiosk, which
// journals why; the screen follows it home, where the visit is (退出办理), rather than
// drawing maintenance mode's page again over a mode that is closed. Once the visit ends,
// staff open maintenance mode again.
func TestVisitWithoutCardClosesMaintenanceOnScreen(t *testing.T) {
	h := newHarness(t)
	h.OpenMaintenance(staffpin.DemoPIN)
	h.Tap("未送达的申请") // a page of maintenance mode over its first
	h.Do(func() { h.K.EnsureSession() })
	h.Pump()
	if got := staffEvents(t, h, journal.StaffLogout); len(got) != 1 || got[0].Detail != app.MaintenanceCitizen {
		t.Fatalf("the kiosk journaled maintenance mode's close as %+v, want one for %s", got, app.MaintenanceCitizen)
	}
	if h.Current() != "home" || !h.CanTap("退出办理") || h.Shows("维护模式已退出") {
		t.Fatalf("maintenance mode closed at the kiosk, the screen shows %s:\n%s", h.Current(), h.Markup())
	}
	h.Tap("退出办理")
	h.OpenMaintenance(staffpin.DemoPIN)
	if got := staffEvents(t, h, journal.StaffLogin); len(got) != 2 {
		t.Fatalf("staff signed in %d times, want 2: %+v", len(got), got)
	}
}
