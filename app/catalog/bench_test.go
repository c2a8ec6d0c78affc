package catalog

import (
	"testing"

	"github.com/liangzihu/kiosk/app/i18n"
)

func BenchmarkDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Default(); err != nil {
			b.Fatal(err)
		}
	}
}

// The work behind one keypad press on the joint form: check the input as typed, evaluate
// the four services' rules and validate the whole form.
func BenchmarkKeypress(b *testing.B) {
	f := fuzzForm
	a := answers(f)
	for b.Loop() {
		f.CheckTyping("electricity.capacity_kw", "22")
		f.Evaluate(a, now)
		f.Validate(a)
	}
}

// The review page and the four utilities' outcomes (time limits, fees) of a joint
// application, as the result page shows them.
func BenchmarkReviewAndOutcomes(b *testing.B) {
	f := fuzzForm
	a := answers(f)
	for b.Loop() {
		f.Review(a, i18n.ZH)
		for _, o := range f.Evaluate(a, now) {
			o.Summary(i18n.ZH)
		}
	}
}
