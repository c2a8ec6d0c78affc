package app_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/app/workdays"
)

// Tracking (进度查询) and rating (好差评) against the utilities' simulator on loopback
// HTTP. Applications, references and the outbox are real; helpers are in apply_test.go.

// myApplication is the open session's citizen's application at a utility (the first
// one listed there).
func myApplication(t *testing.T, k *app.Kiosk, utilityID string) app.Application {
	t.Helper()
	res, err := k.MyApplications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range res.Applications {
		if a.Utility == utilityID {
			return a
		}
	}
	t.Fatalf("no application at %s in %+v", utilityID, res)
	return app.Application{}
}

// MyApplications asks every utility at once: 张三's applications at the four utilities
// are all listed, newest first; with any one utility down, the other three are still
// listed and the one that is down is reported unavailable. Without an identified citizen
// there is nothing to list.
func TestTrackMyApplications(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	f.citizen(0) // 张三: a finished electricity application; applies at the three others
	a := applyFor(t, f.k, nil, jointOf(t, f.k, catalog.JointConnection, utility.Water, utility.Gas, utility.Broadband)...)
	r := submitForm(t, a)
	refs := map[string]string{utility.Electricity: myApplication(t, f.k, utility.Electricity).Progress.Reference}
	for _, p := range r.Answers {
		refs[p.Utility] = p.Reference
	}
	for _, down := range append([]string{""}, allUtilities...) {
		name := "all up"
		if down != "" {
			name = down + " down"
		}
		t.Run(name, func(t *testing.T) {
			if down != "" {
				setFaults(t, f.sims, down, utilitysim.Faults{Down: true})
				defer setFaults(t, f.sims, down, utilitysim.Faults{})
			}
			res, err := f.k.MyApplications(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for i, a := range res.Applications {
				if _, twice := got[a.Utility]; twice {
					t.Fatalf("two applications at %s: %+v", a.Utility, res.Applications)
				}
				got[a.Utility] = a.Progress.Reference
				if a.Waiting || a.Progress.Utility != a.Utility {
					t.Errorf("application %+v", a)
				}
				if i == 0 {
					continue
				}
				// Newest first by the minute; within a minute (the three parts of the joint
				// application) in the utilities' order, the same at every visit.
				prev := res.Applications[i-1]
				at, before := a.Progress.AcceptedAt.Truncate(time.Minute), prev.Progress.AcceptedAt.Truncate(time.Minute)
				if at.After(before) || at.Equal(before) && slices.Index(allUtilities, a.Utility) < slices.Index(allUtilities, prev.Utility) {
					t.Errorf("%s (accepted %v) listed after %s (%v)", a.Utility, a.Progress.AcceptedAt, prev.Utility, prev.Progress.AcceptedAt)
				}
			}
			for _, id := range allUtilities {
				want := refs[id]
				if id == down {
					want = ""
				}
				if got[id] != want {
					t.Errorf("%s: listed %q, want %q", id, got[id], want)
				}
			}
			var unavailable []string
			if down != "" {
				unavailable = []string{down}
			}
			if !slices.Equal(res.Unavailable, unavailable) {
				t.Errorf("unavailable %v, want %v", res.Unavailable, unavailable)
			}
		})
	}
	t.Run("no card", func(t *testing.T) {
		f.k.Sessions.Start()
		if _, err := f.k.MyApplications(context.Background()); !errors.Is(err, app.ErrNoSession) {
			t.Fatalf("err %v", err)
		}
		f.k.Exit()
		if _, err := f.k.MyApplications(context.Background()); !errors.Is(err, app.ErrNoSession) {
			t.Fatalf("err %v", err)
		}
	})
}

// FindApplication finds an application by a utility's number (asking every utility: here
// the utilities declare no application-number format, TestTrackAsksByNumberFormat has
// them) or by the kiosk reference (K + 15 digits) printed while the utility had not
// answered: Waiting until then, the utility's application once its number is bound. A
// number nobody knows is ErrApplicationNotFound; while a utility that may know it is
// down, the answer is that utility's error, not "not found", and a number another
// utility knows is found with the one down named. A reference with another kiosk's code
// that this kiosk did not make is ErrOtherKiosk.
func TestTrackFindApplication(t *testing.T) {
	t.Parallel()
	f := newFlowsConfigured(t, utilitysim.Options{}, noNumberFormats)
	f.citizen(0)
	seeded := myApplication(t, f.k, utility.Electricity).Progress.Reference
	// 陈建国 applies for gas while the gas company is down: a kiosk reference only.
	f.citizen(5)
	setFaults(t, f.sims, utility.Gas, utilitysim.Faults{Down: true})
	r := submitForm(t, applyFor(t, f.k, nil, jointOf(t, f.k, catalog.JointConnection, utility.Gas)...))
	kref := r.Answers[0].KioskRef
	if !kioskRefRE.MatchString(kref) || r.Answers[0].Reference != "" {
		t.Fatalf("gas while down: %+v", r.Answers[0])
	}
	code := f.k.Config.Kiosk.Code()
	other := "001"
	if code == other {
		other = "002"
	}
	elsewhere := kref[:7] + other + kref[10:]
	type want struct {
		utility, ref string
		waiting      bool
		err          error    // errors.Is
		notNotFound  bool     // an error, but not ErrApplicationNotFound
		unasked      []string // the utilities named as not asked beside the one found
	}
	check := func(t *testing.T, number string, w want) {
		t.Helper()
		found, err := f.k.FindApplication(context.Background(), number)
		var got app.Application
		if len(found.Applications) > 0 {
			got = found.Applications[0]
		}
		switch {
		case w.notNotFound:
			if err == nil || errors.Is(err, app.ErrApplicationNotFound) || !errors.Is(err, utility.ErrUnavailable) {
				t.Fatalf("%q: err %v, want the utility's unavailability", number, err)
			}
		case w.err != nil:
			if !errors.Is(err, w.err) {
				t.Fatalf("%q: %+v, err %v, want %v", number, got, err, w.err)
			}
		case err != nil:
			t.Fatalf("%q: %v", number, err)
		case len(found.Applications) != 1 || !slices.Equal(found.Unavailable, w.unasked):
			t.Fatalf("%q: %+v, want one application, %v not asked", number, found, w.unasked)
		case got.Utility != w.utility || got.Progress.Reference != w.ref || got.Waiting != w.waiting:
			t.Fatalf("%q: %+v", number, got)
		case w.waiting && (got.Progress.KioskRef != kref || got.Progress.AcceptedAt.IsZero()):
			t.Fatalf("%q: waiting %+v", number, got)
		}
	}
	for _, tc := range []struct {
		name, number string
		want         want
	}{
		{"utility's number", seeded, want{utility: utility.Electricity, ref: seeded, unasked: []string{utility.Gas}}},
		{"utility's number typed in lower case with spaces", " " + strings.ToLower(seeded) + " ", want{utility: utility.Electricity, ref: seeded, unasked: []string{utility.Gas}}},
		{"kiosk reference, utility not answered", kref, want{utility: utility.Gas, waiting: true}},
		{"kiosk reference in lower case", strings.ToLower(kref), want{utility: utility.Gas, waiting: true}},
		{"unknown kiosk reference", "K999999" + code + "999999", want{err: app.ErrApplicationNotFound}},
		{"unknown kiosk reference made before references carried a code", "K999999999999", want{err: app.ErrApplicationNotFound}},
		{"the same reference from another kiosk", elsewhere, want{err: app.ErrOtherKiosk}},
		{"a joint reference (联办编号), tracked by its parts' numbers", "j2611251730120042", want{err: app.ErrJointRef}},
		{"unknown number, a utility down", "DL99999999999", want{notNotFound: true}},
	} {
		t.Run("gas down/"+tc.name, func(t *testing.T) { check(t, tc.number, tc.want) })
	}
	setFaults(t, f.sims, utility.Gas, utilitysim.Faults{})
	pollUntil(t, outageWait, "the gas company's number", func() bool {
		st, err := f.k.Outbox.Status(kref)
		return err == nil && st.UtilityRef != ""
	})
	st, _ := f.k.Outbox.Status(kref)
	if !strings.HasPrefix(st.UtilityRef, "RQ") {
		t.Fatalf("bound to %q", st.UtilityRef)
	}
	for _, tc := range []struct {
		name, number string
		want         want
	}{
		{"kiosk reference, bound", kref, want{utility: utility.Gas, ref: st.UtilityRef}},
		{"the bound number", st.UtilityRef, want{utility: utility.Gas, ref: st.UtilityRef}},
		{"unknown number", "DL99999999999", want{err: app.ErrApplicationNotFound}},
		{"unknown kiosk reference", "K999999" + code + "999999", want{err: app.ErrApplicationNotFound}},
		{"the same reference from another kiosk", elsewhere, want{err: app.ErrOtherKiosk}},
	} {
		t.Run("all up/"+tc.name, func(t *testing.T) { check(t, tc.number, tc.want) })
	}
	// A kiosk given another code finds the references it made under the old one.
	f.k.Config.Kiosk.RefCode = other
	check(t, kref, want{utility: utility.Gas, ref: st.UtilityRef})
	check(t, "K999999"+code+"999999", want{err: app.ErrOtherKiosk})
	f.k.Config.Kiosk.RefCode = ""
	// The utility's own record carries the kiosk reference it was sent with.
	got, _ := findOne(f.k, kref)
	if got.Progress.KioskRef != kref {
		t.Fatalf("the bound application's kiosk reference %q, want %q", got.Progress.KioskRef, kref)
	}
}

// Two utilities may give one number (their numbering schemes are their own; here gas
// numbers as electricity does, and the hall declares gas's format as electricity's).
// FindApplication then waits for every utility and finds
// each one's application under it, in the utilities' order at every try, so that the
// citizen chooses theirs rather than see whichever utility answered first. With one of
// them down, the other's is found and the one down named, the number being perhaps
// theirs; with both down, the number is not said to be unknown. A kiosk reference
// names its utility: only that utility's application is found, the other down or not.
// The tracking QR carries the number alone: it finds both.
func TestTrackFindSharedNumber(t *testing.T) {
	t.Parallel()
	f := newFlowsConfigured(t, utilitysim.Options{RefPrefixes: map[string]string{utility.Gas: "DL"}}, func(c *config.Config) {
		c.Utilities.Gas.ApplicationNumber = c.Utilities.Electricity.ApplicationNumber
	})
	f.citizen(5) // 陈建国: no application seeded
	r := submitForm(t, applyFor(t, f.k, nil, jointOf(t, f.k, catalog.JointConnection, utility.Electricity, utility.Gas)...))
	parts := partsByUtility(t, r)
	power, gas := parts[utility.Electricity], parts[utility.Gas]
	number := power.Reference
	if number == "" || gas.Reference != number {
		// Each utility's first application of the day (the simulator seeds none today);
		// only a submission across midnight numbers them on two days.
		t.Fatalf("electricity numbered %q, gas %q: want one number", number, gas.Reference)
	}
	for try := range 5 {
		found, err := f.k.FindApplication(context.Background(), number)
		if err != nil || len(found.Applications) != 2 || len(found.Unavailable) != 0 {
			t.Fatalf("try %d: %+v, %v", try, found, err)
		}
		for i, want := range []app.PartAnswer{power, gas} {
			a := found.Applications[i]
			if a.Utility != want.Utility || a.Progress.Utility != want.Utility || a.Progress.Reference != number || a.Progress.KioskRef != want.KioskRef {
				t.Fatalf("try %d: application %d is %+v, want %s's (%s)", try, i, a, want.Utility, want.KioskRef)
			}
		}
	}
	code, err := f.k.TrackURL(number)
	if err != nil {
		t.Fatal(err)
	}
	if ref, ok := f.k.RefFromQR(code); !ok || ref != number {
		t.Fatalf("the tracking QR %q reads as %q, %v", code, ref, ok)
	}
	if found, err := f.k.FindApplication(context.Background(), number); err != nil || len(found.Applications) != 2 {
		t.Fatalf("the tracking QR's number: %+v, %v", found, err)
	}
	for _, k := range []app.PartAnswer{power, gas} {
		if got, err := findOne(f.k, k.KioskRef); err != nil || got.Utility != k.Utility || got.Progress.Reference != number {
			t.Fatalf("%s's kiosk reference: %+v, %v", k.Utility, got, err)
		}
	}

	setFaults(t, f.sims, utility.Gas, utilitysim.Faults{Down: true})
	found, err := f.k.FindApplication(context.Background(), number)
	if err != nil || len(found.Applications) != 1 || found.Applications[0].Utility != utility.Electricity ||
		!slices.Equal(found.Unavailable, []string{utility.Gas}) {
		t.Fatalf("gas down: %+v, %v", found, err)
	}
	if got, err := findOne(f.k, power.KioskRef); err != nil || got.Utility != utility.Electricity {
		t.Fatalf("electricity's kiosk reference, gas down: %+v, %v", got, err)
	}
	if _, err := findOne(f.k, gas.KioskRef); !errors.Is(err, utility.ErrUnavailable) {
		t.Fatalf("gas's kiosk reference, gas down: %v", err)
	}
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Down: true})
	defer setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{})
	if found, err := f.k.FindApplication(context.Background(), number); !errors.Is(err, utility.ErrUnavailable) || errors.Is(err, app.ErrApplicationNotFound) {
		t.Fatalf("both down: %+v, %v", found, err)
	}
	setFaults(t, f.sims, utility.Gas, utilitysim.Faults{})
	if got, err := findOne(f.k, gas.KioskRef); err != nil || got.Utility != utility.Gas {
		t.Fatalf("gas's kiosk reference, electricity down: %+v, %v", got, err)
	}
}

// findOne finds the application under number, which one utility alone knows (every
// utility answering): more than one found, or a utility not asked, is an error.
func findOne(k *app.Kiosk, number string) (app.Application, error) {
	found, err := k.FindApplication(context.Background(), number)
	if err != nil {
		return app.Application{}, err
	}
	if len(found.Applications) != 1 || len(found.Unavailable) != 0 {
		return app.Application{}, fmt.Errorf("%s: %d applications found, %v not asked", number, len(found.Applications), found.Unavailable)
	}
	return found.Applications[0], nil
}

// RefFromQR reads the application number from a receipt's tracking QR (the configured
// receipt.track_url with {ref}), whatever the receipt builder encoded, and nothing from
// anything else.
func TestTrackRefFromQR(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	tmpl := f.k.Config.Receipt.TrackURL
	if !strings.Contains(tmpl, "{ref}") {
		t.Fatalf("track_url %q", tmpl)
	}
	url := func(ref string) string { return strings.ReplaceAll(tmpl, "{ref}", ref) }
	for _, tc := range []struct {
		name, code, ref string
	}{
		{"utility's number", url("DL26061200001"), "DL26061200001"},
		{"kiosk reference", url("K260612000123"), "K260612000123"},
		{"scanner's line end", url("SS26061200002") + "\r\n", "SS26061200002"},
		{"template alone", url(""), ""},
		{"another path below", url("DL1/extra"), ""},
		{"query", url("DL1?x=1"), ""},
		{"fragment", url("DL1#x"), ""},
		{"too long", url(strings.Repeat("1", 41)), ""},
		{"bad escape", url("DL%zz"), ""},
		{"dots", url(".."), ""},
		{"escaped dots", url("%2e%2e"), ""},
		{"a space", url("DL%201"), ""},
		{"another site", "https://evil.example.cn/a/DL26061200001", ""},
		{"plain http", strings.Replace(url("DL26061200001"), "https://", "http://", 1), ""},
		{"payment receipt", "https://pay.example.cn/r/ZF26061200001", ""},
		{"a bare number", "DL26061200001", ""},
		{"junk", "hello 你好", ""},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref, ok := f.k.RefFromQR(tc.code)
			if ok != (tc.ref != "") || ref != tc.ref {
				t.Fatalf("RefFromQR(%q) = %q, %v; want %q", tc.code, ref, ok, tc.ref)
			}
		})
	}
	// What the receipt builder prints reads back, references with characters that need
	// escaping included.
	for _, ref := range []string{"DL26061200001", "K260612000123", "GH-2026.06_a"} {
		code, err := f.k.Receipts().TrackURL(ref)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := f.k.RefFromQR(code); !ok || got != ref {
			t.Errorf("printed %q reads back as %q, %v", code, got, ok)
		}
	}
}

// The timeline is the utility's: its steps with their times, the state, the committed
// working days, the deadline and whether it is kept: for an application finished on
// time (张三's), one past its deadline (刘卫东's high-voltage connection), and one the
// simulator advances step by step after the kiosk submitted it.
func TestTrackTimeline(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	now := time.Now()
	steps := func(t *testing.T, p utility.Progress, done int) {
		t.Helper()
		var prev time.Time
		for i, st := range p.Steps {
			switch {
			case i < done:
				if st.Status != utility.StepDone || st.At.IsZero() || st.At.Before(prev) {
					t.Errorf("step %d %+v: want done, in order", i, st)
				}
				prev = st.At
			case i == done:
				if st.Status != utility.StepCurrent {
					t.Errorf("step %d %+v: want current", i, st)
				}
			default:
				if st.Status != utility.StepPending {
					t.Errorf("step %d %+v: want pending", i, st)
				}
			}
		}
	}
	t.Run("finished on time", func(t *testing.T) {
		f.citizen(0)
		p := myApplication(t, f.k, utility.Electricity).Progress
		if p.State != utility.StateDone || p.StateName != "已办结" || p.OnTime == nil || !*p.OnTime || p.DoneAt.IsZero() || p.DoneAt.After(p.Deadline) {
			t.Fatalf("progress %+v", p)
		}
		if p.WorkingDays != 2 || len(p.Steps) != 2 || !p.Deadline.After(p.AcceptedAt) {
			t.Fatalf("low-voltage 增容: %d working days, %d steps, deadline %v", p.WorkingDays, len(p.Steps), p.Deadline)
		}
		steps(t, p, len(p.Steps))
	})
	t.Run("past its deadline", func(t *testing.T) {
		f.citizen(6)
		p := myApplication(t, f.k, utility.Electricity).Progress
		if !p.Late() || p.State == utility.StateDone || !p.Deadline.Before(now) {
			t.Fatalf("progress %+v", p)
		}
		steps(t, p, 1)
	})
	t.Run("advanced by the utility", func(t *testing.T) {
		f.citizen(5)
		r := submitForm(t, applyFor(t, f.k, nil, jointOf(t, f.k, catalog.JointConnection, utility.Water)...))
		part := r.Answers[0]
		if part.Acceptance == nil {
			t.Fatalf("water: %+v", part)
		}
		acc := part.Acceptance
		for done := 1; done <= len(acc.Steps); done++ {
			got, err := findOne(f.k, part.Reference)
			if err != nil {
				t.Fatal(err)
			}
			p := got.Progress
			if p.WorkingDays != acc.WorkingDays || !p.Deadline.Equal(acc.Deadline) || p.OnTime == nil || !*p.OnTime || len(p.Steps) != len(acc.Steps) {
				t.Fatalf("after %d steps: %+v (accepted %+v)", done, p, acc)
			}
			steps(t, p, done)
			switch {
			case done == 1 && p.State != utility.StateAccepted:
				t.Fatalf("just accepted: state %q", p.State)
			case done > 1 && done < len(p.Steps) && (p.State != utility.StateInProgress || p.StateName != "办理中"):
				t.Fatalf("after %d steps: state %q %q", done, p.State, p.StateName)
			case done == len(p.Steps) && (p.State != utility.StateDone || p.DoneAt.IsZero()):
				t.Fatalf("finished: state %q, done at %v", p.State, p.DoneAt)
			}
			if done < len(acc.Steps) {
				if _, err := f.sims.Advance(utility.Water, part.Reference); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

// 好差评 of a finished application reaches the utility through the outbox exactly once,
// answered on the spot; the application then shows as rated. A second rating is not
// sent in the same visit; given in a later one, the utility refuses it (the citizen is
// told so in its words).
func TestRateDeliveredOnce(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	f.citizen(0)
	a := myApplication(t, f.k, utility.Electricity)
	if a.Progress.Evaluated {
		t.Fatal("rated before")
	}
	res, err := f.k.Rate(context.Background(), a, utility.VerySatisfied, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Answered() || res.Err != nil || !kioskRefRE.MatchString(res.KioskRef) || !strings.HasPrefix(res.UtilityRef, "PJ") {
		t.Fatalf("rating %+v", res)
	}
	if rc, err := res.Answer.EvaluationReceipt(); err != nil || rc.Reference != res.UtilityRef {
		t.Fatalf("receipt %+v %v", rc, err)
	}
	if n := receivedCount(t, f.sims, utility.Electricity, utility.KindEvaluation, ""); n != 1 {
		t.Fatalf("the utility received %d ratings", n)
	}
	if got := myApplication(t, f.k, utility.Electricity); !got.Progress.Evaluated {
		t.Fatal("not shown as rated")
	}
	if _, err := f.k.Rate(context.Background(), a, utility.Satisfied, nil); !errors.Is(err, app.ErrAlreadyRated) {
		t.Fatalf("second rating in the visit: %v", err)
	}
	// In a later visit, from a timeline shown before the first rating reached the utility:
	// the utility refuses it.
	f.citizen(0)
	again, err := f.k.Rate(context.Background(), a, utility.Satisfied, nil)
	if err != nil || again.Err == nil || f.k.CitizenMessage(again.Err, utility.Electricity) != "该办件已评价，感谢您的反馈" {
		t.Fatalf("second rating %+v %v", again, err)
	}
	// Refused as already done: closed by the kiosk, not a dead letter for staff.
	if dead, err := f.k.Outbox.DeadLetters(); err != nil || len(dead) != 0 || again.State != outbox.Closed {
		t.Fatalf("second rating %s; dead letters %+v %v", again.State, dead, err)
	}
	if n := receivedCount(t, f.sims, utility.Electricity, utility.KindEvaluation, ""); n != 1 {
		t.Fatalf("the utility received %d ratings", n)
	}
}

// A second rating of the same application in one visit, given while the first is still
// on its way (the citizen went back to the timeline, which offered 评价 again, and rated
// anew), is not sent: the utility would refuse it as already done while the citizen was
// told it was saved. The visit knows the application is rated from the moment the first
// rating is given; one that could not be stored leaves it to be rated again.
func TestRateOnceInAVisit(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	f.citizen(0)
	a := myApplication(t, f.k, utility.Electricity)
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Down: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := make(chan outbox.Result, 1)
	go func() {
		r, err := f.k.Rate(ctx, a, utility.VerySatisfied, nil)
		if err != nil {
			t.Error(err)
		}
		first <- r
	}()
	awaitCond(t, "the first rating stored", func() bool { return f.k.Outbox.Pending()[utility.Electricity] == 1 })
	if !f.k.Rated(a) {
		t.Fatal("a rating on its way is not remembered: the timeline offers 评价 again")
	}
	again, err := f.k.Rate(context.Background(), a, utility.Dissatisfied, []string{"办理太慢"})
	if !errors.Is(err, app.ErrAlreadyRated) || again.KioskRef != "" {
		t.Fatalf("second rating in the visit: %+v, %v", again, err)
	}
	if n := f.k.Outbox.Pending()[utility.Electricity]; n != 1 {
		t.Fatalf("%d ratings stored", n)
	}
	cancel()
	r := <-first
	k, _ := f.backAfterOutage(utility.Electricity, r.KioskRef, false)
	if n := receivedCount(t, f.sims, utility.Electricity, utility.KindEvaluation, ""); n != 1 {
		t.Fatalf("the utility received %d ratings", n)
	}
	if dead, err := k.Outbox.DeadLetters(); err != nil || len(dead) != 0 {
		t.Fatalf("dead letters %+v %v", dead, err)
	}
}

// A rating given while the utility is down is saved (stored, not answered, no error)
// and delivered exactly once when the utility is back, also when the kiosk was stopped
// and started again in between.
func TestRateWhileUtilityDown(t *testing.T) {
	t.Parallel()
	for _, c := range backUp {
		restart := c.restart
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFlows(t, utilitysim.Options{})
			f.citizen(0)
			a := myApplication(t, f.k, utility.Electricity)
			setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Down: true})
			// The citizen need not wait the whole 5 s: the rating is stored first.
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			res, err := f.k.Rate(ctx, a, utility.Dissatisfied, []string{"办理太慢"})
			cancel()
			if err != nil || res.Answered() || res.Err != nil || !kioskRefRE.MatchString(res.KioskRef) {
				t.Fatalf("rating while down: %+v %v", res, err)
			}
			if st, err := f.k.Outbox.Status(res.KioskRef); err != nil || st.State != outbox.Pending || st.Kind != utility.KindEvaluation {
				t.Fatalf("saved rating %+v %v", st, err)
			}
			// The visit knows, though the utility does not yet: no second rating is offered.
			if a.Progress.Evaluated || !f.k.Rated(a) {
				t.Fatal("a rating on its way is not remembered in the visit")
			}
			if _, err := f.k.FindApplication(context.Background(), res.KioskRef); !errors.Is(err, app.ErrApplicationNotFound) {
				t.Fatalf("the rating's reference found as an application: %v", err)
			}
			k, st := f.backAfterOutage(utility.Electricity, res.KioskRef, restart)
			if n := receivedCount(t, f.sims, utility.Electricity, utility.KindEvaluation, ""); n != 1 || !strings.HasPrefix(st.UtilityRef, "PJ") {
				t.Fatalf("the utility received %d ratings; bound to %q", n, st.UtilityRef)
			}
			got, err := findOne(k, a.Progress.Reference)
			if err != nil || !got.Progress.Evaluated {
				t.Fatalf("not shown as rated: %+v %v", got, err)
			}
		})
	}
}

// A rating that the protocol does not allow is refused at the kiosk before anything is
// stored: a level outside 1–5, or 不满意 / 非常不满意 without a reason (docs/utility-api.md:
// "levels 1 and 2 need at least one reason"), whether or not the utility is up; were it
// stored while the utility is down, the citizen would be told it was saved and it would
// end as a dead letter. A low level with a reason goes through.
func TestRateLowLevelNeedsReason(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	f.citizen(0)
	a := myApplication(t, f.k, utility.Electricity)
	for _, tc := range []struct {
		name     string
		level    utility.Level
		reasons  []string
		down     bool
		noReason bool // refused with ErrReasonRequired
	}{
		{"不满意 without a reason", utility.Dissatisfied, nil, false, true},
		{"非常不满意 with an empty list", utility.VeryDissatisfied, []string{}, false, true},
		{"不满意 without a reason, utility down", utility.Dissatisfied, nil, true, true},
		{"level 0", 0, []string{"办理太慢"}, false, false},
		{"level 6", 6, nil, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.down {
				setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Down: true})
				defer setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{})
			}
			res, err := f.k.Rate(context.Background(), a, tc.level, tc.reasons)
			if err == nil || res.KioskRef != "" || errors.Is(err, app.ErrReasonRequired) != tc.noReason {
				t.Fatalf("rating %+v: %v", res, err)
			}
			for _, state := range []outbox.State{outbox.Pending, outbox.Done, outbox.Dead} {
				if st, _ := f.k.Outbox.List(state, 0); len(st) != 0 {
					t.Fatalf("stored: %+v", st)
				}
			}
		})
	}
	t.Run("非常不满意 with a reason", func(t *testing.T) {
		res, err := f.k.Rate(context.Background(), a, utility.VeryDissatisfied, []string{"办理太慢", "多次跑腿"})
		if err != nil || !res.Answered() || res.Err != nil {
			t.Fatalf("rating %+v %v", res, err)
		}
		if n := receivedCount(t, f.sims, utility.Electricity, utility.KindEvaluation, res.KioskRef); n != 1 {
			t.Fatalf("the utility received it %d times", n)
		}
	})
}

// A deadline later than the committed working days is a day the citizen chose.
func TestChosenDate(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	accepted := time.Date(2026, 11, 25, 10, 0, 0, 0, workdays.CST) // a Wednesday
	committed := f.k.Calendar.Deadline(accepted, 2)
	for _, tc := range []struct {
		deadline time.Time
		chosen   bool
	}{
		{committed, false},
		{committed.AddDate(0, 0, -1), false},
		{committed.AddDate(0, 0, 7), true},
	} {
		if got := f.k.ChosenDate(2, accepted, tc.deadline); got != tc.chosen {
			t.Errorf("deadline %s: chosen %v, want %v", tc.deadline.Format(time.DateOnly), got, tc.chosen)
		}
	}
	if f.k.ChosenDate(2, time.Time{}, committed.AddDate(0, 0, 7)) {
		t.Error("no acceptance time: nothing to compare with")
	}
}

// A 过户 the utility has not answered yet is found by the kiosk reference its receipt
// prints (待分配（凭本机编号…查询）), as an application is.
func TestTrackQueuedTransfer(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	f.citizen(5)
	setFaults(t, f.sims, utility.Water, utilitysim.Faults{Down: true})
	r := submitForm(t, applyFor(t, f.k, map[string]string{"water.account": utilitysim.AccountNumber(utility.Water, 1)},
		jointOf(t, f.k, catalog.JointTransfer, utility.Water)...))
	kref := r.Answers[0].KioskRef
	if r.Answers[0].Reference != "" || !kioskRefRE.MatchString(kref) {
		t.Fatalf("a transfer while water is down: %+v", r.Answers[0])
	}
	got, err := findOne(f.k, kref)
	if err != nil || !got.Waiting || got.Utility != utility.Water {
		t.Fatalf("the queued transfer %s: %+v, %v", kref, got, err)
	}
	// Back up, the utility refuses it: the number says so, in the utility's words, and
	// no longer that the utility has yet to answer.
	const refusal = "该户号正在办理其他业务，暂不能过户"
	setFaults(t, f.sims, utility.Water, utilitysim.Faults{Refuse: refusal})
	pollUntil(t, outageWait, "the refusal", func() bool {
		st, err := f.k.Outbox.Status(kref)
		return err == nil && st.State == outbox.Dead
	})
	got, err = findOne(f.k, kref)
	if err != nil || got.Waiting || got.Refused != refusal {
		t.Fatalf("the refused transfer %s: %+v, %v", kref, got, err)
	}
}

// jointParts looks up the parts of a joint application by its 联办编号 and waits for
// every utility asked.
func jointParts(t *testing.T, k *app.Kiosk, ref string) ([]app.JointPart, error) {
	t.Helper()
	l, err := k.StartJointLookup(k.EnsureSession(), ref)
	if err != nil {
		return nil, err
	}
	awaitLookup(t, l)
	return l.Parts(), nil
}

// A joint application is found by its 联办编号, in a visit without a card too: each
// part, answered (its progress from its utility), still waiting (its kiosk reference)
// or refused (the utility's words), in the order submitted; a 联办编号 this kiosk has no
// parts of is ErrJointRef, and a number that is not one ErrApplicationNotFound.
func TestTrackJointApplication(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	f.citizen(5)
	setFaults(t, f.sims, utility.Gas, utilitysim.Faults{Down: true})
	const refusal = "该地址暂未开通宽带"
	setFaults(t, f.sims, utility.Broadband, utilitysim.Faults{Refuse: refusal})
	r := submitForm(t, applyFor(t, f.k, nil, jointOf(t, f.k, catalog.JointConnection, utility.Water, utility.Gas, utility.Broadband)...))
	if r.JointRef == "" {
		t.Fatal("no 联办编号")
	}
	f.k.Exit()
	f.k.EnsureSession() // typed in by someone without a card
	parts, err := jointParts(t, f.k, strings.ToLower(r.JointRef))
	if err != nil || len(parts) != 3 {
		t.Fatalf("parts of %s: %+v, %v", r.JointRef, parts, err)
	}
	for i, id := range []string{utility.Water, utility.Gas, utility.Broadband} {
		if p := parts[i]; p.Utility != id || p.State != app.Found || p.Application.Utility != id {
			t.Errorf("part %d: %+v, want %s found", i, p, id)
		}
	}
	water, gas, bb := parts[0].Application, parts[1].Application, parts[2].Application
	if water.Waiting || water.Progress.Reference == "" || water.Progress.Reference != partsByUtility(t, r)[utility.Water].Reference {
		t.Errorf("water: %+v", water)
	}
	if !gas.Waiting || gas.Progress.KioskRef != partsByUtility(t, r)[utility.Gas].KioskRef {
		t.Errorf("gas, down: %+v", gas)
	}
	if bb.Waiting || bb.Refused != refusal {
		t.Errorf("broadband, refused: %+v", bb)
	}
	if _, err := f.k.StartJointLookup(f.k.EnsureSession(), "J2611251730120042"); !errors.Is(err, app.ErrJointRef) {
		t.Errorf("another kiosk's 联办编号: %v", err)
	}
	if _, err := f.k.StartJointLookup(f.k.EnsureSession(), water.Progress.Reference); !errors.Is(err, app.ErrApplicationNotFound) {
		t.Errorf("a utility's number as a 联办编号: %v", err)
	}
}

// The parts of a joint application fill in as their utilities answer, each in its
// place: a part the utility has not given a number (power, down when it was submitted)
// is listed at once with its kiosk reference; a fast utility's (water) part is listed
// while a slow one's (gas, slower than its timeout) is still Loading; the slow one and
// one that fails (broadband, every request refused with 503) end Unavailable, and
// 重新查询 asks each alone again once it is back.
func TestTrackJointApplicationFill(t *testing.T) {
	t.Parallel()
	f := newFlowsConfigured(t, utilitysim.Options{}, func(c *config.Config) {
		gas, _ := c.Utilities.ByID(utility.Gas)
		gas.Timeout.Duration = 2 * time.Second
	})
	f.citizen(5)
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Down: true})
	r := submitForm(t, applyFor(t, f.k, map[string]string{"electricity.voltage": "low"},
		jointOf(t, f.k, catalog.JointConnection, allUtilities...)...))
	submitted := partsByUtility(t, r)
	setFaults(t, f.sims, utility.Gas, utilitysim.Faults{LatencyMS: 60000})
	setFaults(t, f.sims, utility.Broadband, utilitysim.Faults{ErrorRate: 1})

	states := func(parts []app.JointPart) map[string]app.LookupState {
		out := map[string]app.LookupState{}
		for _, p := range parts {
			out[p.Utility] = p.State
		}
		return out
	}
	var mu sync.Mutex
	var seen [][]app.JointPart
	ready := make(chan struct{})
	var l *app.JointLookup
	f.k.OnLookup(func() {
		<-ready
		mu.Lock() // a snapshot taken before another's is kept before it
		seen = append(seen, l.Parts())
		mu.Unlock()
	})
	l, err := f.k.StartJointLookup(f.k.Sessions.Current(), r.JointRef)
	if err != nil {
		t.Fatal(err)
	}
	first := l.Parts()
	close(ready)
	if got, ok := f.k.SessionJointLookup(strings.ToLower(r.JointRef)); !ok || got != l {
		t.Fatal("the look-up is not kept in the visit")
	}
	power := first[0].Application
	if first[0].State != app.Found || !power.Waiting || power.Progress.KioskRef != submitted[utility.Electricity].KioskRef {
		t.Fatalf("power's part, without its utility's number, at once: %+v", first[0])
	}
	if want := map[string]app.LookupState{utility.Electricity: app.Found, utility.Water: app.Loading, utility.Gas: app.Loading,
		utility.Broadband: app.Loading}; !maps.Equal(states(first), want) {
		t.Fatalf("at once: %v, want %v", states(first), want)
	}
	awaitLookup(t, l)
	final := l.Parts()
	if want := map[string]app.LookupState{utility.Electricity: app.Found, utility.Water: app.Found, utility.Gas: app.Unavailable,
		utility.Broadband: app.Unavailable}; !maps.Equal(states(final), want) {
		t.Fatalf("at the end: %v, want %v", states(final), want)
	}
	if w := final[1].Application; w.Progress.Reference != submitted[utility.Water].Reference || w.Waiting {
		t.Fatalf("water's part: %+v", w)
	}
	mu.Lock()
	all := append([][]app.JointPart{first}, seen...)
	mu.Unlock()
	waterWhileGasLoads := false
	var lists []map[string]app.LookupState
	for _, parts := range all {
		var order []string
		for _, p := range parts {
			order = append(order, p.Utility)
		}
		if !slices.Equal(order, allUtilities) {
			t.Errorf("parts listed %v, want each in its place %v", order, allUtilities)
		}
		st := states(parts)
		lists = append(lists, st)
		waterWhileGasLoads = waterWhileGasLoads || st[utility.Water] == app.Found && st[utility.Gas] == app.Loading
	}
	if !waterWhileGasLoads {
		t.Errorf("water's part never listed while gas's loaded (0 Loading, 1 Found, 2 Unavailable): %v", lists)
	}

	if f.k.RetryJoint(r.JointRef, utility.Water) {
		t.Error("asked again a utility that answered")
	}
	for _, id := range []string{utility.Gas, utility.Broadband} {
		// Back, and slow to answer: the part is seen Loading before its answer comes
		// (on loopback, answered at once, it once was Found by the time it was looked at).
		setFaults(t, f.sims, id, utilitysim.Faults{LatencyMS: 1000})
		if !f.k.RetryJoint(strings.ToLower(r.JointRef), id) {
			t.Fatalf("%s not asked again", id)
		}
		if f.k.RetryJoint(r.JointRef, id) {
			t.Errorf("%s: a second tap asked again while the first asks", id)
		}
		if st := states(l.Parts())[id]; st != app.Loading {
			t.Fatalf("%s asked again: %v, want Loading", id, st)
		}
		awaitCond(t, id+" answering again", func() bool { return states(l.Parts())[id] != app.Loading })
		i := slices.Index(allUtilities, id)
		if p := l.Parts()[i]; p.State != app.Found || p.Application.Progress.Reference != submitted[id].Reference {
			t.Errorf("%s after 重新查询: %+v", id, p)
		}
	}
}

// A part of a joint application the kiosk cannot look up for good is told apart from
// one whose utility fails a moment: gas's part, its utility answering that it has no
// application under the part's number (its back end replaced by one that has none of
// them), is NotFound and not asked again; broadband's, its utility no longer enabled at
// this kiosk (configuration changed between submission and look-up), is Disabled and
// not asked; each keeps its numbers and its utility's hotline. Water's, its utility
// down, is Unavailable and asked again (重新查询).
func TestTrackJointApplicationGoneParts(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	f.citizen(5)
	r := submitForm(t, applyFor(t, f.k, nil, jointOf(t, f.k, catalog.JointConnection, utility.Water, utility.Gas, utility.Broadband)...))
	submitted := partsByUtility(t, r)
	for id, p := range submitted {
		if p.Reference == "" || p.KioskRef == "" {
			t.Fatalf("%s's part has no number: %+v", id, p)
		}
	}
	if err := f.k.Close(); err != nil {
		t.Fatal(err)
	}
	other, err := utilitysim.Start(utilitysim.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	f.moved = map[string]string{utility.Gas: other.BaseURL(utility.Gas)}
	f.tweak = func(c *config.Config) { c.Utilities.Broadband.Enabled = false }
	f.k = f.start()
	setFaults(t, f.sims, utility.Water, utilitysim.Faults{Down: true})

	parts, err := jointParts(t, f.k, r.JointRef)
	if err != nil || len(parts) != 3 {
		t.Fatalf("the parts of %s: %+v, %v", r.JointRef, parts, err)
	}
	for i, want := range []struct {
		utility            string
		notFound, disabled bool
		hotline            string // as the utilities' catalogues publish them
	}{
		{utility.Water, false, false, "0711-5123456"},
		{utility.Gas, true, false, "0711-5987654"},
		{utility.Broadband, false, true, "10000"},
	} {
		p, sub := parts[i], submitted[want.utility]
		if p.Utility != want.utility || p.State != app.Unavailable || p.NotFound != want.notFound || p.Disabled != want.disabled ||
			p.Reference != sub.Reference || p.KioskRef != sub.KioskRef || p.Hotline != want.hotline {
			t.Errorf("part %d: %+v, want %+v with the numbers %s and %s", i, p, want, sub.Reference, sub.KioskRef)
		}
	}
	for _, id := range []string{utility.Gas, utility.Broadband} {
		if f.k.RetryJoint(r.JointRef, id) {
			t.Errorf("%s's part asked again", id)
		}
	}
	setFaults(t, f.sims, utility.Water, utilitysim.Faults{})
	if !f.k.RetryJoint(r.JointRef, utility.Water) {
		t.Fatal("water's part, its utility down a moment, not asked again")
	}
	l, _ := f.k.SessionJointLookup(r.JointRef)
	awaitCond(t, "water answering again", func() bool { return l.Parts()[0].State != app.Loading })
	if p := l.Parts()[0]; p.State != app.Found || p.Application.Progress.Reference != submitted[utility.Water].Reference {
		t.Errorf("water's part after 重新查询: %+v", p)
	}
	if p := l.Parts()[1]; !p.NotFound || p.State != app.Unavailable {
		t.Errorf("gas's part after water's 重新查询: %+v", p)
	}
}

// "我的办件" by ID card lists, besides what the utilities list, the applications this
// kiosk submitted for the citizen that no utility lists yet: one waiting for its utility
// (down) with its kiosk reference, one the utility refused (its words); once the utility
// has it, it is listed once, as the utility's. Another citizen sees none of them.
func TestTrackMyApplicationsOwnRequests(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	f.citizen(5) // 陈建国: no applications at any utility yet
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Down: true})
	const refusal = "该地址暂不具备通气条件"
	setFaults(t, f.sims, utility.Gas, utilitysim.Faults{Refuse: refusal})
	r := submitForm(t, applyFor(t, f.k, map[string]string{"electricity.voltage": "low"},
		jointOf(t, f.k, catalog.JointConnection, utility.Electricity, utility.Water, utility.Gas)...))
	parts := partsByUtility(t, r)
	power := parts[utility.Electricity]
	if power.Reference != "" || parts[utility.Gas].Refused != refusal || parts[utility.Water].Reference == "" {
		t.Fatalf("parts %+v", r.Answers)
	}
	mine := func(t *testing.T) (map[string][]app.Application, []string) {
		t.Helper()
		res, err := f.k.MyApplications(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		by := map[string][]app.Application{}
		for _, a := range res.Applications {
			by[a.Utility] = append(by[a.Utility], a)
		}
		return by, res.Unavailable
	}
	by, unavailable := mine(t)
	for _, tc := range []struct {
		utility string
		ok      func(a app.Application) bool
	}{
		{utility.Electricity, func(a app.Application) bool {
			return a.Waiting && a.Refused == "" && a.Progress.KioskRef == power.KioskRef && a.Progress.Reference == "" &&
				a.Progress.Service == "new_connection" && a.Progress.ServiceName == "新装（报装）" // from what was submitted
		}},
		{utility.Water, func(a app.Application) bool {
			return !a.Waiting && a.Progress.Reference == parts[utility.Water].Reference
		}},
		{utility.Gas, func(a app.Application) bool {
			return a.Refused == refusal && a.Progress.KioskRef == parts[utility.Gas].KioskRef
		}},
	} {
		if got := by[tc.utility]; len(got) != 1 || !tc.ok(got[0]) {
			t.Errorf("%s: %+v", tc.utility, got)
		}
	}
	if !slices.Equal(unavailable, []string{utility.Electricity}) {
		t.Errorf("unavailable %v", unavailable)
	}

	f.citizen(0) // 张三 sees his own, not 陈建国's
	by, _ = mine(t)
	for _, list := range by {
		for _, a := range list {
			if a.Waiting || a.Refused != "" {
				t.Errorf("another citizen's application listed: %+v", a)
			}
		}
	}

	f.citizen(5)
	f.backAfterOutage(utility.Electricity, power.KioskRef, false)
	by, unavailable = mine(t)
	if got := by[utility.Electricity]; len(got) != 1 || got[0].Waiting || !strings.HasPrefix(got[0].Progress.Reference, "DL") ||
		got[0].Progress.KioskRef != power.KioskRef || len(unavailable) != 0 {
		t.Errorf("electricity once delivered: %+v (unavailable %v)", got, unavailable)
	}
}

// A citizen withdraws, by their ID card, an application of theirs the kiosk holds while
// its utility is down: it is listed as withdrawn and never sent. Another citizen cannot
// withdraw it, nor can anyone who types its number; one the utility has is not
// withdrawable, and a withdrawn one not again. Its joint application's 联办进度 lists
// it withdrawn.
func TestWithdrawOwnApplication(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	f.citizen(5) // 陈建国
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Down: true})
	r := submitForm(t, applyFor(t, f.k, map[string]string{"electricity.voltage": "low"},
		jointOf(t, f.k, catalog.JointConnection, utility.Electricity, utility.Water)...))
	parts := partsByUtility(t, r)
	power := parts[utility.Electricity]
	mine := func(t *testing.T) map[string]app.Application {
		t.Helper()
		res, err := f.k.MyApplications(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		by := map[string]app.Application{}
		for _, a := range res.Applications {
			by[a.Utility] = a
		}
		return by
	}
	by := mine(t)
	if a := by[utility.Electricity]; !a.Waiting || !a.Withdrawable || a.Progress.KioskRef != power.KioskRef {
		t.Fatalf("electricity, waiting: %+v", a)
	}
	if a := by[utility.Water]; a.Withdrawable || a.Progress.Reference == "" {
		t.Fatalf("water, accepted: %+v", a)
	}
	if typed, err := findOne(f.k, power.KioskRef); err != nil || !typed.Waiting || typed.Withdrawable {
		t.Fatalf("found by its number: %+v, %v", typed, err)
	}
	if err := f.k.Withdraw(context.Background(), by[utility.Water]); err == nil {
		t.Error("withdrew an application its utility has")
	}

	f.citizen(0) // 张三
	if err := f.k.Withdraw(context.Background(), by[utility.Electricity]); err == nil || errors.Is(err, app.ErrNotWithdrawn) {
		t.Errorf("another citizen withdrew it: %v", err)
	}
	f.k.Exit()
	if err := f.k.Withdraw(context.Background(), by[utility.Electricity]); !errors.Is(err, app.ErrNoSession) {
		t.Errorf("with no visit: %v", err)
	}

	f.citizen(5)
	if err := f.k.Withdraw(context.Background(), by[utility.Electricity]); err != nil {
		t.Fatal(err)
	}
	if a := mine(t)[utility.Electricity]; !a.Withdrawn || a.Waiting || a.Withdrawable || a.Refused != "" {
		t.Errorf("electricity, withdrawn: %+v", a)
	}
	if err := f.k.Withdraw(context.Background(), by[utility.Electricity]); !errors.Is(err, app.ErrNotWithdrawn) {
		t.Errorf("withdrawn twice: %v", err)
	}
	evs, err := f.k.Journal.ByRef(power.KioskRef)
	if err != nil || evs[len(evs)-1].Kind != journal.RequestWithdrawn {
		t.Fatalf("journaled: %+v, %v", evs, err)
	}
	if st, err := f.k.Outbox.Status(power.KioskRef); err != nil || st.State != outbox.Closed {
		t.Fatalf("in the outbox: %+v, %v", st, err)
	}
	// Staff read why, naming no one: the citizen did it.
	closed, err := (&staff.Local{Store: f.k.Store, Journal: f.k.Journal, Outbox: f.k.Outbox}).Requests(context.Background(), outbox.Closed, 0)
	if i := slices.IndexFunc(closed, func(r staff.Request) bool { return r.KioskRef == power.KioskRef }); err != nil || i < 0 || closed[i].Why != staff.Withdrawn {
		t.Errorf("closed requests as staff see them: %+v, %v", closed, err)
	}
	// 联办进度, typed in by anyone, lists the withdrawn part as withdrawn, in its place
	// beside the part its utility has, and offers no one to withdraw anything.
	f.k.Exit()
	jp, err := jointParts(t, f.k, r.JointRef)
	if err != nil || len(jp) != 2 {
		t.Fatalf("the parts of %s: %+v, %v", r.JointRef, jp, err)
	}
	if p := jp[0]; p.Utility != utility.Electricity || p.State != app.Found || !p.Application.Withdrawn || p.Application.Waiting ||
		p.Application.Withdrawable || p.Application.Progress.KioskRef != power.KioskRef {
		t.Errorf("electricity's part, withdrawn: %+v", p)
	}
	if p := jp[1]; p.Utility != utility.Water || p.State != app.Found || p.Application.Progress.Reference != parts[utility.Water].Reference {
		t.Errorf("water's part: %+v", p)
	}
}

// 我的办件 fills in as the utilities answer, as the accounts do: this kiosk's own
// application its utility has not had (electricity, down) is listed before any utility
// answers; a slow utility (gas) is Loading while the others' applications are listed; one
// down (water) is Unavailable until 重新查询 asks it alone again. An answer only puts its
// applications among those listed: every list on the way is the final one with some
// applications left out, never in another order.
func TestTrackMyApplicationsFill(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults map[string]utilitysim.Faults
		// slow must still be Loading in some list where every other utility answered.
		slow string
		// down is Unavailable at the end, then asked again once it is back.
		down string
	}{
		{name: "all answer"},
		{name: "gas slow", faults: map[string]utilitysim.Faults{utility.Gas: {LatencyMS: 2000}}, slow: utility.Gas},
		{name: "water down", faults: map[string]utilitysim.Faults{utility.Water: {Down: true}}, down: utility.Water},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlows(t, utilitysim.Options{})
			f.citizen(5) // 陈建国: no applications anywhere; applies at all four, electricity down
			setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Down: true})
			parts := partsByUtility(t, submitForm(t, applyFor(t, f.k, map[string]string{"electricity.voltage": "low"},
				jointOf(t, f.k, catalog.JointConnection, allUtilities...)...)))
			for id, fl := range tc.faults {
				setFaults(t, f.sims, id, fl)
			}
			key := func(a app.Application) string {
				return a.Utility + "/" + a.Progress.Reference + "/" + a.Progress.KioskRef
			}
			keys := func(r app.ApplicationsResult) []string {
				var out []string
				for _, a := range r.Applications {
					out = append(out, key(a))
				}
				return out
			}
			own := key(app.Application{Utility: utility.Electricity, Progress: utility.Progress{KioskRef: parts[utility.Electricity].KioskRef}})

			var mu sync.Mutex
			var lists []app.ApplicationsResult
			ready := make(chan struct{})
			var l *app.MyApplicationsLookup
			f.k.OnLookup(func() {
				<-ready
				r := l.Result()
				mu.Lock()
				lists = append(lists, r)
				mu.Unlock()
			})
			l, err := f.k.StartApplicationLookup()
			if err != nil {
				t.Fatal(err)
			}
			first := l.Result()
			close(ready)
			if !slices.Contains(keys(first), own) {
				t.Fatalf("this kiosk's own waiting application is not listed at once: %v", keys(first))
			}
			awaitLookup(t, l)
			final := l.Result()
			want := []string{own}
			for _, id := range allUtilities[1:] {
				if id != tc.down {
					want = append(want, key(app.Application{Utility: id, Progress: utility.Progress{Reference: parts[id].Reference, KioskRef: parts[id].KioskRef}}))
				}
			}
			// One joint application: accepted in the same minute, in the utilities' order.
			if !slices.Equal(keys(final), want) {
				t.Fatalf("listed %v, want %v", keys(final), want)
			}
			unavailable := []string{utility.Electricity}
			if tc.down != "" {
				unavailable = append(unavailable, tc.down)
			}
			if !slices.Equal(final.Unavailable, unavailable) || len(final.Loading) != 0 {
				t.Fatalf("unavailable %v (want %v), loading %v", final.Unavailable, unavailable, final.Loading)
			}
			mu.Lock()
			seen := append([]app.ApplicationsResult{first}, lists...)
			mu.Unlock()
			slowSeen := false
			for _, r := range seen {
				if !subsequence(keys(r), keys(final)) {
					t.Errorf("on the way %v, at the end %v: not in the same order", keys(r), keys(final))
				}
				slowSeen = slowSeen || tc.slow != "" && slices.Equal(r.Loading, []string{tc.slow}) && len(r.Applications) == len(final.Applications)-1
			}
			if tc.slow != "" && !slowSeen {
				t.Errorf("no list with only %s Loading and the others' applications: %+v", tc.slow, lists)
			}
			if tc.down == "" {
				if f.k.RetryApplications(utility.Water) {
					t.Error("asked again a utility that answered")
				}
				return
			}
			setFaults(t, f.sims, tc.down, utilitysim.Faults{})
			if !f.k.RetryApplications(tc.down) {
				t.Fatal("not asked again")
			}
			if f.k.RetryApplications(tc.down) {
				t.Error("a second tap asked again while the first asks")
			}
			if r := l.Result(); !slices.Contains(r.Loading, tc.down) || slices.Contains(r.Unavailable, tc.down) {
				t.Fatalf("asked again: loading %v, unavailable %v", r.Loading, r.Unavailable)
			}
			deadline := time.Now().Add(flowPatience)
			for len(l.Result().Loading) > 0 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			r := l.Result()
			if len(r.Applications) != len(final.Applications)+1 || !subsequence(keys(final), keys(r)) || !slices.Equal(r.Unavailable, []string{utility.Electricity}) {
				t.Fatalf("after 重新查询: %v, unavailable %v, loading %v", keys(r), r.Unavailable, r.Loading)
			}
		})
	}
}

// subsequence reports whether part is whole with some elements left out, in its order.
func subsequence(part, whole []string) bool {
	i := 0
	for _, w := range whole {
		if i < len(part) && part[i] == w {
			i++
		}
	}
	return i == len(part)
}

// A 联办编号 typed as the kiosk closes (the tap's work runs after Close began) opens no
// visit: EnsureSession's session has ended already, the look-up is refused, and no
// session event reaches the screen that is going away, however long the clock runs
// on; nothing is written to the closed journal either.
func TestTrackJointApplicationAfterClose(t *testing.T) {
	t.Parallel()
	c := clock.NewManual(time.Date(2026, 11, 27, 10, 0, 0, 0, time.Local))
	f := newFlowsAt(t, utilitysim.Options{}, nil, c)
	f.citizen(5)
	r := submitForm(t, applyFor(t, f.k, nil, jointOf(t, f.k, catalog.JointConnection, utility.Water, utility.Gas)...))
	f.k.Exit()
	var mu sync.Mutex
	var late []session.Event
	closed := false
	f.k.OnSession(func(e session.Event) {
		mu.Lock()
		defer mu.Unlock()
		if closed {
			late = append(late, e)
		}
	})
	if err := f.k.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	closed = true
	mu.Unlock()
	warnedBefore := f.warned.String()
	s := f.k.EnsureSession()
	if !s.Wiped() || f.k.Sessions.Current() != nil {
		t.Errorf("a visit opened after Close: %s", s.ID)
	}
	if l, err := f.k.StartJointLookup(s, r.JointRef); err == nil {
		t.Errorf("a look-up started after Close: %+v", l.Parts())
	}
	c.Advance(time.Hour)
	mu.Lock()
	defer mu.Unlock()
	if len(late) > 0 {
		t.Errorf("session events after Close: %+v", late)
	}
	if w := strings.TrimPrefix(f.warned.String(), warnedBefore); strings.Contains(w, "journal") {
		t.Errorf("written to the closed journal:\n%s", w)
	}
}

// A 联办编号 typed in a visit without a card is looked up in that visit: a card placed
// meanwhile (the next citizen's visit, opened while the tap's work was on its way) gets
// nothing of it. The look-up is refused, and the card holder's visit keeps no look-up of
// it, asking no utility on their time.
func TestTrackJointApplicationVisitEnded(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	f.citizen(5)
	r := submitForm(t, applyFor(t, f.k, nil, jointOf(t, f.k, catalog.JointConnection, utility.Water, utility.Gas)...))
	f.k.Exit()
	typedIn := f.k.EnsureSession() // the visit without a card that typed the 联办编号
	next := f.citizen(1)           // a card placed before the look-up starts
	if l, err := f.k.StartJointLookup(typedIn, r.JointRef); !errors.Is(err, app.ErrNoSession) {
		t.Errorf("looked up for a visit that has ended: %v", err)
		if l != nil {
			l.Wipe()
		}
	}
	if _, ok := f.k.SessionJointLookup(r.JointRef); ok || next.Len() != 1 { // its identity
		t.Errorf("the next visit holds %d values, a look-up of the 联办编号: %v", next.Len(), ok)
	}
	// In its own visit, the look-up goes on as ever.
	if l, err := f.k.StartJointLookup(next, r.JointRef); err != nil {
		t.Fatal(err)
	} else if got, ok := f.k.SessionJointLookup(r.JointRef); !ok || got != l {
		t.Error("the look-up is not kept in its visit")
	}
}
