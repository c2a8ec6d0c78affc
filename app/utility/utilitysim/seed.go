package utilitysim

import (
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/utility"
)

var keySeeded = []byte("seeded")

// AccountNumber is the account number (户号) of DemoIdentities[i] at a utility, whether
// or not the person has an account there: electricity 10 digits, water 8, gas 9,
// broadband 11.
func AccountNumber(utilityID string, i int) string {
	switch utilityID {
	case utility.Electricity:
		return fmt.Sprintf("3100%06d", 1001+i)
	case utility.Water:
		return fmt.Sprintf("420%05d", 1001+i)
	case utility.Gas:
		return fmt.Sprintf("6600%05d", 1001+i)
	case utility.Broadband:
		return fmt.Sprintf("07115%06d", 1001+i)
	}
	return ""
}

// PropertyCert is the number of the 不动产权证 of DemoIdentities[i]'s home as the
// kiosk's form asks for it, the digits of its 第×××号 (张三 0020001, 李四 0020002, …):
// each demo person's accounts are at that one address, and a 过户 of any of them must
// name it.
func PropertyCert(i int) string { return fmt.Sprintf("%07d", 20001+i) }

// PropertyCertOf is the certificate number a 过户 of a seeded account must name; ok is
// false for a number that is not a demo person's account at the utility.
func PropertyCertOf(utilityID, account string) (cert string, ok bool) {
	for i, p := range DemoIdentities {
		if slices.Contains(p.Accounts, utilityID) && AccountNumber(utilityID, i) == account {
			return PropertyCert(i), true
		}
	}
	return "", false
}

// seed creates the buckets and the demo data relative to the clock in a new file; in
// one seeded before, it checks that every bucket is there (errDamaged): one missing
// made a panic at the first request that needed it.
func (s *Server) seed() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists([]byte("meta"))
		if err != nil {
			return err
		}
		if meta.Get(keySeeded) != nil {
			for _, id := range Utilities {
				if _, err := bucketsOf(tx, id); err != nil {
					return err
				}
			}
			return nil
		}
		for _, id := range Utilities {
			u, err := tx.CreateBucketIfNotExists([]byte(id))
			if err != nil {
				return err
			}
			for _, name := range subBuckets {
				if _, err := u.CreateBucketIfNotExists(name); err != nil {
					return err
				}
			}
		}
		now := s.o.Clock.Now()
		for i, p := range DemoIdentities {
			for _, id := range p.Accounts {
				b, err := bucketsOf(tx, id)
				if err != nil {
					return err
				}
				if err := s.seedAccount(b, i, p, now); err != nil {
					return err
				}
			}
		}
		if err := s.seedApplications(tx, now); err != nil {
			return err
		}
		return meta.Put(keySeeded, []byte(now.UTC().Format(time.RFC3339)))
	})
}

// usage is a believable, repeatable monthly usage in thousandths of the unit.
func usage(utilityID, account, period string, business bool) utility.Quantity {
	h := fnv.New32a()
	h.Write([]byte(account + period))
	r := int64(h.Sum32() % 1000)
	switch {
	case utilityID == utility.Electricity && business:
		return utility.Quantity((3000 + r*3) * 1000)
	case utilityID == utility.Electricity:
		return utility.Quantity((120 + r*33/100) * 1000) // 120–450 kWh
	case utilityID == utility.Water:
		return utility.Quantity(6000 + r*24) // 6–30 m³
	case utilityID == utility.Gas:
		return utility.Quantity(8000 + r*28) // 8–36 m³
	}
	return 1000 // broadband: one month
}

func (s *Server) seedAccount(b ubk, i int, p Identity, now time.Time) error {
	business := p.Business && b.id == utility.Electricity
	number := AccountNumber(b.id, i)
	category := "居民"
	if business {
		category = "一般工商业"
	}
	plan := map[string]string{utility.Broadband: "500M 宽带", utility.Electricity: "居民阶梯电价"}[b.id]
	if business {
		plan = "一般工商业单一电价"
	}
	unpaid := slices.Contains(p.Unpaid, b.id)
	acc := accountRec{OwnerID: p.IDNumber, Phone: p.Phone, Property: PropertyCert(i), Account: utility.Account{
		Utility: b.id, Number: number, HolderName: p.Name, Address: p.Address, Category: category, Status: "normal", Plan: plan,
	}}
	if b.id == utility.Gas && !unpaid {
		// An IC-card gas meter: money paid ahead stands on the account as its balance.
		acc.Balance = utility.Fen(5630 + 1000*i)
	}
	if err := b.put(bAccounts, number, acc); err != nil {
		return err
	}
	first := time.Date(now.In(cst).Year(), now.In(cst).Month(), 1, 0, 0, 0, 0, cst)
	const months = 6
	for m := months; m >= 1; m-- {
		start := first.AddDate(0, -m, 0)
		period := start.Format("2006-01")
		q := usage(b.id, number, period, business)
		bill := utility.Bill{
			ID:      fmt.Sprintf("%s-%s", map[string]string{utility.Electricity: "E", utility.Water: "W", utility.Gas: "G", utility.Broadband: "N"}[b.id], start.Format("200601")),
			Account: number, Period: period, Usage: q, Unit: tariffs[b.id].Unit,
			Due: time.Date(start.Year(), start.Month()+1, 25, 23, 59, 59, 0, cst),
		}
		if business {
			c := utility.Cost(q, nonResidentialPower)
			bill.Tiers = []utility.TierLine{{Tier: 1, Name: "单一电价", Range: "不分档", Usage: q, Price: nonResidentialPower, Cost: c}}
			bill.Amount = c
		} else {
			bill.Tiers, bill.Fees, bill.Amount = tariffs[b.id].charge(q)
		}
		if b.id == utility.Electricity {
			prev := usage(b.id, number, start.AddDate(0, -1, 0).Format("2006-01"), business)
			lastYear := usage(b.id, number, start.AddDate(-1, 0, 0).Format("2006-01"), business)
			neighbours := utility.Quantity(260000)
			if business {
				neighbours = 4200000
			}
			bill.Efficiency = efficiency(q, prev, lastYear, neighbours)
		}
		bill.QR = utility.FormatBillQR(b.id, number, bill.ID)
		if !unpaid || m > 2 {
			bill.Paid, bill.PaidAt = true, bill.Due.AddDate(0, 0, -7)
			bill.Invoice = "https://einvoice.example.cn/" + b.id + "/" + number + "-" + bill.ID
		}
		if err := b.put(bBills, number+"/"+bill.ID, bill); err != nil {
			return err
		}
	}
	return nil
}

// seedApplications gives the demo people applications at different stages.
func (s *Server) seedApplications(tx *bolt.Tx, now time.Time) error {
	type seedApp struct {
		person   int
		utility  string
		service  string
		accepted time.Time
		done     []time.Time // completion times of the steps after the first
		fields   map[string]string
	}
	apps := []seedApp{
		{person: 0, utility: utility.Electricity, service: "capacity_change", accepted: before(s.days, now, 4),
			done: []time.Time{before(s.days, now, 3)}, fields: map[string]string{"voltage": "low", "capacity_kw": "12"}},
		{person: 2, utility: utility.Gas, service: "new_connection", accepted: before(s.days, now, 2),
			done: []time.Time{before(s.days, now, 1)}, fields: map[string]string{"appliances": "stove"}},
		{person: 4, utility: utility.Broadband, service: "new_connection", accepted: now.Add(-2 * time.Hour),
			fields: map[string]string{"bandwidth": "500m"}},
		{person: 6, utility: utility.Electricity, service: "new_connection", accepted: before(s.days, now, 8),
			fields: map[string]string{"voltage": "high", "capacity_kva": "630"}},
	}
	for _, a := range apps {
		b, err := bucketsOf(tx, a.utility)
		if err != nil {
			return err
		}
		u := &uapi{s: s, id: a.utility}
		svc, zero := catalogue[a.utility][a.service].outcome(a.utility, a.fields, a.accepted)
		p := DemoIdentities[a.person]
		// Numbered in its own day's sequence: today's is left to the applications made
		// today.
		acc, e := u.accept(b, a.service, svc, zero, a.accepted)
		if e != nil {
			return fmt.Errorf("utilitysim: seed: %s", e.message)
		}
		rec := appRecOf(a.utility, acc, p.IDNumber)
		rec.Applicant = utility.Contact{Name: p.Name, IDNumber: p.IDNumber, Phone: p.Phone}
		rec.Address, rec.Fields = p.Address, a.fields
		for _, t := range a.done {
			advance(&rec, t)
		}
		if err := b.put(bApplications, acc.Reference, rec); err != nil {
			return err
		}
	}
	return nil
}
