package screens_test

import (
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/staffpin"
)

// A PIN locked after too many wrong PINs says, on its one line under the keypad and
// whole, until when and what staff can do before then (kioskctl staff unlock), in
// both languages and in 大字模式.
func TestMaintenanceLockedSaysHowToUnlock(t *testing.T) {
	for _, tc := range []struct {
		name    string
		english bool
		elderly bool
		want    string
	}{
		{"中文", false, false, "或由管理员在本机执行 kioskctl staff unlock 解除"},
		{"中文, 大字模式", false, true, "或由管理员在本机执行 kioskctl staff unlock 解除"},
		{"English", true, false, "or until staff run kioskctl staff unlock"},
		{"English, 大字模式", true, true, "or until staff run kioskctl staff unlock"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			now := h.Clock.Now()
			for i := range staffpin.DefaultMaxFailures {
				if err := h.K.Journal.Record(journal.Event{Time: now.Add(time.Duration(i-staffpin.DefaultMaxFailures) * time.Second),
					Kind: journal.StaffLoginFailed}); err != nil {
					t.Fatal(err)
				}
			}
			if tc.english {
				h.Tap("English")
			}
			h.Do(func() { h.Shell.SetElderly(tc.elderly) })
			h.TapTitle(5)
			// Opened while locked, it says so before a PIN is typed.
			if !h.Shows(tc.want) {
				t.Errorf("the PIN screen opened while locked does not say so:\n%s", h.Markup())
			}
			h.TypePIN(staffpin.DemoPIN)
			h.WaitShows(tc.want)
			h.AssertFits()
		})
	}
}
