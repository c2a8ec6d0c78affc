package main

import (
	"testing"

	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/store/storetest"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/screens/touch"
)

// A rating and an application whose commit failed after the data file showed it, and
// could not be taken back (a failing disk fails the take-back too): the kiosk cannot
// tell whether the file keeps it. The screen says so, and that what was saved is sent
// once the kiosk is repaired (the next start sends what the file kept: app's
// TestSubmitWhoseCommitIsUncertain), in Chinese and in English; not that it was not
// taken, nor that it was taken (no 评价已提交, no result page).
func TestJourneySubmitUncertain(t *testing.T) {
	t.Run("rating", func(t *testing.T) {
		j := newJourney(t)
		j.trackByScan(utility.Electricity, 0)
		j.Tap("评价本次服务")
		j.Tap("非常满意")
		storetest.FailMetaWriteUncertain(t, j.K.Store)
		j.Tap("提交评价")
		j.saidUncertain("rate")
		if j.Shows("评价已提交") {
			t.Fatalf("a rating not known to be saved shown as submitted:\n%s", j.Markup())
		}
	})
	t.Run("application", func(t *testing.T) {
		j := newJourney(t)
		toApplyReview(j)
		storetest.FailMetaWriteUncertain(t, j.K.Store)
		j.Tap("确认提交")
		j.saidUncertain("apply")
		if cur := j.Shell.Current(); cur == "apply-result" {
			t.Fatalf("an application not known to be saved has a result page:\n%s", j.Markup())
		}
	})
}

// saidUncertain waits for the screen to say that the kiosk cannot tell whether the
// citizen's submission (prefix: rate, apply) was saved, and checks it says it in
// English too, and never that it was not taken.
func (j *journey) saidUncertain(prefix string) {
	j.T.Helper()
	j.WaitFor("the notice", func() bool { return j.says(j.K.Text.In(i18n.ZH, prefix+".uncertain")) })
	for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
		if j.says(j.K.Text.In(l, prefix+".not_stored")) {
			j.T.Fatalf("told it was not taken:\n%s", j.Markup())
		}
	}
	j.Do(j.Shell.ToggleLanguage)
	defer j.Do(j.Shell.ToggleLanguage)
	if !j.says(j.K.Text.In(i18n.EN, prefix+".uncertain")) {
		j.T.Fatalf("in English:\n%s", j.Markup())
	}
}

// says reports whether a paragraph on screen says text, whatever its lines.
func (j *journey) says(text string) bool {
	for _, o := range j.Objects() {
		if p, ok := o.(*touch.Paragraph); ok && p.Visible() && p.String() == text {
			return true
		}
	}
	return false
}
