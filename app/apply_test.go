package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/receipt"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/app/workdays"
	"github.com/liangzihu/kiosk/devices/sim"
	"github.com/liangzihu/kiosk/devices/sim/simtest"
)

// The application journeys (联动报装, 过户) against the utilities' simulator on loopback
// HTTP and the printer emulator on a pseudo-terminal.

var (
	kioskRefRE = regexp.MustCompile(`^K\d{15}$`)
	jointRefRE = regexp.MustCompile(`^J\d{16}$`)
	// periodsRE: bills' periods as a payment receipt prints them, 2026年9月、2026年10月.
	periodsRE = regexp.MustCompile(`^\d{4}年\d{1,2}月(、\d{4}年\d{1,2}月)*$`)
	// numberPrefix is how each utility of the simulator numbers its applications.
	numberPrefix = map[string]string{utility.Electricity: "DL", utility.Water: "SS", utility.Gas: "RQ", utility.Broadband: "KD"}
	allUtilities = []string{utility.Electricity, utility.Water, utility.Gas, utility.Broadband}
)

// jointOf returns the catalogue's services of a joint kind at the given utilities.
func jointOf(t *testing.T, k *app.Kiosk, kind string, utilities ...string) []*catalog.Service {
	t.Helper()
	var out []*catalog.Service
	for _, id := range utilities {
		i := slices.IndexFunc(k.Catalog().JointServices(kind), func(s *catalog.Service) bool { return s.Utility.ID == id })
		if i < 0 {
			t.Fatalf("no %s service at %s", kind, id)
		}
		out = append(out, k.Catalog().JointServices(kind)[i])
	}
	return out
}

// fillApplication answers every question still missing, as a citizen at the screens
// would: values first (by input key), then a plausible number or phone, the first option
// of a list, an address picked level by level. An account number must be in values.
func fillApplication(t *testing.T, a *app.ApplyForm, values map[string]string) {
	t.Helper()
	for k, v := range values {
		a.Answers[k] = v
	}
	for range 100 {
		probs := a.Form.Validate(a.Answers)
		if len(probs) == 0 {
			return
		}
		p := probs[0]
		in, ok := a.Form.Input(p.Key)
		if !ok {
			t.Fatalf("a problem with an unknown input: %v", p)
		}
		if _, given := values[p.Key]; given {
			t.Fatalf("the answer given for %s is refused: %v", p.Key, p)
		}
		fd := in.Field
		before := a.Answers[p.Key]
		switch fd.Type {
		case catalog.TypePhone:
			a.Answers[p.Key] = "13800000006"
		case catalog.TypeNumber:
			n := 12.0
			if fd.Max != nil && *fd.Max < n {
				n = *fd.Max
			}
			if fd.Min != nil && *fd.Min > n {
				n = *fd.Min
			}
			a.Answers[p.Key] = strconv.FormatFloat(n, 'f', -1, 64)
		case catalog.TypeDigits:
			a.Answers[p.Key] = "1234567890"[:max(fd.MinLen, 7)]
			if fd.Role == catalog.RolePropertyCert { // a 过户's: the premises' of the first demo account given
				for _, id := range utilitysim.Utilities {
					if cert, ok := utilitysim.PropertyCertOf(id, values[id+".account"]); ok {
						a.Answers[p.Key] = cert
						break
					}
				}
			}
		case catalog.TypeText:
			a.Answers[p.Key] = "A12345"
		case catalog.TypeChoice, catalog.TypeYesNo, catalog.TypeDate:
			ch, err := a.Form.Options(p.Key, "", a.Answers)
			if err != nil || len(ch.Options) == 0 {
				t.Fatalf("%s: no options (%v)", p.Key, err)
			}
			a.Answers[p.Key] = ch.Options[0].Value
		case catalog.TypeAddress:
			partial := ""
			for range 10 {
				ch, err := a.Form.Options(p.Key, partial, a.Answers)
				if err != nil {
					t.Fatalf("%s: %v", p.Key, err)
				}
				if ch.Complete {
					break
				}
				if len(ch.Options) == 0 {
					t.Fatalf("%s: no options below %q", p.Key, partial)
				}
				if partial != "" {
					partial += catalog.Sep
				}
				partial += ch.Options[0].Value
			}
			a.Answers[p.Key] = partial
		default:
			t.Fatalf("cannot answer %s (%s): %v", p.Key, fd.Type, p)
		}
		if a.Answers[p.Key] == before {
			t.Fatalf("%s: the answer %q does not satisfy the form: %v", p.Key, before, p)
		}
	}
	t.Fatal("the form did not get complete")
}

// applyFor starts an application for the open session's citizen and fills it in.
func applyFor(t *testing.T, k *app.Kiosk, values map[string]string, services ...*catalog.Service) *app.ApplyForm {
	t.Helper()
	a, err := k.NewApplication(services...)
	if err != nil {
		t.Fatal(err)
	}
	fillApplication(t, a, values)
	return a
}

func submitForm(t *testing.T, a *app.ApplyForm) *app.ApplyResult {
	t.Helper()
	r, err := a.Submit(context.Background())
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return r
}

func partsByUtility(t *testing.T, r *app.ApplyResult) map[string]app.PartAnswer {
	t.Helper()
	out := map[string]app.PartAnswer{}
	for _, p := range r.Answers {
		if _, twice := out[p.Utility]; twice {
			t.Fatalf("two parts for %s", p.Utility)
		}
		out[p.Utility] = p
	}
	return out
}

// printedLast waits for the printer's cut number cuts and returns the QR codes of the
// last receipt it cut.
func printedLast(t *testing.T, p *sim.Printer, cuts int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), flowPatience)
	defer cancel()
	if err := p.WaitCuts(ctx, cuts); err != nil {
		t.Fatalf("waiting for receipt %d: %v", cuts, err)
	}
	outs := p.Printouts()
	return simtest.DecodeQRs(outs[len(outs)-1].Image)
}

// capturePrinter replaces the flows' kiosk by one on the same data whose receipt printer
// is an emulator that keeps the bytes it receives (the demo rig's does not), so that
// what a receipt says can be read back. It prints at once (no paper speed).
func capturePrinter(t *testing.T, f *flows) *sim.Printer {
	t.Helper()
	p, err := sim.StartPrinter(sim.PrinterOptions{Link: filepath.Join(t.TempDir(), "printer"), XonXoff: true,
		ChineseAtPowerOn: true, Capture: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if err := f.k.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.Data.Dir = f.dir
	f.rig.Apply(cfg)
	cfg.Devices.Printer.Port = p.Path()
	k, err := app.New(cfg, app.Options{Demo: f.rig, UtilityURLs: f.sims.BaseURLs()})
	if err != nil {
		t.Fatal(err)
	}
	k.Start(context.Background())
	t.Cleanup(func() { k.Close() })
	printerAsked(t, k)
	f.k = k
	return p
}

// receiptText is the text of bytes a printer received (GB18030), its lines joined: a
// sentence reads whole wherever the receipt wrapped it, and wherever the driver put its
// own commands between two of its segments (a GS r barrier, a DLE EOT status query),
// which are left out. (No GB18030 character holds the bytes 0x1D or 0x10.)
func receiptText(t *testing.T, received []byte) string {
	t.Helper()
	for _, n := range []byte{1, 2, 3, 4} {
		received = bytes.ReplaceAll(received, []byte{0x10, 0x04, n}, nil) // DLE EOT n
	}
	received = bytes.ReplaceAll(received, []byte{0x1D, 0x72, 0x01}, nil) // GS r 1
	b, err := simplifiedchinese.GB18030.NewDecoder().Bytes(received)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "\n", "")
}

// gb is text as the receipt printer receives it (GB18030).
func gb(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// NewApplication builds the form of one service or of a joint application, with the
// applicant's name and ID number filled from the card (零资料) and only what the card
// cannot tell left to answer; the form is held in the session. Without an identified
// citizen, or with two services of one utility, there is no form.
func TestApplicationNewFromCard(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	water, _ := f.k.Catalog().Service(utility.Water, "new_connection")
	for _, tc := range []struct {
		name      string
		utilities []string
		services  []*catalog.Service
	}{
		{"one service", []string{utility.Water}, []*catalog.Service{water}},
		{"joint connection at 2", []string{utility.Electricity, utility.Water},
			jointOf(t, f.k, catalog.JointConnection, utility.Electricity, utility.Water)},
		{"joint connection at 4", allUtilities, jointOf(t, f.k, catalog.JointConnection, allUtilities...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := f.citizen(5)
			p := utilitysim.DemoIdentities[5]
			a, err := f.k.NewApplication(tc.services...)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, sv := range a.Form.Services {
				got = append(got, sv.Utility.ID)
			}
			if !slices.Equal(got, tc.utilities) {
				t.Fatalf("services at %v, want %v", got, tc.utilities)
			}
			if a.Answers["applicant_name"] != p.Name || a.Answers["id_number"] != p.IDNumber {
				t.Fatalf("not filled from the card: %q %q", a.Answers["applicant_name"], a.Answers["id_number"])
			}
			var missing []string
			for _, pr := range a.Form.Validate(a.Answers) {
				missing = append(missing, pr.Key)
			}
			if slices.Contains(missing, "applicant_name") || slices.Contains(missing, "id_number") || !slices.Contains(missing, "phone") {
				t.Fatalf("left to answer: %v", missing)
			}
			if n := len(a.Outcomes()); n != len(tc.utilities) {
				t.Fatalf("%d outcomes for %d services", n, len(tc.utilities))
			}
			if v, ok := s.Get("application"); !ok || v != a {
				t.Fatal("the session does not hold the application")
			}
		})
	}
	t.Run("no session", func(t *testing.T) {
		f.k.Exit()
		if _, err := f.k.NewApplication(water); !errors.Is(err, app.ErrNoSession) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("session without a card", func(t *testing.T) {
		f.k.Sessions.Start()
		if _, err := f.k.NewApplication(water); !errors.Is(err, app.ErrNoSession) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("one utility twice", func(t *testing.T) {
		f.citizen(5)
		other, _ := f.k.Catalog().Service(utility.Water, "transfer")
		if _, err := f.k.NewApplication(water, other); !errors.Is(err, catalog.ErrSameUtility) {
			t.Fatalf("err %v", err)
		}
	})
}

// Every service of the catalogue, filled in as a citizen would fill its form, is accepted
// by its utility: the form asks for everything the utility needs. (过户 has its own
// journey, with the unpaid bills settled first: TestTransfer.)
func TestEveryCatalogueServiceIsAccepted(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	f.citizen(0) // 张三: accounts at all four utilities, all paid
	lookup, err := f.k.StartAccountLookup()
	if err != nil {
		t.Fatal(err)
	}
	lookup.Wait()
	accounts := map[string]string{}
	for _, tile := range lookup.Tiles() {
		if len(tile.Accounts) > 0 {
			accounts[tile.Utility] = tile.Accounts[0].Number
		}
	}
	n := 0
	for _, id := range allUtilities {
		u, ok := f.k.Catalog().Utility(id)
		if !ok {
			t.Fatalf("no %s in the catalogue", id)
		}
		for _, sv := range u.Services {
			if sv.ID == "transfer" {
				continue
			}
			t.Run(id+"/"+sv.ID, func(t *testing.T) {
				a, err := f.k.NewApplication(sv)
				if err != nil {
					t.Fatal(err)
				}
				values := map[string]string{}
				for _, in := range a.Form.Inputs() {
					if in.Field.Type == catalog.TypeAccount {
						values[in.Key] = accounts[id]
					}
				}
				fillApplication(t, a, values)
				r := submitForm(t, a)
				if len(r.Answers) != 1 || r.Counts() != (app.PartCounts{Accepted: 1}) {
					t.Fatalf("not accepted: %+v", r.Answers)
				}
				if p := r.Answers[0]; !strings.HasPrefix(p.Reference, numberPrefix[id]) {
					t.Errorf("number %q", p.Reference)
				}
			})
			n++
		}
	}
	if n < 10 {
		t.Fatalf("only %d services tried", n)
	}
}

// Submit sends each part to its utility through the outbox: every utility answers on
// the spot with its own number (即报即定), each gets the application exactly once, the
// acceptance receipt prints with one tracking QR per part that leads back to the
// application, labelled 本机编号 for one service and 联办编号 for a joint one. A second
// Submit does not send anything again.
func TestApplicationSubmit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		utilities []string
		values    map[string]string
	}{
		{"one service", []string{utility.Gas}, nil},
		{"joint connection at 2", []string{utility.Electricity, utility.Water}, map[string]string{"electricity.voltage": "low"}},
		{"joint connection at 4", allUtilities, map[string]string{"electricity.voltage": "low"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlows(t, utilitysim.Options{})
			printer := capturePrinter(t, f)
			f.citizen(5)
			services := jointOf(t, f.k, catalog.JointConnection, tc.utilities...)
			if len(tc.utilities) == 1 {
				services[0], _ = f.k.Catalog().Service(tc.utilities[0], "new_connection")
			}
			a := applyFor(t, f.k, tc.values, services...)
			r := submitForm(t, a)
			if len(r.Answers) != len(tc.utilities) || r.Counts() != (app.PartCounts{Accepted: len(tc.utilities)}) {
				t.Fatalf("answers %+v", r.Answers)
			}
			joint := len(tc.utilities) > 1
			if joint != jointRefRE.MatchString(r.JointRef) || (!joint && r.JointRef != "") {
				t.Fatalf("joint reference %q for %d utilities", r.JointRef, len(tc.utilities))
			}
			parts := partsByUtility(t, r)
			var want []string
			for _, id := range tc.utilities {
				p, ok := parts[id]
				switch {
				case !ok:
					t.Fatalf("no part for %s", id)
				case !strings.HasPrefix(p.Reference, numberPrefix[id]) || p.Track() != p.Reference:
					t.Errorf("%s: number %q (track %q)", id, p.Reference, p.Track())
				case !kioskRefRE.MatchString(p.KioskRef) || p.Refused != "":
					t.Errorf("%s: kiosk ref %q, refused %q", id, p.KioskRef, p.Refused)
				case p.Acceptance == nil || p.Acceptance.Reference != p.Reference || p.Acceptance.WorkingDays <= 0:
					t.Errorf("%s: acceptance %+v", id, p.Acceptance)
				case p.Outcome == nil || p.ServiceName == "":
					t.Errorf("%s: outcome %v, service %q", id, p.Outcome, p.ServiceName)
				}
				if n := receivedCount(t, f.sims, id, utility.KindApplication, p.KioskRef); n != 1 {
					t.Errorf("%s received the application %d times", id, n)
				}
				u, err := f.k.Receipts().TrackURL(p.Reference)
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, u)
			}
			if !r.Printed.OK {
				t.Fatalf("printed %+v", r.Printed)
			}
			codes := printedLast(t, printer, 1)
			raw := printer.Accepted()
			slices.Sort(codes)
			slices.Sort(want)
			if !slices.Equal(codes, want) {
				t.Errorf("receipt QR codes %q, want %q", codes, want)
			}
			// One utility's answered application is named by its number alone; a joint one
			// by its 联办编号 on top. The kiosk's own reference is for one not answered yet.
			label, other := "办件编号", "联办编号"
			top := r.Answers[0].Reference
			if joint {
				label, other, top = other, "本机编号", r.JointRef
			}
			if !bytes.Contains(raw, gb(t, label)) || bytes.Contains(raw, gb(t, other)) || !joint && bytes.Contains(raw, gb(t, "本机编号")) {
				t.Errorf("the receipt does not label its reference %s only", label)
			}
			if !bytes.Contains(raw, []byte(top)) {
				t.Errorf("the receipt lacks its reference %s", top)
			}
			// Each QR leads back to its application.
			for _, c := range codes {
				ref, ok := f.k.RefFromQR(c)
				if !ok {
					t.Fatalf("QR %q is not a tracking code", c)
				}
				got, err := findOne(f.k, ref)
				if err != nil || got.Progress.Reference != ref || got.Waiting {
					t.Errorf("tracking %s: %+v %v", ref, got, err)
				}
			}
			// The result stands; nothing is sent again.
			again, err := a.Submit(context.Background())
			if !errors.Is(err, app.ErrAlreadySubmitted) || again == nil || again.JointRef != r.JointRef || !slices.Equal(again.Answers, r.Answers) {
				t.Fatalf("second submit: %+v %v", again, err)
			}
			if res, ok := a.Result(); !ok || len(res.Answers) != len(r.Answers) {
				t.Fatalf("result %+v", res)
			}
			for _, id := range tc.utilities {
				if n := receivedCount(t, f.sims, id, utility.KindApplication, ""); n != 1 {
					t.Errorf("%s received %d applications after a second submit", id, n)
				}
			}
		})
	}
}

// Incomplete answers are refused before anything is stored or sent.
func TestApplicationIncompleteNotSent(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	f.citizen(5)
	water, _ := f.k.Catalog().Service(utility.Water, "new_connection")
	a := applyFor(t, f.k, nil, water)
	delete(a.Answers, "phone")
	_, err := a.Submit(context.Background())
	var inv *catalog.InvalidError
	if !errors.As(err, &inv) || inv.Problems[0].Key != "phone" {
		t.Fatalf("err %v", err)
	}
	if st, _ := f.k.Outbox.List(outbox.Pending, 0); len(st) != 0 {
		t.Fatalf("stored %+v", st)
	}
	if _, ok := a.Result(); ok {
		t.Fatal("a refused submission has a result")
	}
	if n := receivedCount(t, f.sims, utility.Water, utility.KindApplication, ""); n != 0 {
		t.Fatalf("water received %d applications", n)
	}
}

// The installation date the citizen chose within the committed time is kept on the
// 一次性告知书 on paper with what it is for: the time limit's words (2个工作日，最迟…) do
// not name it, and the notice says the engineer comes on "the date you chose".
func TestApplicationChosenDatePrinted(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	printer := capturePrinter(t, f)
	f.citizen(5)
	broadband, _ := f.k.Catalog().Service(utility.Broadband, "new_connection")
	a := applyFor(t, f.k, nil, broadband)
	dates, err := a.Form.Options("broadband.install_date", "", a.Answers)
	if err != nil || len(dates.Options) == 0 {
		t.Fatalf("dates offered: %+v, %v", dates, err)
	}
	a.Answers["broadband.install_date"] = dates.Options[0].Value // the soonest: within the time limit
	r := submitForm(t, a)
	if o := r.Answers[0].Outcome; o.ChosenDate {
		t.Fatalf("the soonest date is the time limit: %s", o.TimeLimit(i18n.ZH))
	}
	printedLast(t, printer, 1)
	day, _ := time.ParseInLocation(time.DateOnly, dates.Options[0].Value, workdays.CST)
	if want := "装机日期：" + workdays.FormatDate(day, i18n.ZH); !bytes.Contains(printer.Accepted(), gb(t, want)) {
		t.Fatalf("the receipt does not say %q", want)
	}
}

// The acceptance receipt prints the address the citizen picked, masked: a joint
// application's common address once, down to the building with the unit's and room's
// numbers hidden; 临电's site under its own label (用电地点), as picked (to the
// community). The household's unit and room are never on paper.
func TestApplicationAddressPrinted(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	printer := capturePrinter(t, f)
	f.citizen(5)
	power, _ := f.k.Catalog().Service(utility.Electricity, "new_connection")
	water, _ := f.k.Catalog().Service(utility.Water, "new_connection")
	submitForm(t, applyFor(t, f.k, map[string]string{"address": "lzh/taihe/th-zhengjie/jy1/2/602"}, power, water))
	printedLast(t, printer, 1)
	joint := printer.Accepted()
	for _, want := range []string{"金域花园1栋", "*单元***室"} {
		if n := bytes.Count(joint, gb(t, want)); n != 1 {
			t.Errorf("the joint receipt prints %q %d times, want once", want, n)
		}
	}
	for _, secret := range []string{"2单元", "602室"} {
		if bytes.Contains(joint, gb(t, secret)) {
			t.Errorf("the joint receipt prints the household's %q", secret)
		}
	}
	temporary, _ := f.k.Catalog().Service(utility.Electricity, "temporary_power")
	submitForm(t, applyFor(t, f.k, map[string]string{"electricity.site": "lzh/taihe/th-zhengjie"}, temporary))
	printedLast(t, printer, 2)
	site := printer.Accepted()[len(joint):]
	for _, want := range []string{"用电地点", "梁子湖区太和镇"} {
		if !bytes.Contains(site, gb(t, want)) {
			t.Errorf("the 临电 receipt does not print %q", want)
		}
	}
}

// What the kiosk's form takes, every utility takes: a landline with its area code (an
// elderly applicant may have no mobile) and the number of every card the reader reads,
// the 2017 foreign permanent residence card's 15 characters too. A joint connection of
// each is accepted by both utilities, not refused with words that send the citizen to
// re-read a good card or to find a mobile number.
func TestApplicationEveryFormValueTaken(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	for _, tc := range []struct {
		name  string
		who   session.Identity
		phone string
	}{
		{"a landline", session.Identity{Name: "陈建国", IDNumber: utilitysim.DemoIdentities[5].IDNumber, CardType: "resident"}, "0711-5123456"},
		{"a landline without its dash", session.Identity{Name: "陈建国", IDNumber: utilitysim.DemoIdentities[5].IDNumber, CardType: "resident"}, "01062345678"},
		{"a 2017 foreign permanent residence card", session.Identity{Name: "SMITH, JOHN", IDNumber: "USA420788080101", CardType: "foreign_2017"}, "13800000006"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.k.Sessions.Start().SetIdentity(tc.who)
			a := applyFor(t, f.k, map[string]string{"phone": tc.phone, "electricity.voltage": "low"},
				jointOf(t, f.k, catalog.JointConnection, utility.Electricity, utility.Water)...)
			r := submitForm(t, a)
			for id, p := range partsByUtility(t, r) {
				if p.Reference == "" || p.Refused != "" {
					t.Errorf("%s: %+v", id, p)
				}
			}
		})
	}
}

// A utility that refuses (its own validation) refuses only its part, in its own words;
// the others' parts go through and only they are on the receipt. When every part is
// refused, nothing is printed.
func TestApplicationRefusedPart(t *testing.T) {
	t.Parallel()
	const refusal = "该地址暂不具备通气条件"
	for _, tc := range []struct {
		name      string
		utilities []string
	}{
		{"joint connection, gas refuses", []string{utility.Water, utility.Gas, utility.Broadband}},
		{"gas alone refuses", []string{utility.Gas}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlows(t, utilitysim.Options{})
			setFaults(t, f.sims, utility.Gas, utilitysim.Faults{Refuse: refusal})
			p := capturePrinter(t, f)
			f.citizen(5)
			a := applyFor(t, f.k, nil, jointOf(t, f.k, catalog.JointConnection, tc.utilities...)...)
			before := p.Stats().Accepted
			r := submitForm(t, a)
			parts := partsByUtility(t, r)
			gas := parts[utility.Gas]
			if gas.Refused != refusal || gas.Reference != "" || gas.Acceptance != nil || !kioskRefRE.MatchString(gas.KioskRef) {
				t.Fatalf("gas: %+v", gas)
			}
			if st, err := f.k.Outbox.Status(gas.KioskRef); err != nil || st.State != outbox.Dead {
				t.Fatalf("gas request %+v %v", st, err)
			}
			if n := receivedCount(t, f.sims, utility.Gas, utility.KindApplication, ""); n != 0 {
				t.Fatalf("gas took %d applications", n)
			}
			var want []string
			for _, id := range tc.utilities {
				if id == utility.Gas {
					continue
				}
				if pa := parts[id]; pa.Refused != "" || !strings.HasPrefix(pa.Reference, numberPrefix[id]) {
					t.Errorf("%s: %+v", id, pa)
				}
				u, _ := f.k.Receipts().TrackURL(parts[id].Reference)
				want = append(want, u)
			}
			if c := r.Counts(); c != (app.PartCounts{Accepted: len(tc.utilities) - 1, Refused: 1}) {
				t.Fatalf("parts %+v", c)
			}
			if len(want) == 0 {
				// Printing is synchronous: a receipt would have reached the printer by now.
				if n := p.Stats().Accepted; n != before {
					t.Fatalf("a receipt of nothing accepted was printed (%d bytes)", n-before)
				}
				return
			}
			codes := printedLast(t, p, 1)
			slices.Sort(codes)
			slices.Sort(want)
			if !slices.Equal(codes, want) {
				t.Fatalf("receipt QR codes %q, want %q", codes, want)
			}
			// The 一次性告知书 tells the refusal too, in the utility's words, and whom to call
			// as the catalogues name them: each utility's numbers in its section, the
			// numbers of every application at the foot.
			raw := p.Accepted()
			if !bytes.Contains(raw, gb(t, "未受理")) || !bytes.Contains(raw, gb(t, refusal)) {
				t.Error("the receipt does not tell the gas company's refusal")
			}
			for _, s := range []string{"燃气公司服务及抢修热线", "0711-5987654", "自来水公司服务热线 0711-5123456", "政务服务便民热线 12345"} {
				if !bytes.Contains(raw, gb(t, s)) {
					t.Errorf("the receipt does not give %s", s)
				}
			}
		})
	}
}

// A utility slower than the kiosk's wait for an answer (applyWait, 3 s; here 4 s, within
// the client's 5 s timeout) leaves its part with a kiosk reference, printed on the
// receipt as its tracking QR; the utility's number is bound to it when it comes, and
// OnApplicationUpdate tells the screen so.
func TestApplicationSlowUtilityBoundLater(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	updated := make(chan struct{}, 8)
	f.k.OnApplicationUpdate(func() { updated <- struct{}{} })
	setFaults(t, f.sims, utility.Water, utilitysim.Faults{LatencyMS: 4000})
	f.citizen(5)
	a := applyFor(t, f.k, nil, jointOf(t, f.k, catalog.JointConnection, utility.Water, utility.Broadband)...)
	r := submitForm(t, a)
	parts := partsByUtility(t, r)
	slow := parts[utility.Water]
	if slow.Reference != "" || slow.Acceptance != nil || slow.Refused != "" || !kioskRefRE.MatchString(slow.KioskRef) || slow.Track() != slow.KioskRef {
		t.Fatalf("water should be left with a kiosk reference: %+v", slow)
	}
	if b := parts[utility.Broadband]; !strings.HasPrefix(b.Reference, "KD") {
		t.Fatalf("broadband: %+v", b)
	}
	codes := printedLast(t, f.rig.Printer(), 1)
	want, _ := f.k.Receipts().TrackURL(slow.KioskRef)
	if !slices.Contains(codes, want) {
		t.Fatalf("the receipt lacks the kiosk reference's QR %s: %q", want, codes)
	}
	select {
	case <-updated:
	case <-time.After(flowPatience):
		t.Fatal("no application update")
	}
	res, _ := a.Result()
	bound := partsByUtility(t, &res)[utility.Water]
	st, err := f.k.Outbox.Status(slow.KioskRef)
	if err != nil || !strings.HasPrefix(bound.Reference, "SS") || bound.Reference != st.UtilityRef || bound.KioskRef != slow.KioskRef {
		t.Fatalf("bound %+v, outbox %+v %v", bound, st, err)
	}
	if n := receivedCount(t, f.sims, utility.Water, utility.KindApplication, slow.KioskRef); n != 1 {
		t.Fatalf("water received it %d times", n)
	}
	setFaults(t, f.sims, utility.Water, utilitysim.Faults{})
	// The printed kiosk reference now finds the utility's application.
	ref, ok := f.k.RefFromQR(want)
	if !ok {
		t.Fatalf("QR %q", want)
	}
	got, err := findOne(f.k, ref)
	if err != nil || got.Waiting || got.Progress.Reference != bound.Reference || got.Utility != utility.Water {
		t.Fatalf("tracking by kiosk reference: %+v %v", got, err)
	}
}

// A utility that is down gets its part queued (a kiosk reference, neither a number nor
// a refusal); it receives it exactly once when it is back, also when the kiosk was
// stopped in between (a crash or a power cut) and started again on the same data.
func TestApplicationDownQueued(t *testing.T) {
	t.Parallel()
	for _, c := range backUp {
		restart := c.restart
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFlows(t, utilitysim.Options{})
			printer := capturePrinter(t, f)
			setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Down: true})
			f.citizen(5)
			a := applyFor(t, f.k, map[string]string{"electricity.voltage": "low"},
				jointOf(t, f.k, catalog.JointConnection, utility.Electricity, utility.Water)...)
			r := submitForm(t, a)
			parts := partsByUtility(t, r)
			power := parts[utility.Electricity]
			if power.Reference != "" || power.Refused != "" || !kioskRefRE.MatchString(power.KioskRef) {
				t.Fatalf("electricity while down: %+v", power)
			}
			if !strings.HasPrefix(parts[utility.Water].Reference, "SS") || r.Counts() != (app.PartCounts{Accepted: 1, Waiting: 1}) {
				t.Fatalf("water: %+v", parts[utility.Water])
			}
			if st, err := f.k.Outbox.Status(power.KioskRef); err != nil || st.State != outbox.Pending {
				t.Fatalf("queued request %+v %v", st, err)
			}
			codes := printedLast(t, printer, 1)
			if u, _ := f.k.Receipts().TrackURL(power.KioskRef); !slices.Contains(codes, u) {
				t.Fatalf("the receipt lacks the queued part's QR %s: %q", u, codes)
			}
			// Counted as the result's headline counts it (TestApplyUtilityDownQueued).
			if text := receiptText(t, printer.Accepted()); !strings.Contains(text, "（已受理1项，等待受理1项）") {
				t.Errorf("the receipt does not count the queued part as waiting:\n%s", text)
			}
			k, st := f.backAfterOutage(utility.Electricity, power.KioskRef, restart)
			if n := receivedCount(t, f.sims, utility.Electricity, utility.KindApplication, ""); n != 1 || !strings.HasPrefix(st.UtilityRef, "DL") {
				t.Fatalf("electricity received %d applications; bound to %q", n, st.UtilityRef)
			}
			if !restart {
				// The open session's application learns its number.
				pollUntil(t, flowPatience, "the number bound to the result", func() bool {
					res, _ := a.Result()
					return partsByUtility(t, &res)[utility.Electricity].Reference == st.UtilityRef
				})
			}
			got, err := findOne(k, power.KioskRef)
			if err != nil || got.Waiting || got.Progress.Reference != st.UtilityRef {
				t.Fatalf("tracking the queued part: %+v %v", got, err)
			}
		})
	}
}

// 过户: CheckTransfer judges each utility's account on its own. It lists the accounts
// with unpaid bills (with those bills and their total), the numbers a utility does not
// know (to be corrected) and the accounts whose utility cannot be asked now (down): none
// of them holds the others up. Submitted, a part with unpaid bills is refused by its
// utility, a paid-up one accepted, and an unchecked one waits in the outbox, marked so on
// the receipt. Nothing is checked for a form that is not a transfer.
func TestTransferCheck(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	printer := capturePrinter(t, f)
	acct := func(id string, person int) string { return utilitysim.AccountNumber(id, person) }
	const nobodys = "3100009999" // a well-formed electricity number no account has
	for _, tc := range []struct {
		name      string
		utilities []string
		values    map[string]string
		down      []string
		unsettled []string // utilities with unpaid bills, in form order
		notFound  []string
		unchecked []string
	}{
		{"李四's electricity", []string{utility.Electricity},
			map[string]string{"electricity.account": acct(utility.Electricity, 1)}, nil, []string{utility.Electricity}, nil, nil},
		{"李四's electricity and water", []string{utility.Electricity, utility.Water},
			map[string]string{"electricity.account": acct(utility.Electricity, 1), "water.account": acct(utility.Water, 1)},
			nil, []string{utility.Electricity, utility.Water}, nil, nil},
		{"张三's gas, paid up", []string{utility.Gas}, map[string]string{"gas.account": acct(utility.Gas, 0)}, nil, nil, nil, nil},
		{"a number the power company does not know, 李四's water", []string{utility.Electricity, utility.Water},
			map[string]string{"electricity.account": nobodys, "water.account": acct(utility.Water, 1)}, nil,
			[]string{utility.Water}, []string{utility.Electricity}, nil},
		// One home's accounts (a 过户 names one 不动产权证): 李四's gas, paid up, is
		// accepted beside the others.
		{"the power company down, 李四's water and gas", []string{utility.Electricity, utility.Water, utility.Gas},
			map[string]string{"electricity.account": acct(utility.Electricity, 1), "water.account": acct(utility.Water, 1),
				"gas.account": acct(utility.Gas, 1)}, []string{utility.Electricity}, []string{utility.Water}, nil, []string{utility.Electricity}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.citizen(5) // 陈建国 takes the accounts over
			a := applyFor(t, f.k, tc.values, jointOf(t, f.k, catalog.JointTransfer, tc.utilities...)...)
			for _, id := range tc.down {
				setFaults(t, f.sims, id, utilitysim.Faults{Down: true})
				defer setFaults(t, f.sims, id, utilitysim.Faults{})
			}
			c := a.CheckTransfer(context.Background())
			utilitiesOf := func(refs []app.AccountRef) (out []string) {
				for _, r := range refs {
					if r.Number != tc.values[r.Utility+".account"] {
						t.Errorf("%s: number %q", r.Utility, r.Number)
					}
					out = append(out, r.Utility)
				}
				return out
			}
			if got := utilitiesOf(c.NotFound); !slices.Equal(got, tc.notFound) {
				t.Errorf("not found at %v, want %v", got, tc.notFound)
			}
			if len(c.Refused) != 0 { // the premises' certificate, a new holder: nothing to refuse
				t.Errorf("refused: %+v", c.Refused)
			}
			if got := utilitiesOf(c.Unchecked); !slices.Equal(got, tc.unchecked) || !slices.Equal(a.Unchecked(), c.Unchecked) {
				t.Errorf("unchecked at %v (form: %v), want %v", got, a.Unchecked(), tc.unchecked)
			}
			// Every account found, paid up or not, with its holder: whose it is shows.
			var want []string
			for _, id := range tc.utilities {
				if !slices.Contains(tc.notFound, id) && !slices.Contains(tc.unchecked, id) {
					want = append(want, id)
				}
			}
			var named []string
			for _, acc := range a.NamedAccounts() {
				named = append(named, acc.Utility)
				if acc.Number != tc.values[acc.Utility+".account"] || acc.HolderName == "" {
					t.Errorf("named account at %s: %s", acc.Utility, acc.Number)
				}
			}
			if !slices.Equal(named, want) {
				t.Errorf("named accounts at %v, want %v", named, want)
			}
			var got []string
			for _, u := range c.Unsettled {
				got = append(got, u.Utility)
				if u.Account.Number != tc.values[u.Utility+".account"] {
					t.Errorf("%s: account %q", u.Utility, u.Account.Number)
				}
				bills, err := f.k.Bills(context.Background(), u.Utility, u.Account.Number)
				if err != nil {
					t.Fatal(err)
				}
				var unpaid []string
				var total utility.Fen
				for _, b := range bills {
					if !b.Paid {
						unpaid = append(unpaid, b.ID)
						total += b.Amount
					}
				}
				var listed []string
				for _, b := range u.Bills {
					listed = append(listed, b.ID)
				}
				if len(unpaid) == 0 || !slices.Equal(listed, unpaid) || u.Amount != total {
					t.Errorf("%s: listed %v (%s), unpaid %v (%s)", u.Utility, listed, u.Amount, unpaid, total)
				}
			}
			if !slices.Equal(got, tc.unsettled) {
				t.Fatalf("unsettled at %v, want %v", got, tc.unsettled)
			}
			if len(tc.notFound) > 0 {
				return // corrected before anything is submitted
			}
			before := len(printer.Accepted())
			r := submitForm(t, a)
			for _, p := range r.Answers {
				switch {
				case slices.Contains(tc.unchecked, p.Utility):
					if p.Reference != "" || p.Refused != "" || !p.Unchecked {
						t.Errorf("%s: an unchecked transfer while down: %+v", p.Utility, p)
					}
				case slices.Contains(tc.unsettled, p.Utility):
					if p.Reference != "" || !strings.Contains(p.Refused, "请先缴清") || p.Unchecked {
						t.Errorf("%s: a transfer with unpaid bills: %+v", p.Utility, p)
					}
				case !strings.Contains(p.Reference, "GH") || p.Refused != "" || p.Unchecked:
					t.Errorf("%s: a paid-up transfer: %+v", p.Utility, p)
				}
			}
			// Printing is synchronous: the receipt, if any, is at the printer by now.
			unchecked := strings.Contains(receiptText(t, printer.Accepted()[before:]), "待业务单位核对户号和欠费后受理")
			if unchecked != (len(tc.unchecked) > 0) {
				t.Errorf("the receipt tells of an unchecked account: %v, want %v", unchecked, len(tc.unchecked) > 0)
			}
		})
	}
	t.Run("not a transfer", func(t *testing.T) {
		f.citizen(5)
		a := applyFor(t, f.k, nil, jointOf(t, f.k, catalog.JointConnection, utility.Water)...)
		if c := a.CheckTransfer(context.Background()); len(c.Unsettled)+len(c.NotFound)+len(c.Unchecked) != 0 {
			t.Fatalf("checked %+v", c)
		}
	})
}

// 过户: each utility judges the transfer as the form has it before any bill is paid
// (POST /transfers/check). Another home's certificate is refused by both utilities in
// their own words (in English, said as the certificate number not accepted, their words
// after), tied to the certificate's question while it holds the refused answer; the
// bills are listed all the same, for after. Corrected, nothing is refused. A new holder
// who holds the account already is refused with nothing on the form to correct. A
// utility that does not offer the check holds nobody up: its bills are settled as
// before, and it refuses the certificate when the part reaches it. Nothing reaches a
// utility as a request while the form is only checked.
func TestTransferCheckedBeforePayment(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	acct := func(id string) string { return utilitysim.AccountNumber(id, 1) } // 李四's: both owe
	values := map[string]string{"electricity.account": acct(utility.Electricity), "water.account": acct(utility.Water)}
	f.citizen(5) // 陈建国 buys 李四's home
	a := applyFor(t, f.k, values, jointOf(t, f.k, catalog.JointTransfer, utility.Electricity, utility.Water)...)
	var cert *catalog.Input
	for _, in := range a.Form.Inputs() {
		if in.Field.Role == catalog.RolePropertyCert {
			cert = in
		}
	}
	if cert == nil || a.Answers[cert.Key] != utilitysim.PropertyCert(1) {
		t.Fatalf("the form's certificate: %+v", cert)
	}
	a.Answers[cert.Key] = utilitysim.PropertyCert(0) // 张三's home's: mistyped

	c := a.CheckTransfer(context.Background())
	if len(c.Refused) != 2 || len(c.NotFound)+len(c.Unchecked) != 0 || len(c.Unsettled) != 2 {
		t.Fatalf("another home's certificate: %+v", c)
	}
	for i, r := range c.Refused {
		want := "不动产权证号与户号" + values[r.Utility+".account"] + "登记的房屋不符，请核对不动产权证书后重新办理"
		if r.Utility != []string{utility.Electricity, utility.Water}[i] || r.Number != values[r.Utility+".account"] || r.Input != cert {
			t.Errorf("refusal %d: %s %s, input %+v", i, r.Utility, r.Number, r.Input)
		}
		if r.Reason.ZH != want || !strings.Contains(r.Reason.EN, " did not accept the property certificate number; please check it") ||
			!strings.Contains(r.Reason.EN, want) {
			t.Errorf("%s's words: %q / %q", r.Utility, r.Reason.ZH, r.Reason.EN)
		}
	}
	if said, ok := a.RefusalOf(cert.Key); !ok || strings.Count(said.ZH, "登记的房屋不符") != 2 || len(a.Refusals()) != 2 {
		t.Errorf("the certificate's question is not told why: %q, %v", said.ZH, ok)
	}
	if _, ok := a.RefusalOf(cert.Key + "x"); ok {
		t.Error("another question is told of the refusal")
	}
	a.Answers[cert.Key] = utilitysim.PropertyCert(2) // typed again, still not it
	if _, ok := a.RefusalOf(cert.Key); ok {
		t.Error("a new answer is told of the refusal of the one before")
	}

	a.Answers[cert.Key] = utilitysim.PropertyCert(1) // corrected
	c = a.CheckTransfer(context.Background())
	if len(c.Refused) != 0 || len(c.Unsettled) != 2 || len(a.Refusals()) != 0 {
		t.Fatalf("the premises' certificate: %+v", c)
	}
	if _, ok := a.RefusalOf(cert.Key); ok {
		t.Error("the corrected certificate is still told it was refused")
	}
	for _, id := range []string{utility.Electricity, utility.Water} {
		if n := receivedCount(t, f.sims, id, utility.KindTransfer, ""); n != 0 {
			t.Errorf("%s received %d transfers from checks", id, n)
		}
	}

	t.Run("the holder already", func(t *testing.T) {
		f.citizen(1) // 李四 names his own account
		a := applyFor(t, f.k, map[string]string{"gas.account": utilitysim.AccountNumber(utility.Gas, 1)},
			jointOf(t, f.k, catalog.JointTransfer, utility.Gas)...)
		c := a.CheckTransfer(context.Background())
		if len(c.Refused) != 1 || c.Refused[0].Input != nil || c.Refused[0].Reason.ZH != "新户主与原户主相同，无需过户" {
			t.Fatalf("the holder taking over his own account: %+v", c)
		}
	})

	t.Run("a utility without the check", func(t *testing.T) {
		setFaults(t, f.sims, utility.Water, utilitysim.Faults{NoTransferCheck: true})
		f.citizen(5)
		a := applyFor(t, f.k, map[string]string{"water.account": acct(utility.Water)}, jointOf(t, f.k, catalog.JointTransfer, utility.Water)...)
		for _, in := range a.Form.Inputs() {
			if in.Field.Role == catalog.RolePropertyCert {
				a.Answers[in.Key] = utilitysim.PropertyCert(0)
			}
		}
		c := a.CheckTransfer(context.Background())
		if len(c.Refused)+len(c.Unchecked)+len(c.NotFound) != 0 || len(c.Unsettled) != 1 {
			t.Fatalf("checked by a utility without the check: %+v", c)
		}
		for _, b := range c.Unsettled[0].Bills {
			if err := f.sims.PayElsewhere(utility.Water, c.Unsettled[0].Account.Number, b.ID); err != nil {
				t.Fatal(err)
			}
		}
		p := submitForm(t, a).Answers[0]
		if p.Reference != "" || !strings.Contains(p.Refused, "登记的房屋不符") || p.Unchecked {
			t.Fatalf("submitted with another home's certificate: %+v", p)
		}
	})
}

// A 过户 submitted while its utility was down, its bills unchecked, is safe to queue:
// when the utility is back it refuses the transfer of an account with unpaid bills, the
// request becomes a dead letter staff see, and the open session's result tells the
// citizen why.
func TestTransferUncheckedRefusedLater(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	f.citizen(5)
	a := applyFor(t, f.k, map[string]string{"electricity.account": utilitysim.AccountNumber(utility.Electricity, 1)},
		jointOf(t, f.k, catalog.JointTransfer, utility.Electricity)...)
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Down: true})
	if c := a.CheckTransfer(context.Background()); len(c.Unchecked) != 1 || len(c.Unsettled) != 0 {
		t.Fatalf("checked while down: %+v", c)
	}
	p := submitForm(t, a).Answers[0]
	if !p.Unchecked || p.Reference != "" || p.Refused != "" {
		t.Fatalf("submitted while down: %+v", p)
	}
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{})
	pollUntil(t, outageWait, "the utility's refusal", func() bool {
		st, err := f.k.Outbox.Status(p.KioskRef)
		return err == nil && st.State == outbox.Dead && errors.Is(st.Err, utility.ErrUnpaidBills)
	})
	awaitCond(t, "the refusal on the result", func() bool {
		r, _ := a.Result()
		return strings.Contains(r.Answers[0].Refused, "请先缴清")
	})
	if dead, err := f.k.Outbox.DeadLetters(); err != nil || !slices.ContainsFunc(dead, func(s outbox.Status) bool { return s.KioskRef == p.KioskRef }) {
		t.Fatalf("dead letters %v, %v", dead, err)
	}
}

// Ending the visit wipes the application with the session: the session no longer holds
// it, the next citizen starts without it, and a form left over from the wiped session
// cannot be submitted, not even while the next citizen's session is open.
func TestApplicationWipedWithSession(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	water, _ := f.k.Catalog().Service(utility.Water, "new_connection")
	s := f.citizen(5)
	a := applyFor(t, f.k, nil, water)
	if _, ok := s.Get("application"); !ok {
		t.Fatal("the session does not hold the application")
	}
	f.k.Exit()
	if !s.Wiped() || f.k.Sessions.Current() != nil {
		t.Fatal("the session was not ended")
	}
	if _, ok := s.Get("application"); ok {
		t.Fatal("the wiped session still holds the application")
	}
	if _, err := a.Submit(context.Background()); !errors.Is(err, app.ErrNoSession) {
		t.Fatalf("submit after the wipe: %v", err)
	}
	next := f.citizen(0)
	if _, ok := next.Get("application"); ok {
		t.Fatal("the next citizen's session holds an application")
	}
	if _, err := a.Submit(context.Background()); !errors.Is(err, app.ErrNoSession) {
		t.Fatalf("the previous citizen's form submitted in the next citizen's session: %v", err)
	}
	if n := receivedCount(t, f.sims, utility.Water, utility.KindApplication, ""); n != 0 {
		t.Fatalf("water received %d applications", n)
	}
	if st, _ := f.k.Outbox.List(outbox.Pending, 0); len(st) != 0 {
		t.Fatalf("stored %+v", st)
	}
}

// A joint submission of which one part cannot be stored (here the water part: this
// kiosk has no water company) stores none of them: no utility gets a part of an
// application the citizen was told had failed, and trying again sends none twice.
func TestApplicationStoredWholeOrNotAtAll(t *testing.T) {
	t.Parallel()
	f := newFlowsConfigured(t, utilitysim.Options{}, func(c *config.Config) { c.Utilities.Water.Enabled = false })
	f.citizen(5)
	a := applyFor(t, f.k, map[string]string{"electricity.voltage": "low"},
		jointOf(t, f.k, catalog.JointConnection, utility.Electricity, utility.Water)...)
	for try := range 2 {
		if r, err := a.Submit(context.Background()); !errors.Is(err, outbox.ErrUnknownUtility) || r != nil {
			t.Fatalf("try %d: %+v, %v", try, r, err)
		}
	}
	if n, err := f.k.Outbox.Count(); err != nil || len(n) != 0 {
		t.Fatalf("stored %v, %v", n, err)
	}
	if _, ok := a.Result(); ok {
		t.Fatal("a submission that failed has a result")
	}
	if n := len(received(t, f.sims, utility.Electricity, utility.KindApplication)); n != 0 {
		t.Fatalf("the electricity company received the application %d times", n)
	}
}

// A utility back after an outage gets the requests it held there as soon as a citizen's
// look-up, or staff's check of its API, finds it back, not at the outbox's next try (its
// back-off, up to minutes: the kiosk's clock here never moves, so nothing else would
// send them).
func TestBackAfterAnOutageSendsWhatItHeld(t *testing.T) {
	t.Parallel()
	for _, found := range []struct {
		by   string
		back func(t *testing.T, f *flows)
	}{
		{"a citizen's look-up", func(t *testing.T, f *flows) {
			f.citizen(1)
			acc, err := f.k.StartAccountLookup()
			if err != nil {
				t.Fatal(err)
			}
			acc.Wait()
		}},
		{"staff's check", func(t *testing.T, f *flows) {
			if c, err := f.k.CheckUtility(context.Background(), utility.Water); err != nil || c.Err != nil {
				t.Fatalf("the check: %+v, %v", c, err)
			}
		}},
	} {
		t.Run(found.by, func(t *testing.T) {
			t.Parallel()
			f := newFlowsAt(t, utilitysim.Options{}, nil, clock.NewManual(time.Now()))
			setFaults(t, f.sims, utility.Water, utilitysim.Faults{Down: true})
			f.citizen(5)
			a := applyFor(t, f.k, nil, jointOf(t, f.k, catalog.JointConnection, utility.Water)...)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := a.Submit(ctx)
				done <- err
			}()
			awaitCond(t, "water held back", func() bool { return len(f.k.Outbox.Held()) == 1 })
			cancel() // 即报即定's wait ends: water has not answered
			if err := <-done; err != nil {
				t.Fatalf("submit: %v", err)
			}
			setFaults(t, f.sims, utility.Water, utilitysim.Faults{})
			found.back(t, f)
			awaitCond(t, "the application delivered", func() bool {
				return receivedCount(t, f.sims, utility.Water, utility.KindApplication, "") == 1
			})
			awaitCond(t, "the hold lifted", func() bool { return len(f.k.Outbox.Held()) == 0 })
		})
	}
}

// The next citizen's card placed while a submission still waits for a utility's answer
// (即报即定's few seconds) ends the visit it was made in: the acceptance receipt, with
// the applicant's name, number and phone, does not print into the next citizen's hands.
// It is kept for staff to print (补打) and journaled under the visit it belongs to; the
// parts stored go through as ever.
func TestApplicationReceiptNotPrintedForTheNextCitizen(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	setFaults(t, f.sims, utility.Water, utilitysim.Faults{Down: true})
	first := f.citizen(5)
	a := applyFor(t, f.k, nil, jointOf(t, f.k, catalog.JointConnection, utility.Water, utility.Broadband)...)
	cuts := f.rig.Printer().Stats().Cuts
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type submitted struct {
		r   *app.ApplyResult
		err error
	}
	done := make(chan submitted, 1)
	go func() {
		r, err := a.Submit(ctx)
		done <- submitted{r, err}
	}()
	awaitCond(t, "the parts stored", func() bool { return f.k.Outbox.Pending()[utility.Water] == 1 })
	next := f.citizen(1) // while the kiosk waits for water
	cancel()             // the wait ends: water has not answered
	x := <-done
	if x.err != nil {
		t.Fatalf("submit: %v", x.err)
	}
	if x.r.Printed.OK || x.r.Printed.Message != "print.visit_ended" {
		t.Fatalf("the receipt of a visit that had ended: %+v", x.r.Printed)
	}
	if n := f.rig.Printer().Stats().Cuts; n != cuts {
		t.Fatalf("%d receipts cut for the next citizen", n-cuts)
	}
	if r, err := f.k.Reprints.Get(x.r.JointRef); err != nil || r.Acceptance == nil || r.Reason == "" {
		t.Fatalf("the receipt is not kept for staff: %+v, %v", r, err)
	}
	events, err := f.k.Journal.ByRef(x.r.JointRef)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(events, func(e journal.Event) bool { return e.Kind == journal.PrintFailed })
	if i < 0 || events[i].Session != first.ID || events[i].Session == next.ID {
		t.Fatalf("the unprinted receipt is not journaled with its visit: %+v", events)
	}
	awaitCond(t, "broadband's part delivered", func() bool {
		return receivedCount(t, f.sims, utility.Broadband, utility.KindApplication, "") == 1
	})
	if n := f.k.Outbox.Pending()[utility.Water]; n != 1 {
		t.Fatalf("water's part: %d pending", n)
	}
}

// The sample acceptance (kioskctl receipt sample acceptance, the receipt in
// docs/devices.md) is what printAcceptance prints for a joint application of three parts
// whose gas part waits: a 联办编号 made at the time accepted, labelled as one; the
// answered parts tracked by their utility's number; the waiting one by the kiosk
// reference a kiosk with the shipped configuration gives the third part stored at that
// time (its code, the tenth of a second of the day, one on for each part before it).
func TestSampleAcceptanceAsPrinted(t *testing.T) {
	a := receipt.SampleAcceptance()
	at := a.Time.In(workdays.CST)
	if !a.Joint || !jointRefRE.MatchString(a.Ref) || a.Ref[1:13] != at.Format("060102150405") {
		t.Errorf("联办编号 %q (joint %v) for an application accepted at %v", a.Ref, a.Joint, at)
	}
	midnight := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, workdays.CST)
	tenths := int(at.Sub(midnight) / (100 * time.Millisecond))
	for i, s := range a.Sections {
		switch {
		case s.Number != "":
			if s.Track != s.Number {
				t.Errorf("section %d: answered %s, tracked by %q", i+1, s.Number, s.Track)
			}
		default:
			want := "K" + at.Format("060102") + config.Defaults().Kiosk.Code() + fmt.Sprintf("%06d", tenths+i)
			if !kioskRefRE.MatchString(s.Track) || s.Track != want {
				t.Errorf("section %d waits: tracked by %q, want the kiosk reference %s", i+1, s.Track, want)
			}
		}
	}
	if c := slices.IndexFunc(a.Sections, func(s receipt.Section) bool { return s.Number == "" }); c != 2 || !strings.HasPrefix(a.Sections[c].Utility, "供气") {
		t.Errorf("the waiting part is section %d, want gas's (3)", c+1)
	}
	// Each section gives its utility's numbers as the shipped catalogue names them, and
	// the foot the catalogue's common ones after the hall's.
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	hotlines := func(hs []catalog.Hotline) []receipt.Hotline {
		var out []receipt.Hotline
		for _, h := range hs {
			out = append(out, receipt.Hotline{Label: h.Label.ZH, Number: h.Number})
		}
		return out
	}
	for i, id := range []string{utility.Electricity, utility.Water, utility.Gas} {
		u, ok := cat.Utility(id)
		if !ok || !slices.Equal(a.Sections[i].Hotlines, hotlines(u.Hotlines)) {
			t.Errorf("section %d: hotlines %v, the catalogue's %s has %v", i+1, a.Sections[i].Hotlines, id, u.Hotlines)
		}
	}
	if !slices.Equal(receipt.SampleCommonHotlines, hotlines(cat.Hotlines)) {
		t.Errorf("common hotlines %v, the catalogue's %v", receipt.SampleCommonHotlines, cat.Hotlines)
	}
}

// Two taps on 确认提交 that both reach Submit (the second before the first has its
// answers) submit once: one of them gets the result, the other the same result with
// ErrAlreadySubmitted, and each utility receives its part once.
func TestApplicationSubmittedOnceForTwoTaps(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	f.citizen(5)
	a := applyFor(t, f.k, map[string]string{"electricity.voltage": "low"},
		jointOf(t, f.k, catalog.JointConnection, utility.Electricity, utility.Water)...)
	type submitted struct {
		r   *app.ApplyResult
		err error
	}
	both := make(chan submitted, 2)
	for range 2 {
		go func() {
			r, err := a.Submit(context.Background())
			both <- submitted{r, err}
		}()
	}
	x, y := <-both, <-both
	if x.err != nil {
		x, y = y, x
	}
	if x.err != nil || !errors.Is(y.err, app.ErrAlreadySubmitted) || y.r == nil || x.r.JointRef != y.r.JointRef {
		t.Fatalf("two submits: %+v %v; %+v %v", x.r, x.err, y.r, y.err)
	}
	for _, id := range []string{utility.Electricity, utility.Water} {
		if n := receivedCount(t, f.sims, id, utility.KindApplication, ""); n != 1 {
			t.Errorf("%s received %d applications", id, n)
		}
	}
	if n, err := f.k.Outbox.Count(); err != nil || n[outbox.Done][utility.Electricity] != 1 || n[outbox.Done][utility.Water] != 1 {
		t.Fatalf("stored %v, %v", n, err)
	}
}
