package demo

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/mask"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// The papers 模拟扫码 offers are the simulated utilities' own: each code finds, through
// the kiosk's clients, the account or application its label names, at a utility the
// hall has enabled.
func TestScanChoices(t *testing.T) {
	twoUtilities := func(c *config.Config) { c.Utilities.Gas.Enabled, c.Utilities.Broadband.Enabled = false, false }
	tests := []struct {
		name    string
		paper   app.Paper
		hall    func(*config.Config)
		english bool
		// made is an application 陈建国 makes before the list is asked for.
		made bool
		n    int
		// want are the parts of labels that must be offered, want[0] first; none are
		// what no label may hold.
		want [][]string
		none []string
	}{
		// One bill each, in the citizens' order, but for 陈建国, who has no account.
		{name: "bills", paper: app.PaperBill, n: 8,
			want: [][]string{{"电费账单", " · 已缴清 · 张*"}, {"电费账单", " · 未缴 · 李*"}, {"燃气费账单", " · 未缴 · 赵*"},
				{"宽带费账单", " · 已缴清 · 欧***"}, {"水费账单", " · 未缴 · 玛**"}}},
		{name: "bills in English", paper: app.PaperBill, english: true, n: 8,
			want: [][]string{{"Electricity bill, ", " · Paid · 张*"}, {"Water bill, ", " · Unpaid · 玛**"}}},
		// 欧阳娜娜 has broadband only; 赵堃 owes the gas company alone.
		{name: "bills at two utilities", paper: app.PaperBill, hall: twoUtilities, n: 7,
			want: [][]string{{"电费账单", " · 已缴清 · 张*"}, {"电费账单", " · 已缴清 · 赵*"}}, none: []string{"燃气", "宽带", "欧***"}},
		// Newest first: 欧阳娜娜's broadband installation was accepted today.
		{name: "receipts", paper: app.PaperReceipt, n: 4,
			want: [][]string{{"宽带 · ", " · 欧***"}, {"供电 · ", " · 张*"}, {"供气 · ", " · 王**"}, {"供电 · ", " · 刘**"}}},
		{name: "a receipt made in this run first", paper: app.PaperReceipt, made: true, n: 5,
			want: [][]string{{"宽带 · ", " · 陈**"}, {"宽带 · ", " · 欧***"}}},
		{name: "receipts in English", paper: app.PaperReceipt, english: true, n: 4,
			want: [][]string{{"Broadband · ", " · 欧***"}, {"Electricity · ", " · 张*"}}},
		{name: "receipts at two utilities", paper: app.PaperReceipt, hall: twoUtilities, n: 2,
			want: [][]string{{"供电 · ", " · 张*"}, {"供电 · ", " · 刘**"}}, none: []string{"供气", "宽带"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, sims := simulatedKiosk(t, tc.hall)
			if tc.english {
				if err := k.Text.SetLang(i18n.EN); err != nil {
					t.Fatal(err)
				}
			}
			if tc.made {
				makeApplication(t, k, 5)
			}
			r := &Rig{}
			r.UseUtilities(sims)
			got, err := r.ScanChoices(k, tc.paper)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.n {
				t.Errorf("%d choices, want %d: %v", len(got), tc.n, got)
			}
			for i, parts := range tc.want {
				at := -1
				for j, c := range got {
					if strings.HasPrefix(c.Label, parts[0]) && strings.HasSuffix(c.Label, parts[1]) {
						at = j
						break
					}
				}
				if at < 0 || i == 0 && at != 0 {
					t.Errorf("%q…%q at %d, want it offered (first: %v): %v", parts[0], parts[1], at, i == 0, got)
				}
			}
			for _, c := range got {
				for _, bad := range tc.none {
					if strings.Contains(c.Label, bad) {
						t.Errorf("%q offered: %q", bad, c.Label)
					}
				}
				checkFinds(t, k, tc.paper, c)
			}
		})
	}
}

// simulatedKiosk is a kiosk on the demo configuration, changed by hall (nil: as it is),
// whose utilities are a simulator of their own on loopback HTTP.
func simulatedKiosk(t *testing.T, hall func(*config.Config)) (*app.Kiosk, *utilitysim.Server) {
	t.Helper()
	sims, err := utilitysim.Start(utilitysim.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sims.Close() })
	cfg := config.Defaults()
	cfg.Demo, cfg.Data.Dir = true, t.TempDir()
	if hall != nil {
		hall(cfg)
	}
	k, err := app.New(cfg, app.Options{UtilityURLs: sims.BaseURLs()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return k, sims
}

// checkFinds checks that the kiosk finds, by the choice's code, what its label names.
func checkFinds(t *testing.T, k *app.Kiosk, paper app.Paper, c app.ScanChoice) {
	t.Helper()
	ctx := context.Background()
	if paper == app.PaperBill {
		q, err := utility.ParseBillQR(c.Code)
		if err != nil || q.Bill == "" {
			t.Errorf("%q: %q is not a paper bill's QR: %v", c.Label, c.Code, err)
			return
		}
		a, err := k.FindAccount(ctx, q.Utility, q.Account)
		if err != nil || !strings.HasSuffix(c.Label, " · "+mask.Name(a.HolderName)) {
			t.Errorf("%q: the account found is %s's: %v", c.Label, mask.Name(a.HolderName), err)
		}
		return
	}
	ref, ok := k.RefFromQR(c.Code)
	if !ok {
		t.Errorf("%q: %q is not a tracking QR", c.Label, c.Code)
		return
	}
	found, err := k.FindApplication(ctx, ref)
	if err != nil || len(found.Applications) != 1 {
		t.Errorf("%q: %d applications found: %v", c.Label, len(found.Applications), err)
		return
	}
	if a := found.Applications[0]; !strings.HasPrefix(c.Label, k.Text.T("apply.utility."+a.Utility)+" · ") {
		t.Errorf("%q: the application found is at %s", c.Label, a.Utility)
	}
}

// makeApplication has the i-th demo citizen apply for broadband, as a kiosk would.
func makeApplication(t *testing.T, k *app.Kiosk, i int) {
	t.Helper()
	c, err := k.Client(utility.Broadband)
	if err != nil {
		t.Fatal(err)
	}
	p := utilitysim.DemoIdentities[i]
	if _, err := c.SubmitApplication(context.Background(), "demo-test", utility.Application{KioskRef: "KDEMO1",
		Service: "new_connection", Applicant: utility.Contact{Name: p.Name, IDNumber: p.IDNumber, Phone: p.Phone},
		Address: p.Address, Fields: map[string]string{"bandwidth": "1000m"}}); err != nil {
		t.Fatal(err)
	}
}

// A rig told of no simulated utilities has no papers to offer, and says why.
func TestScanChoicesWithoutUtilities(t *testing.T) {
	cfg := config.Defaults()
	cfg.Demo, cfg.Data.Dir = true, t.TempDir()
	closed := map[string]string{}
	for _, id := range config.UtilityIDs {
		closed[id] = "http://127.0.0.1:1"
	}
	k, err := app.New(cfg, app.Options{UtilityURLs: closed})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	if _, err := (&Rig{}).ScanChoices(k, app.PaperBill); !errors.Is(err, ErrNoUtilities) {
		t.Errorf("ScanChoices without utilities: %v", err)
	}
}

// The demo configuration (the embedded defaults) declares each simulated utility's
// application-number format (utilities.*.application_number), and 进度查询 by number asks
// a utility only numbers of its format: every number the simulator gives, seeded or made
// in this run, for an application or a 过户, matches its own utility's declared format and
// no other's, so that the two cannot drift apart unnoticed.
func TestDemoNumbersMatchTheirFormats(t *testing.T) {
	k, sims := simulatedKiosk(t, nil)
	cfg := k.Config
	numbers := map[string][]string{} // by utility
	for _, id := range utilitysim.Utilities {
		for _, p := range utilitysim.DemoIdentities {
			apps, err := sims.Applications(id, p.IDNumber)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range apps {
				numbers[id] = append(numbers[id], a.Reference)
			}
		}
	}
	seeded := 0
	for _, n := range numbers {
		seeded += len(n)
	}
	if seeded < 4 {
		t.Fatalf("%d seeded applications: %v", seeded, numbers)
	}
	ctx := context.Background()
	chen := utilitysim.DemoIdentities[5] // 陈建国: no account anywhere
	newHolder := utility.Contact{Name: chen.Name, IDNumber: chen.IDNumber, Phone: chen.Phone}
	for _, id := range utilitysim.Utilities {
		c, err := k.Client(id)
		if err != nil {
			t.Fatal(err)
		}
		acc, err := c.SubmitApplication(ctx, "format-app-"+id, utility.Application{KioskRef: "KFORMAT" + id, Service: "new_connection",
			Applicant: newHolder, Address: chen.Address, Fields: newConnectionFields[id]})
		if err != nil {
			t.Fatalf("%s: a new connection: %v", id, err)
		}
		numbers[id] = append(numbers[id], acc.Reference)
		acc, err = c.SubmitTransfer(ctx, "format-transfer-"+id, transferOfSeeded(t, sims, id, newHolder))
		if err != nil {
			t.Fatalf("%s: a 过户: %v", id, err)
		}
		numbers[id] = append(numbers[id], acc.Reference)
	}
	for _, id := range utilitysim.Utilities {
		for _, n := range numbers[id] {
			for _, other := range utilitysim.Utilities {
				u, _ := cfg.Utilities.ByID(other)
				f, err := u.NumberFormat()
				if err != nil || f == nil {
					t.Fatalf("the demo's %s declares no usable format %q: %v", other, u.ApplicationNumber, err)
				}
				if f.MatchString(n) != (other == id) {
					t.Errorf("%s's number %s: matches %s's format %s: %v", id, n, other, u.ApplicationNumber, other != id)
				}
			}
		}
	}
}

// newConnectionFields are a new connection's form fields at each simulated utility.
var newConnectionFields = map[string]map[string]string{
	utility.Electricity: {"voltage": "low", "capacity_kw": "10"},
	utility.Gas:         {"appliances": "stove"},
	utility.Broadband:   {"bandwidth": "500m"},
}

// transferOfSeeded is a 过户 of the first seeded account at a utility to newHolder, its
// unpaid bills paid at a counter first (a transfer of an account that owes is refused).
func transferOfSeeded(t *testing.T, sims *utilitysim.Server, id string, newHolder utility.Contact) utility.Transfer {
	t.Helper()
	for i := range utilitysim.DemoIdentities {
		account := utilitysim.AccountNumber(id, i)
		cert, ok := utilitysim.PropertyCertOf(id, account)
		if !ok {
			continue
		}
		bills, err := sims.Bills(id, account)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range bills {
			if !b.Paid {
				if err := sims.PayElsewhere(id, account, b.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		return utility.Transfer{KioskRef: "KFORMATGH" + id, Account: account, NewHolder: newHolder, PropertyCert: cert,
			Fields: map[string]string{"unchanged": "yes"}}
	}
	t.Fatalf("%s: no seeded account", id)
	return utility.Transfer{}
}
