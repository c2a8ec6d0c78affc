package app_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/app/workdays"
)

// checkCitizenText checks that msg is a sentence for a citizen: Chinese, and none of the raw
// error's text or the protocol's words in it.
func checkCitizenText(t *testing.T, msg string, err error) {
	t.Helper()
	han := false
	for _, r := range msg {
		han = han || unicode.Is(unicode.Han, r)
	}
	if !han {
		t.Errorf("citizen message %q is not Chinese", msg)
	}
	for _, raw := range []string{"utility", "HTTP", "app:", "outbox", "error"} {
		if strings.Contains(msg, raw) {
			t.Errorf("citizen message %q shows %q", msg, raw)
		}
	}
	if err != nil && strings.Contains(msg, err.Error()) {
		t.Errorf("citizen message %q shows the raw error %q", msg, err)
	}
}

// acctTile is what a finished tile is expected to be.
type acctTile struct {
	state    app.LookupState
	accounts int // with Found
}

// StartAccountLookup asks every enabled utility at once and fills each tile on its own:
// every tile starts Loading in display order and ends with accounts, with none (Found
// and no account: 陈建国), or Unavailable with a Chinese message naming the utility when
// the utility is down, fails or is slower than its configured timeout; the others still
// answer. With a slow utility, the ordering of the answers proves they are not held up:
// the fast utilities answered while the slow one was still Loading, including those after
// it in display order (electricity is first), which a one-by-one look-up would make wait.
func TestAccountsLookupPerUtility(t *testing.T) {
	found := func(n int) acctTile { return acctTile{app.Found, n} }
	down := acctTile{state: app.Unavailable}
	for _, tc := range []struct {
		name    string
		citizen int
		faults  map[string]utilitysim.Faults
		// timeout overrides a utility's configured timeout.
		timeout map[string]time.Duration
		want    map[string]acctTile
		// slow is the utility whose answer must come after every other one.
		slow string
	}{
		{name: "accounts at all four", citizen: 0,
			want: map[string]acctTile{utility.Electricity: found(1), utility.Water: found(1), utility.Gas: found(1), utility.Broadband: found(1)}},
		{name: "no account anywhere", citizen: 5,
			want: map[string]acctTile{utility.Electricity: found(0), utility.Water: found(0), utility.Gas: found(0), utility.Broadband: found(0)}},
		{name: "some accounts", citizen: 1,
			want: map[string]acctTile{utility.Electricity: found(1), utility.Water: found(1), utility.Gas: found(1), utility.Broadband: found(0)}},
		{name: "gas down", citizen: 0, faults: map[string]utilitysim.Faults{utility.Gas: {Down: true}},
			want: map[string]acctTile{utility.Electricity: found(1), utility.Water: found(1), utility.Gas: down, utility.Broadband: found(1)}},
		{name: "water failing", citizen: 0, faults: map[string]utilitysim.Faults{utility.Water: {ErrorRate: 1}},
			want: map[string]acctTile{utility.Electricity: found(1), utility.Water: down, utility.Gas: found(1), utility.Broadband: found(1)}},
		{name: "electricity slower than its timeout", citizen: 0,
			faults:  map[string]utilitysim.Faults{utility.Electricity: {LatencyMS: 10000}},
			timeout: map[string]time.Duration{utility.Electricity: 600 * time.Millisecond},
			want:    map[string]acctTile{utility.Electricity: down, utility.Water: found(1), utility.Gas: found(1), utility.Broadband: found(1)},
			slow:    utility.Electricity},
		{name: "everyone down but broadband", citizen: 0,
			faults: map[string]utilitysim.Faults{utility.Electricity: {Down: true}, utility.Water: {Down: true}, utility.Gas: {Down: true}},
			want:   map[string]acctTile{utility.Electricity: down, utility.Water: down, utility.Gas: down, utility.Broadband: found(1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlowsConfigured(t, utilitysim.Options{}, func(c *config.Config) {
				for id, d := range tc.timeout {
					u, _ := c.Utilities.ByID(id)
					u.Timeout.Duration = d
				}
			})
			for id, fl := range tc.faults {
				if err := f.sims.SetFaults(id, fl); err != nil {
					t.Fatal(err)
				}
			}
			f.citizen(tc.citizen)
			who := utilitysim.DemoIdentities[tc.citizen]

			// Each answer heard takes a snapshot of the tiles, in answer order.
			var mu sync.Mutex
			var snaps [][]app.UtilityAccounts
			ready := make(chan struct{})
			var acc *app.Accounts
			f.k.OnLookup(func() {
				<-ready
				// Under mu: answers come on goroutines of their own, and a snapshot
				// taken before another's must not be kept after it.
				mu.Lock()
				snaps = append(snaps, acc.Tiles())
				mu.Unlock()
			})
			acc, err := f.k.StartAccountLookup()
			if err != nil {
				t.Fatal(err)
			}
			first := acc.Tiles()
			close(ready)
			if got, ok := f.k.SessionAccounts(); !ok || got != acc {
				t.Fatal("the look-up is not kept in the session")
			}
			if len(first) != len(config.UtilityIDs) {
				t.Fatalf("%d tiles, want one per utility", len(first))
			}
			for i, tile := range first {
				if tile.Utility != config.UtilityIDs[i] {
					t.Fatalf("tile %d is %s, want display order %v", i, tile.Utility, config.UtilityIDs)
				}
			}
			if tc.slow != "" && acctTileState(first, tc.slow) != app.Loading {
				t.Fatalf("the slow utility's tile starts %v, want Loading", acctTileState(first, tc.slow))
			}
			awaitLookup(t, acc)

			mu.Lock()
			defer mu.Unlock()
			if len(snaps) != len(config.UtilityIDs) {
				t.Fatalf("changed was called %d times, want once per utility", len(snaps))
			}
			// Each tile leaves Loading once and never changes again.
			answeredAt := map[string]int{}
			final := acc.Tiles()
			for i, s := range snaps {
				for _, tile := range s {
					at, seen := answeredAt[tile.Utility]
					switch {
					case tile.State == app.Loading && seen:
						t.Fatalf("%s went back to Loading (snapshot %d)", tile.Utility, i)
					case tile.State != app.Loading && !seen:
						answeredAt[tile.Utility] = i
					case tile.State != app.Loading && tile.State != acctTileState(snaps[at], tile.Utility):
						t.Fatalf("%s changed its answer (snapshot %d)", tile.Utility, i)
					}
				}
			}
			for _, tile := range final {
				w := tc.want[tile.Utility]
				if tile.State != w.state {
					t.Errorf("%s: state %v, want %v (%v)", tile.Utility, tile.State, w.state, tile.Err)
					continue
				}
				switch w.state {
				case app.Found:
					if len(tile.Accounts) != w.accounts || tile.Err != nil {
						t.Errorf("%s: %d accounts %v, want %d", tile.Utility, len(tile.Accounts), tile.Err, w.accounts)
					}
					for _, a := range tile.Accounts {
						if a.Number != utilitysim.AccountNumber(tile.Utility, tc.citizen) || a.HolderName != who.Name || a.Utility != tile.Utility {
							t.Errorf("%s: account %+v is not %s's", tile.Utility, a, who.Name)
						}
					}
				case app.Unavailable:
					name, msg := f.k.UtilityName(tile.Utility), f.k.CitizenMessage(tile.Err, tile.Utility)
					if len(tile.Accounts) != 0 || !strings.Contains(msg, name) || !strings.Contains(msg, "暂时无法连接") {
						t.Errorf("%s: unavailable with %d accounts, message %q (want it to name %s)", tile.Utility, len(tile.Accounts), msg, name)
					}
					checkCitizenText(t, msg, nil)
				}
			}
			if tc.slow != "" {
				for id, at := range answeredAt {
					if id != tc.slow && at >= answeredAt[tc.slow] {
						t.Errorf("%s answered after (or with) the slow %s: answers %v", id, tc.slow, answeredAt)
					}
				}
			}
		})
	}
}

func acctTileState(tiles []app.UtilityAccounts, id string) app.LookupState {
	for _, t := range tiles {
		if t.Utility == id {
			return t.State
		}
	}
	return -1
}

// awaitLookup waits for a look-up to finish, failing after flowPatience.
func awaitLookup(t *testing.T, acc interface{ Wait() }) {
	t.Helper()
	done := make(chan struct{})
	go func() { acc.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(flowPatience):
		t.Fatal("the look-up did not finish")
	}
}

// A look-up by identity needs an identified citizen: none without a session, none for
// an anonymous one (a visit without a card).
func TestAccountsLookupNeedsIdentity(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	if _, err := f.k.StartAccountLookup(); !errors.Is(err, app.ErrNoSession) {
		t.Fatalf("without a session: %v, want ErrNoSession", err)
	}
	f.k.EnsureSession()
	if _, err := f.k.StartAccountLookup(); !errors.Is(err, app.ErrNoSession) {
		t.Fatalf("anonymous session: %v, want ErrNoSession", err)
	}
	if _, ok := f.k.SessionAccounts(); ok {
		t.Fatal("a refused look-up left accounts in the session")
	}
}

// A visit without a card is journaled as one with: its start (no subject: nobody is
// known), then its end, so that the day's report counts it and a crash closes it.
func TestAnonymousVisitJournaled(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	s := f.k.EnsureSession()
	if again := f.k.EnsureSession(); again != s {
		t.Fatal("a second look-up opened another session")
	}
	f.k.Sessions.End(session.ReasonExit)
	events, err := f.k.Journal.Range(time.Unix(0, 0), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if e.Session == s.ID {
			got = append(got, fmt.Sprintf("%s %s %q", e.Kind, e.Detail, e.Subject))
		}
	}
	want := []string{`session.start anonymous ""`, `session.end exit ""`}
	if !slices.Equal(got, want) {
		t.Errorf("the visit journaled as %q, want %q", got, want)
	}
}

// FindAccount by a typed account number (户号): the right number gives the account with
// its arrears and opens an anonymous session for it when there is none; a malformed
// number, an unknown one and a utility that is down each give an error the kiosk turns
// into its own Chinese sentence (never the raw error).
func TestAccountsFindByNumber(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	if err := f.sims.SetFaults(utility.Gas, utilitysim.Faults{Down: true}); err != nil {
		t.Fatal(err)
	}
	water := utilitysim.AccountNumber(utility.Water, 1)
	for _, tc := range []struct {
		name, utility, number string
		err                   error // nil: found
		msg                   string
	}{
		{name: "right number", utility: utility.Water, number: water},
		{name: "surrounding spaces", utility: utility.Water, number: " " + water + " "},
		{name: "unknown number", utility: utility.Water, number: "42099999", err: utility.ErrNotFound, msg: f.k.Text.T("accounts.not_found")},
		{name: "another utility's number", utility: utility.Electricity, number: water, err: utility.ErrNotFound, msg: f.k.Text.T("accounts.not_found")},
		{name: "letters", utility: utility.Water, number: "4200a002", err: app.ErrBadAccountNumber, msg: f.k.Text.T("accounts.bad_number")},
		{name: "too short", utility: utility.Water, number: "42001", err: app.ErrBadAccountNumber, msg: f.k.Text.T("accounts.bad_number")},
		{name: "empty", utility: utility.Water, number: "", err: app.ErrBadAccountNumber, msg: f.k.Text.T("accounts.bad_number")},
		{name: "utility down", utility: utility.Gas, number: utilitysim.AccountNumber(utility.Gas, 1), err: utility.ErrUnavailable, msg: "暂时无法连接"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := f.k.FindAccount(context.Background(), tc.utility, tc.number)
			if tc.err == nil {
				if err != nil {
					t.Fatal(err)
				}
				if a.Number != water || a.Utility != utility.Water || a.HolderName != "李四" || a.Unpaid != 2 || a.Arrears <= 0 || a.Status != "arrears" {
					t.Fatalf("account %+v", a)
				}
				return
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			msg := f.k.LookupMessage(err, tc.utility)
			if !strings.Contains(msg, tc.msg) {
				t.Fatalf("citizen message %q, want %q", msg, tc.msg)
			}
			checkCitizenText(t, msg, err)
		})
	}
	// The look-ups ran without a card: they belong to an anonymous session, wiped like any.
	s := f.k.Sessions.Current()
	if s == nil {
		t.Fatal("a look-up by number opened no session")
	}
	if _, ok := s.Identity(); ok {
		t.Fatal("the anonymous session has an identity")
	}
	f.k.Exit()
	if !s.Wiped() || s.Len() != 0 {
		t.Fatal("the anonymous visit was not wiped")
	}
}

// A paper bill's QR (with or without its bill), read as the screens read a scan, finds
// the account it names; a code that is not a bill's is refused as a bad number, and a
// bill QR of an unknown account as not found.
func TestAccountsFindByBillQR(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	elec := utilitysim.AccountNumber(utility.Electricity, 1)
	bills, err := f.k.Bills(context.Background(), utility.Electricity, elec)
	if err != nil || len(bills) == 0 {
		t.Fatalf("bills %v, %v", bills, err)
	}
	for _, tc := range []struct {
		name, code string
		account    string // "" : refused
		err        error
		msg        string
	}{
		{name: "bill QR", code: bills[0].QR, account: elec},
		{name: "account QR", code: utility.FormatBillQR(utility.Water, utilitysim.AccountNumber(utility.Water, 1), ""), account: utilitysim.AccountNumber(utility.Water, 1)},
		{name: "tracking QR", code: "https://track.example.cn/a/SQ20261125001", err: utility.ErrNotBillQR, msg: f.k.Text.T("accounts.bad_number")},
		{name: "unknown utility", code: "UBILL:1:heating:1234567:H-1", err: utility.ErrNotBillQR, msg: f.k.Text.T("accounts.bad_number")},
		{name: "unknown account", code: utility.FormatBillQR(utility.Electricity, "3100999999", "E-202601"), err: utility.ErrNotFound, msg: f.k.Text.T("accounts.not_found")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := utility.ParseBillQR(tc.code)
			var a utility.Account
			if err == nil {
				a, err = f.k.FindAccount(context.Background(), q.Utility, q.Account)
			}
			if tc.account != "" {
				if err != nil || a.Number != tc.account || a.HolderName != "李四" {
					t.Fatalf("account %+v, %v; want %s", a, err, tc.account)
				}
				return
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if msg := f.k.LookupMessage(err, ""); msg != tc.msg {
				t.Fatalf("citizen message %q, want %q", msg, tc.msg)
			}
		})
	}
	if !strings.HasPrefix(bills[0].QR, "UBILL:1:electricity:"+elec+":") {
		t.Fatalf("the bill's QR is %q", bills[0].QR)
	}
}

// Bills and Bill for 李四, who owes two months of electricity and of water: six months
// newest first, the two newest unpaid and the rest paid (with the date and e-invoice),
// each due on the 25th of the next month (CST, end of day); the tier lines are numbered
// and named, add up to the usage, and with the fees add up to the amount; electricity has
// its 能效 detail, water its 污水处理费; Bill gives the same bill as the list; the
// account's arrears are the unpaid bills' total.
func TestBillsContent(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	ctx := context.Background()
	for _, tc := range []struct {
		utility, prefix, unit, fee string
		efficiency                 bool
	}{
		{utility: utility.Electricity, prefix: "E-", unit: "千瓦时", efficiency: true},
		{utility: utility.Water, prefix: "W-", unit: "立方米", fee: "污水处理费"},
	} {
		t.Run(tc.utility, func(t *testing.T) {
			number := utilitysim.AccountNumber(tc.utility, 1)
			bills, err := f.k.Bills(ctx, tc.utility, number)
			if err != nil {
				t.Fatal(err)
			}
			if len(bills) != 6 {
				t.Fatalf("%d bills, want 6", len(bills))
			}
			var owed utility.Fen
			for i, b := range bills {
				if i > 0 && b.Period >= bills[i-1].Period {
					t.Errorf("bill %d (%s) is not older than the one before (%s)", i, b.Period, bills[i-1].Period)
				}
				if !strings.HasPrefix(b.ID, tc.prefix) || b.Account != number || b.Unit != tc.unit || b.Amount <= 0 || b.Usage <= 0 {
					t.Errorf("bill %+v", b)
				}
				start, err := time.ParseInLocation("2006-01", b.Period, workdays.CST)
				if err != nil {
					t.Fatalf("period %q: %v", b.Period, err)
				}
				if due := time.Date(start.Year(), start.Month()+1, 25, 23, 59, 59, 0, workdays.CST); !b.Due.Equal(due) {
					t.Errorf("%s: due %v, want %v", b.Period, b.Due, due)
				}
				unpaid := i < 2
				if b.Paid == unpaid {
					t.Errorf("%s: paid %v, want %v", b.Period, b.Paid, !unpaid)
				}
				if b.Paid && (b.PaidAt.IsZero() || b.Invoice == "") {
					t.Errorf("%s: paid without date or e-invoice: %+v", b.Period, b)
				}
				if unpaid {
					owed += b.Amount
					if !b.PaidAt.IsZero() || b.Invoice != "" {
						t.Errorf("%s: unpaid with a payment: %+v", b.Period, b)
					}
				}
				if len(b.Tiers) == 0 {
					t.Fatalf("%s: no tiers", b.Period)
				}
				var usage utility.Quantity
				var total utility.Fen
				for j, tier := range b.Tiers {
					if tier.Tier != j+1 || tier.Name != []string{"第一档", "第二档", "第三档"}[j] || tier.Range == "" || tier.Price <= 0 {
						t.Errorf("%s: tier %d %+v", b.Period, j, tier)
					}
					usage += tier.Usage
					total += tier.Cost
				}
				hasFee := false
				for _, fee := range b.Fees {
					total += fee.Cost
					hasFee = hasFee || fee.Name == tc.fee
				}
				if usage != b.Usage || total != b.Amount {
					t.Errorf("%s: tiers %v %s and fees make %v %s, bill says %v %s", b.Period, usage, b.Unit, total, "fen", b.Usage, b.Unit)
				}
				if tc.fee != "" && !hasFee {
					t.Errorf("%s: no %s in %+v", b.Period, tc.fee, b.Fees)
				}
				if tc.efficiency != (b.Efficiency != nil) {
					t.Errorf("%s: 能效 detail %+v", b.Period, b.Efficiency)
				}
				if b.Efficiency != nil && (b.Efficiency.Grade == "" || b.Efficiency.PeakUsage+b.Efficiency.ValleyUsage != b.Usage) {
					t.Errorf("%s: 能效 %+v", b.Period, *b.Efficiency)
				}
				one, err := f.k.Bill(ctx, tc.utility, number, b.ID)
				if err != nil {
					t.Fatal(err)
				}
				if one.ID != b.ID || one.Amount != b.Amount || one.Paid != b.Paid || len(one.Tiers) != len(b.Tiers) || !one.Due.Equal(b.Due) {
					t.Errorf("Bill(%s) = %+v, the list has %+v", b.ID, one, b)
				}
			}
			a, err := f.k.FindAccount(ctx, tc.utility, number)
			if err != nil {
				t.Fatal(err)
			}
			if a.Arrears != owed || a.Unpaid != 2 {
				t.Errorf("account arrears %v in %d bills, the bills owe %v in 2", a.Arrears, a.Unpaid, owed)
			}
			if _, err := f.k.Bill(ctx, tc.utility, number, tc.prefix+"190001"); !errors.Is(err, utility.ErrNotFound) {
				t.Errorf("unknown bill: %v, want ErrNotFound", err)
			}
		})
	}
	if _, err := f.k.Bills(ctx, utility.Water, "42099999"); !errors.Is(err, utility.ErrNotFound) {
		t.Errorf("bills of an unknown account: %v, want ErrNotFound", err)
	}
}

// What a citizen reads about a utility's error follows the kiosk's language; the
// utility's own words are shown as it put them, in English after the kiosk's English
// for the problem.
func TestCitizenMessageInTheKiosksLanguage(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	down := &utility.Error{Kind: utility.ErrUnavailable}
	own := &utility.Error{Kind: utility.ErrRejected, Message: "联系电话格式不正确"}
	unpaid := &utility.Error{Kind: utility.ErrUnpaidBills, Amount: 12345}
	crowded := &utility.Error{Kind: utility.ErrBusy, Status: 429, Code: utility.CodeRateLimited}
	for _, tc := range []struct {
		lang                                 i18n.Lang
		down, unpaid, notFound, crowded, own string
	}{
		{i18n.ZH, "系统暂时无法连接", "（￥123.45）", "没有找到这个户号", "当前办理的人较多", "联系电话格式不正确"},
		{i18n.EN, "cannot be reached right now", "(￥123.45)", "No account with this number", "handling many requests",
			f.k.Config.Utilities.Gas.NameEN + " did not accept this request; please ask at a service counter (in its own words: 联系电话格式不正确)"},
	} {
		if err := f.k.Text.SetLang(tc.lang); err != nil {
			t.Fatal(err)
		}
		if msg := f.k.CitizenMessage(down, utility.Gas); !strings.Contains(msg, tc.down) || !strings.Contains(msg, f.k.UtilityName(utility.Gas)) {
			t.Errorf("%s: a utility down reads %q", tc.lang, msg)
		}
		if msg := f.k.CitizenMessage(unpaid, utility.Gas); !strings.Contains(msg, tc.unpaid) {
			t.Errorf("%s: unpaid bills read %q", tc.lang, msg)
		}
		if msg := f.k.LookupMessage(&utility.Error{Kind: utility.ErrNotFound}, utility.Gas); !strings.Contains(msg, tc.notFound) {
			t.Errorf("%s: an account not found reads %q", tc.lang, msg)
		}
		if msg := f.k.CitizenMessage(crowded, utility.Gas); !strings.Contains(msg, tc.crowded) {
			t.Errorf("%s: a utility that asks the kiosk to slow down reads %q", tc.lang, msg)
		}
		if msg := f.k.CitizenMessage(own, utility.Gas); msg != tc.own {
			t.Errorf("%s: the utility's own words read %q", tc.lang, msg)
		}
	}
}

// A citizen who leaves stops the look-up of their accounts: no utility still works on
// their ID number after the wipe (here the utilities would take a minute to answer).
func TestAccountLookupStopsAtTheWipe(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	for _, u := range allUtilities {
		setFaults(t, f.sims, u, utilitysim.Faults{LatencyMS: 60000})
	}
	f.citizen(0)
	acc, err := f.k.StartAccountLookup()
	if err != nil {
		t.Fatal(err)
	}
	f.k.Exit()
	done := make(chan struct{})
	go func() { acc.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(flowPatience): // the look-up's own limit is 30 s, the answers a minute
		t.Fatal("the look-up went on after the citizen left")
	}
}

// A refusal kept to be shown later is worded in both languages: the receipt prints the
// Chinese, the screens show it in the language of the moment, whatever the language was
// when it came (a result page toggled to English showed the kiosk's Chinese sentence,
// and a refusal that came in English went on the Chinese receipt). The utility's own
// words, Chinese, follow the kiosk's English for the refusal in English (the English
// page showed the Chinese sentence alone); the kiosk's end without a full stop, as its
// other messages.
func TestRefusalInBothLanguages(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	if err := f.k.Text.SetLang(i18n.EN); err != nil {
		t.Fatal(err)
	}
	gasZH, gasEN := f.k.Config.Utilities.Gas.Name, f.k.Config.Utilities.Gas.NameEN
	for _, tc := range []struct {
		name   string
		err    error
		zh, en string
	}{
		{"refused, no reason given", &utility.Error{Kind: utility.ErrRejected},
			gasZH + "未受理此项业务，请到人工窗口咨询", gasEN + " did not accept this request; please ask at a service counter"},
		{"the kiosk not let in", &utility.Error{Kind: utility.ErrAuth},
			gasZH + "暂时无法办理，请联系大厅工作人员", gasEN + " cannot handle this right now; please ask the hall staff"},
		{"the utility's own words", &utility.Error{Kind: utility.ErrRejected, Message: "该地址暂不具备通气条件。"},
			"该地址暂不具备通气条件。", gasEN + " did not accept this request; please ask at a service counter (in its own words: 该地址暂不具备通气条件。)"},
		{"the utility's own words in English", &utility.Error{Kind: utility.ErrRejected, Message: "Address not served yet."},
			"Address not served yet.", "Address not served yet."},
	} {
		r := f.k.Refusal(tc.err, utility.Gas)
		if r.ZH != tc.zh || r.EN != tc.en {
			t.Errorf("%s: %q / %q, want %q / %q", tc.name, r.ZH, r.EN, tc.zh, tc.en)
		}
		p := app.PartAnswer{Refused: r.ZH, RefusedEN: r.EN}
		if p.RefusedIn(i18n.ZH) != tc.zh || p.RefusedIn(i18n.EN) != tc.en {
			t.Errorf("%s: the part reads %q / %q", tc.name, p.RefusedIn(i18n.ZH), p.RefusedIn(i18n.EN))
		}
	}
}

// 重新查询: a utility whose tile is Unavailable is asked again, its tile Loading until it
// answers, then what it says now; a second retry while it asks, a retry of a tile that
// answered, and one without a look-up in the visit ask nothing.
func TestRetryAccounts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		fault  utilitysim.Faults
		after  utilitysim.Faults // the water utility's faults when asked again
		retry  string            // the utility asked again
		asked  bool
		want   app.LookupState // the water tile at the end
		lookup bool            // the visit has a look-up
	}{
		// Asked again, water answers after a moment: its tile is seen Loading first.
		{name: "recovered", fault: utilitysim.Faults{ErrorRate: 1}, after: utilitysim.Faults{LatencyMS: 500}, retry: utility.Water, asked: true, want: app.Found, lookup: true},
		{name: "still failing", fault: utilitysim.Faults{Malformed: true}, after: utilitysim.Faults{Malformed: true, LatencyMS: 500}, retry: utility.Water, asked: true, want: app.Unavailable, lookup: true},
		{name: "a tile that answered", retry: utility.Water, want: app.Found, lookup: true},
		{name: "no look-up", retry: utility.Water},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlows(t, utilitysim.Options{})
			setFaults(t, f.sims, utility.Water, tc.fault)
			f.citizen(1)
			if !tc.lookup {
				if f.k.RetryAccounts(tc.retry) {
					t.Fatal("asked again without a look-up")
				}
				return
			}
			acc, err := f.k.StartAccountLookup()
			if err != nil {
				t.Fatal(err)
			}
			awaitLookup(t, acc)
			setFaults(t, f.sims, utility.Water, tc.after)
			answered := make(chan struct{}, 8)
			f.k.OnLookup(func() { answered <- struct{}{} })
			if got := f.k.RetryAccounts(tc.retry); got != tc.asked {
				t.Fatalf("RetryAccounts = %v, want %v", got, tc.asked)
			}
			if !tc.asked {
				if s := acctTileState(acc.Tiles(), utility.Water); s != tc.want {
					t.Fatalf("the tile that answered is now %v", s)
				}
				return
			}
			if s := acctTileState(acc.Tiles(), utility.Water); s != app.Loading {
				t.Fatalf("the tile asked again is %v, want Loading", s)
			}
			if f.k.RetryAccounts(tc.retry) {
				t.Fatal("a second retry while the first asks asked again")
			}
			<-answered // Loading
			select {
			case <-answered:
			case <-time.After(flowPatience):
				t.Fatal("the utility asked again did not answer")
			}
			for _, tile := range acc.Tiles() {
				if tile.Utility == utility.Water && (tile.State != tc.want || tc.want == app.Found && len(tile.Accounts) != 1) {
					t.Fatalf("water after the retry: %+v", tile)
				}
				if tile.Utility != utility.Water && tile.State != app.Found {
					t.Fatalf("%s changed with the retry of water: %+v", tile.Utility, tile)
				}
			}
		})
	}
}
