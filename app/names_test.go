package app_test

import (
	"testing"

	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// In English the kiosk names what a utility answered in Chinese from its catalogue; in
// Chinese it shows the utility's own words.
func TestUtilityWordsInEnglish(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	k := f.k
	p := utility.Progress{Utility: utility.Electricity, Service: "new_connection", ServiceName: "新装（报装）",
		State: utility.StateDone, StateName: "办件通过"}
	accept := utility.Step{Name: "申请受理"}
	odd := utility.Step{Name: "现场复核"} // a step the catalogue does not know
	tier := utility.TierLine{Tier: 2, Name: "第二档"}
	cases := []struct {
		lang                        i18n.Lang
		service, state, step1, tier string
	}{
		{i18n.ZH, "新装（报装）", "办件通过", "申请受理", "第二档"},
		{i18n.EN, "New connection", "Completed", "Application accepted", "Tier 2"},
	}
	for _, c := range cases {
		if err := k.Text.SetLang(c.lang); err != nil {
			t.Fatal(err)
		}
		if got := k.ServiceName(p.Utility, p.Service, p.ServiceName); got != c.service {
			t.Errorf("%s: service %q, want %q", c.lang, got, c.service)
		}
		if got := k.StateName(p); got != c.state {
			t.Errorf("%s: state %q, want %q", c.lang, got, c.state)
		}
		if got := k.StepName(p, accept); got != c.step1 {
			t.Errorf("%s: step %q, want %q", c.lang, got, c.step1)
		}
		if got := k.TierName(tier); got != c.tier {
			t.Errorf("%s: tier %q, want %q", c.lang, got, c.tier)
		}
		if got := k.StepName(p, odd); got != "现场复核" {
			t.Errorf("%s: an unknown step became %q", c.lang, got)
		}
		if got := k.ServiceName(utility.Water, "no_such_service", "某项业务"); got != "某项业务" {
			t.Errorf("%s: an unknown service became %q", c.lang, got)
		}
	}
	// A state the utility left unnamed is named by the kiosk, in either language.
	if err := k.Text.SetLang(i18n.ZH); err != nil {
		t.Fatal(err)
	}
	if got := k.StateName(utility.Progress{State: utility.StateInProgress}); got != "办理中" {
		t.Errorf("unnamed state: %q", got)
	}
}
