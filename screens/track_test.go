package screens

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/liangzihu/kiosk/app/utility"
)

// The marks of a timeline's steps take one width, so that the steps' names line up.
func TestStepMarksLineUp(t *testing.T) {
	test.NewTempApp(t)
	want := stepMark(utility.StepDone).MinSize().Width
	for _, st := range []string{utility.StepCurrent, utility.StepPending, "suspended"} {
		if got := stepMark(st).MinSize().Width; got != want {
			t.Errorf("mark of a step %s is %v wide, of a step done %v", st, got, want)
		}
	}
}
