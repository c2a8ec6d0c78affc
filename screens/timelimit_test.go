package screens_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/demo"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/screens/screentest"
)

// zeroLimit is what a time limit the utility left out once showed: 0个工作日, a deadline
// in year 1.
var zeroLimit = regexp.MustCompile(`(^|[^0-9])0个工作日|1年1月1日`)

// The timeline of an application whose utility left the time limit out of its answer
// (the API requires only the reference) tells what the kiosk worked out, never a zero
// date, and says the limit was missed only when it was: 张三's application, finished in
// time, is not told as late for a missing on_time. In English the limit reads as a
// sentence: Within 2 working days, by Thu 26 Nov 2026.
func TestTimelineWithoutTimeLimit(t *testing.T) {
	days := func(h *screentest.H) int {
		// The catalogue's days for 张三's 增容, counted on the kiosk's calendar.
		svc, _ := h.K.Catalog().Service(utility.Electricity, "capacity_change")
		return svc.Days
	}
	for _, tc := range []struct {
		name   string
		omit   []string
		shows  func(h *screentest.H) []string
		absent []string
		// english is what the timeline says in English.
		english func(h *screentest.H) string
	}{
		// The promise, then what came of it: "最迟…办结；已于…按时办结", not in brackets
		// inside the date's own brackets.
		{"on_time left out", []string{"on_time"}, func(h *screentest.H) []string { return []string{"办结；已于", "按时办结"} },
			[]string{"超出承诺时限"}, func(h *screentest.H) string { return ". Finished on time, " }},
		{"working_days, deadline and on_time left out", []string{"working_days", "deadline", "on_time"}, func(h *screentest.H) []string {
			return []string{fmt.Sprintf("%d个工作日，最迟", days(h)), "按时办结"}
		}, []string{"超出承诺时限"}, func(h *screentest.H) string { return fmt.Sprintf("Within %d working days, by ", days(h)) }},
		{"accepted_at and the time limit left out", []string{"accepted_at", "working_days", "deadline", "on_time", "done_at"},
			func(h *screentest.H) []string {
				return []string{fmt.Sprintf("%d个工作日", days(h))} // no date to count from
			}, []string{"最迟", "超出承诺时限", "按时"}, func(h *screentest.H) string { return fmt.Sprintf("Within %d working days", days(h)) }},
		{"all but the reference left out", []string{"kiosk_ref", "utility", "service", "service_name", "state", "state_name",
			"accepted_at", "steps", "working_days", "deadline", "done_at", "on_time", "evaluated"},
			func(h *screentest.H) []string { return []string{h.K.Text.T("track.limit_unknown")} },
			[]string{"最迟", "超出承诺时限", "按时"}, func(h *screentest.H) string { return "As the utility will tell you" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, sims := newTrackHarness(t, 0) // 张三: a finished electricity application
			if err := sims.SetFaults(utility.Electricity, utilitysim.Faults{Omit: tc.omit}); err != nil {
				t.Fatal(err)
			}
			h.Tap("首页")
			h.Tap("进度查询")
			h.WaitShows("点一项查看办理进度")
			h.TapFirstRow()
			h.WaitFor("the timeline", func() bool { return h.Current() == "timeline" })
			markup := h.Markup()
			for _, s := range tc.shows(h) {
				if !h.Shows(s) {
					t.Errorf("the timeline does not say %q:\n%s", s, markup)
				}
			}
			for _, s := range tc.absent {
				if h.Shows(s) {
					t.Errorf("the timeline says %q:\n%s", s, markup)
				}
			}
			if zeroLimit.MatchString(markup) {
				t.Errorf("the timeline tells a zero time limit:\n%s", markup)
			}
			h.Do(h.Shell.ToggleLanguage)
			if want := tc.english(h); !h.Shows(want) {
				t.Errorf("the timeline in English does not say %q:\n%s", want, h.Markup())
			}
		})
	}
}

// newTrackHarness is a kiosk on the demo device emulators and the utilities' simulator,
// with the simulator's citizen i identified by the card.
func newTrackHarness(t *testing.T, citizen int) (*screentest.H, *utilitysim.Server) {
	t.Helper()
	d, sims, cfg := demoWithUtilities(t, utilitysim.Options{})
	cfg.Devices.IDCard.PollInterval.Duration = 20 * time.Millisecond
	h := screentest.New(t, screentest.Options{Config: cfg, Demo: d, UtilityURLs: sims.BaseURLs(), RealClock: true, Start: true})
	h.WaitFor("the reader", func() bool { st, ok := h.K.DeviceState("idcard"); return ok && st.OK })
	if err := d.PlaceCard(citizen); err != nil {
		t.Fatal(err)
	}
	h.WaitFor("the citizen's accounts", func() bool { return h.Current() == "accounts" })
	return h, sims
}

// demoWithUtilities starts the demo device emulators and the utilities' simulator, the
// emulators' demo citizens the simulator's (started with o, in a folder of its own),
// and a configuration that drives the emulators.
func demoWithUtilities(t *testing.T, o utilitysim.Options) (*demo.Rig, *utilitysim.Server, *config.Config) {
	t.Helper()
	d, err := demo.Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	o.Dir = t.TempDir()
	sims, err := utilitysim.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sims.Close() })
	d.UseUtilities(sims)
	cfg := config.Defaults()
	d.Apply(cfg)
	return d, sims, cfg
}
