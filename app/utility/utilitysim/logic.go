package utilitysim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/workdays"
)

// ---- accounts and bills ----

func (u *uapi) accountsSearch(w http.ResponseWriter, r *http.Request) {
	var id utility.Identity
	if e := decode(info(r).body, &id); e != nil {
		writeErr(w, e)
		return
	}
	if !ValidIDNumber(id.IDNumber) {
		writeErr(w, invalid("id_number", "证件号码有误，请重新读取身份证"))
		return
	}
	if err := u.catchUp(); err != nil {
		u.internal(w, err)
		return
	}
	out := []utility.Account{}
	err := u.view(func(b ubk) error {
		return b.sub(bAccounts).ForEach(func(k, v []byte) error {
			var a accountRec
			if json.Unmarshal(v, &a) == nil && a.OwnerID == id.IDNumber && (id.Name == "" || id.Name == a.HolderName) {
				out = append(out, u.withBalance(b, a.Account))
			}
			return nil
		})
	})
	u.found(w, map[string]any{"accounts": out}, true, err, "")
}

// withBalance fills an account's arrears and unpaid count from its bills.
func (u *uapi) withBalance(b ubk, a utility.Account) utility.Account {
	a.Arrears, a.Unpaid = 0, 0
	// A bill that asks nothing (a correction or a credit left it at ￥0.00) owes nothing:
	// it is not counted, holds up no 过户 and no later bill.
	for _, bill := range u.bills(b, a.Number) {
		if bill.Payable() {
			a.Arrears += bill.Amount
			a.Unpaid++
		}
	}
	a.Status = "normal"
	if a.Unpaid > 0 && slices.ContainsFunc(u.bills(b, a.Number), func(x utility.Bill) bool { return x.Payable() && u.now().After(x.Due) }) {
		a.Status = "arrears"
	}
	return a
}

// bills are the bills of the account's holder, the latest first: those of periods that
// ended before a 过户 handed the account over are the previous holder's, neither shown
// to the new one nor owed by them.
func (u *uapi) bills(b ubk, account string) []utility.Bill {
	var a accountRec
	b.get(bAccounts, account, &a)
	var out []utility.Bill
	c := b.sub(bBills).Cursor()
	prefix := []byte(account + "/")
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var bill utility.Bill
		if json.Unmarshal(v, &bill) == nil && !beforeHolder(bill, a.HolderSince) {
			out = append(out, bill)
		}
	}
	slices.SortFunc(out, func(x, y utility.Bill) int { return strings.Compare(y.Period, x.Period) })
	return out
}

// beforeHolder reports whether a bill's period (yyyy-mm, CST) ended by since, when
// the holder took the account over: the bill is the previous holder's. A period that
// does not parse is never taken for one.
func beforeHolder(bill utility.Bill, since time.Time) bool {
	start, err := time.ParseInLocation("2006-01", bill.Period, cst)
	return err == nil && !since.IsZero() && !start.AddDate(0, 1, 0).After(since)
}

func (u *uapi) accountGet(w http.ResponseWriter, r *http.Request) {
	if err := u.catchUp(); err != nil {
		u.internal(w, err)
		return
	}
	var a accountRec
	found := false
	err := u.view(func(b ubk) error {
		if found = b.get(bAccounts, r.PathValue("number"), &a); found {
			a.Account = u.withBalance(b, a.Account)
		}
		return nil
	})
	u.found(w, a.Account, found, err, "未找到该户号，请核对后重新输入")
}

func (u *uapi) billsList(w http.ResponseWriter, r *http.Request) {
	if err := u.catchUp(); err != nil {
		u.internal(w, err)
		return
	}
	bills := []utility.Bill{}
	found := false
	err := u.view(func(b ubk) error {
		var a accountRec
		if found = b.get(bAccounts, r.PathValue("number"), &a); found {
			bills = append(bills, u.bills(b, a.Number)...)
		}
		return nil
	})
	u.found(w, map[string]any{"bills": bills}, found, err, "未找到该户号，请核对后重新输入")
}

// billGet answers one bill, as billsList would list it: a bill of the previous
// holder (one a paper bill's QR from before a 过户 names) is not the new holder's to see.
func (u *uapi) billGet(w http.ResponseWriter, r *http.Request) {
	if err := u.catchUp(); err != nil {
		u.internal(w, err)
		return
	}
	var bill utility.Bill
	found := false
	err := u.view(func(b ubk) error {
		number := r.PathValue("number")
		var a accountRec
		found = b.get(bAccounts, number, &a) && b.get(bBills, number+"/"+r.PathValue("bill"), &bill) &&
			!beforeHolder(bill, a.HolderSince)
		return nil
	})
	u.found(w, bill, found, err, "未找到该账单")
}

// ---- payments ----

func (u *uapi) createPayment(b ubk, kiosk string, body []byte) (any, *apiError) {
	var p utility.PaymentRequest
	if e := decode(body, &p); e != nil {
		return nil, e
	}
	var a accountRec
	if !b.get(bAccounts, p.Account, &a) {
		return nil, notFound("未找到该户号，请核对后重新输入")
	}
	if len(p.Bills) == 0 {
		return nil, invalid("bills", "请选择要缴纳的账单")
	}
	var total utility.Fen
	for _, id := range p.Bills {
		var bill utility.Bill
		if !b.get(bBills, p.Account+"/"+id, &bill) {
			return nil, invalid("bills", "账单不存在，请重新查询")
		}
		if bill.Paid {
			return nil, invalid("bills", fmt.Sprintf("%s 账单已缴清，请重新查询", bill.Period))
		}
		total += bill.Amount
	}
	if total != p.Amount {
		return nil, invalid("amount_fen", "缴费金额与账单不符，请重新查询")
	}
	if u.s.o.OldestFirst {
		if older, ok := u.olderUnpaid(b, p.Account, p.Bills); ok {
			return nil, invalid("bills", fmt.Sprintf("请先缴纳%s的账单：本单位的账单须按账期从早到晚缴纳", workdays.FormatMonth(older.Period, i18n.ZH)))
		}
	}
	lim := u.s.o.Limits
	if total > lim.PerPayment {
		return nil, &apiError{status: 422, code: utility.CodeLimitExceeded, message: fmt.Sprintf("自助缴费单笔不能超过%s元，请到人工窗口办理", lim.PerPayment)}
	}
	now := u.now()
	day, month := 0, 0
	var superseded []paymentRec
	_ = b.sub(bPayments).ForEach(func(k, v []byte) error {
		var x paymentRec
		if json.Unmarshal(v, &x) != nil || x.Account != p.Account {
			return nil
		}
		x = u.settle(x)
		if x.Status == utility.PaymentPending {
			for _, id := range p.Bills {
				if slices.Contains(x.Bills, id) {
					superseded = append(superseded, x)
					return nil
				}
			}
		}
		if x.Status != utility.PaymentPaid && x.Status != utility.PaymentPending {
			return nil
		}
		if x.Created.In(cst).Format("200601") == now.In(cst).Format("200601") {
			month++
			if x.Created.In(cst).Format("20060102") == now.In(cst).Format("20060102") {
				day++
			}
		}
		return nil
	})
	if day >= lim.PerDay {
		return nil, &apiError{status: 422, code: utility.CodeLimitExceeded, message: fmt.Sprintf("该户今日自助缴费已达%d笔，请明日再试或到人工窗口办理", lim.PerDay)}
	}
	if month >= lim.PerMonth {
		return nil, &apiError{status: 422, code: utility.CodeLimitExceeded, message: fmt.Sprintf("该户本月自助缴费已达%d笔，请到人工窗口办理", lim.PerMonth)}
	}
	// A new order for the same bills replaces one still waiting (the citizen came back).
	for _, x := range superseded {
		x.Status = utility.PaymentCancelled
		if err := b.put(bPayments, x.Reference, x); err != nil {
			return nil, &apiError{status: 500, code: utility.CodeInternal}
		}
	}
	ref, err := b.next("ZF", now)
	if err != nil {
		return nil, &apiError{status: 500, code: utility.CodeInternal}
	}
	pay := paymentRec{Created: now, Payment: utility.Payment{
		Reference: ref, KioskRef: p.KioskRef, Account: p.Account, Bills: p.Bills, Amount: total,
		Status: utility.PaymentPending, PayURL: u.s.PayURL(u.id, ref), ExpiresAt: now.Add(u.s.o.PaymentTTL),
	}}
	if err := b.put(bPayments, ref, pay); err != nil {
		return nil, &apiError{status: 500, code: utility.CodeInternal}
	}
	return pay.Payment, nil
}

// olderUnpaid is the oldest unpaid bill of account that chosen leaves out while it pays
// a later one (Options.OldestFirst); ok is false when there is none.
func (u *uapi) olderUnpaid(b ubk, account string, chosen []string) (utility.Bill, bool) {
	all := u.bills(b, account) // the latest first
	latest := ""
	for _, bill := range all {
		if slices.Contains(chosen, bill.ID) && bill.Period > latest {
			latest = bill.Period
		}
	}
	for i := len(all) - 1; i >= 0; i-- {
		if bill := all[i]; bill.Payable() && bill.Period < latest && !slices.Contains(chosen, bill.ID) {
			return bill, true
		}
	}
	return utility.Bill{}, false
}

// settle applies what time did to a payment: demo auto-pay, or expiry.
func (u *uapi) settle(p paymentRec) paymentRec {
	if p.Status != utility.PaymentPending {
		return p
	}
	now := u.now()
	if u.s.o.AutoPay > 0 && !now.Before(p.Created.Add(u.s.o.AutoPay)) && p.Created.Add(u.s.o.AutoPay).Before(p.ExpiresAt) {
		p.Status, p.PaidAt = utility.PaymentPaid, p.Created.Add(u.s.o.AutoPay)
	} else if !now.Before(p.ExpiresAt) {
		p.Status = utility.PaymentExpired
	}
	return p
}

// markPaid records a payment and its bills as paid, with receipt and e-invoice numbers.
func (u *uapi) markPaid(b ubk, p paymentRec) (paymentRec, error) {
	if p.PaidAt.IsZero() {
		p.PaidAt = u.now()
	}
	p.Status = utility.PaymentPaid
	// The utility's code in the number: each utility numbers its receipts on its own.
	p.ReceiptNo = "SJ" + u.s.refPrefix(u.id) + strings.TrimPrefix(p.Reference, "ZF")
	p.Invoice = "https://einvoice.example.cn/" + u.id + "/" + p.Reference
	for _, id := range p.Bills {
		var bill utility.Bill
		if b.get(bBills, p.Account+"/"+id, &bill) {
			bill.Paid, bill.PaidAt, bill.Invoice = true, p.PaidAt, p.Invoice
			if err := b.put(bBills, p.Account+"/"+id, bill); err != nil {
				return p, err
			}
		}
	}
	return p, b.put(bPayments, p.Reference, p)
}

// payment reads a payment and persists what time did to it (a read writes nothing
// unless auto-pay or expiry changed the order).
func (u *uapi) payment(ref string) (paymentRec, bool, error) {
	var p paymentRec
	found := false
	if err := u.view(func(b ubk) error { found = b.get(bPayments, ref, &p); return nil }); err != nil {
		return p, false, err
	}
	if !found || u.settle(p).Status == p.Status {
		return p, found, nil
	}
	err := u.update(func(b ubk) error {
		if !b.get(bPayments, ref, &p) {
			return nil
		}
		was := p.Status
		p = u.settle(p)
		switch {
		case p.Status == utility.PaymentPaid && was == utility.PaymentPending:
			var err error
			p, err = u.markPaid(b, p)
			return err
		case p.Status != was:
			return b.put(bPayments, ref, p)
		}
		return nil
	})
	return p, true, err
}

func (u *uapi) paymentGet(w http.ResponseWriter, r *http.Request) {
	p, found, err := u.payment(r.PathValue("ref"))
	u.found(w, u.misstated(p.Payment), found, err, "未找到该缴费订单")
}

// misstated is a status answer about p with the fields of Faults.Misstate another
// order's: another account (its number with a digit more), another bill beside its
// own, a yuan more; and its status Faults.Status when that is set. Its reference, and
// what is stored, stay as they are.
func (u *uapi) misstated(p utility.Payment) utility.Payment {
	f := u.s.Faults(u.id)
	if f.Status != "" {
		p.Status = f.Status
	}
	for _, field := range f.Misstate {
		switch field {
		case "account":
			p.Account += "0"
		case "bills":
			p.Bills = append(slices.Clone(p.Bills), "OTHER-BILL")
		case "amount_fen":
			p.Amount += 100
		}
	}
	return p
}

func (u *uapi) cancelPayment(b ubk, kiosk string, body []byte) (any, *apiError) {
	var c utility.Cancellation
	if e := decode(body, &c); e != nil {
		return nil, e
	}
	var p paymentRec
	if !b.get(bPayments, c.Payment, &p) {
		return nil, notFound("未找到该缴费订单")
	}
	p = u.settle(p)
	switch p.Status {
	case utility.PaymentPaid:
		if _, err := u.markPaid(b, p); err != nil {
			return nil, &apiError{status: 500, code: utility.CodeInternal}
		}
		return nil, &apiError{status: http.StatusConflict, code: utility.CodeAlreadyDone, message: "订单已支付，无法取消"}
	case utility.PaymentPending:
		p.Status = utility.PaymentCancelled
	}
	if err := b.put(bPayments, p.Reference, p); err != nil {
		return nil, &apiError{status: 500, code: utility.CodeInternal}
	}
	if st := u.s.Faults(u.id).Status; st != "" {
		p.Status = st
	}
	return p.Payment, nil
}

// ---- applications ----

// service is one service of a utility's catalogue, as the simulator knows it.
type service struct {
	Name  string
	Steps []string
	Days  int
	Fee   utility.Fen
	// Choices are the allowed values of the service's choice fields (several, comma
	// separated, for a multi choice); Labels name the fields in refusals.
	Choices map[string][]string
	Multi   map[string]bool
	Labels  map[string]string
	Notice  string
	// Address: the service's form asks where (a new connection, a site, a home to visit);
	// the others name an existing account, whose address the utility knows, or none.
	Address bool
	// form evaluates the service's rules (steps, days, 零费用) as the catalogue states
	// them; nil for services the simulator made up.
	form *catalog.Form
}

// catalogue is each utility's services as the kiosk's catalogue declares them
// (assets/catalog): the simulator is the back end of the same configuration a utility
// pushes to its kiosks, so that what the kiosk offers, the utility accepts.
var catalogue = buildCatalogue()

// defaultCalendar is the kiosk's working-day calendar (assets/calendar.toml).
var defaultCalendar = func() *workdays.Calendar {
	c, err := workdays.Default()
	if err != nil {
		panic(fmt.Sprintf("utilitysim: the kiosk's calendar does not load: %v", err))
	}
	return c
}()

func buildCatalogue() map[string]map[string]service {
	cat, err := catalog.Default()
	if err != nil {
		panic(fmt.Sprintf("utilitysim: the kiosk's catalogue does not load: %v", err))
	}
	env := catalog.Env{Calendar: defaultCalendar, Clock: clock.System()}
	out := map[string]map[string]service{}
	for _, id := range Utilities {
		u, ok := cat.Utility(id)
		if !ok {
			continue
		}
		out[id] = map[string]service{}
		for _, sv := range u.Services {
			s := service{Name: sv.Name.ZH, Days: sv.Days, Notice: sv.Next.ZH,
				Choices: map[string][]string{}, Multi: map[string]bool{}, Labels: map[string]string{}}
			for _, st := range sv.Steps {
				s.Steps = append(s.Steps, st.Name.ZH)
			}
			for _, fe := range sv.Fees {
				if len(fe.When) == 0 {
					s.Fee += utility.Fen(fe.Amount)
				}
			}
			for _, fd := range sv.Fields {
				s.Labels[fd.ID] = fd.Label.ZH
				if fd.Type == catalog.TypeChoice {
					for _, o := range fd.Options {
						s.Choices[fd.ID] = append(s.Choices[fd.ID], o.Value)
					}
					s.Multi[fd.ID] = fd.Multi
				}
			}
			if s.form, err = cat.NewForm(env, sv); err != nil {
				panic(fmt.Sprintf("utilitysim: %s %s: %v", id, sv.ID, err))
			}
			s.Address = slices.ContainsFunc(s.form.Inputs(), func(in *catalog.Input) bool { return in.Field.Role == catalog.RoleAddress })
			out[id][sv.ID] = s
		}
	}
	return out
}

// outcome applies the catalogue's rules to an application's fields: the steps, the
// committed working days and whether it is 零费用.
func (svc service) outcome(utilityID string, fields map[string]string, now time.Time) (service, bool) {
	if svc.form == nil {
		return svc, false
	}
	answers := catalog.Answers{}
	for k, v := range fields {
		answers[utilityID+"."+k] = v
	}
	o := svc.form.Evaluate(answers, now)[0]
	svc.Steps = svc.Steps[:0:0]
	for _, st := range o.Steps {
		svc.Steps = append(svc.Steps, st.Name.ZH)
	}
	svc.Days = o.Days
	svc.Fee = utility.Fen(o.FeeTotal())
	return svc, o.ZeroCost
}

// checkChoices refuses an answer that is not one of a choice field's options, as the
// utility's own validation would, in its own words.
func (svc service) checkChoices(fields map[string]string) *apiError {
	for field, allowed := range svc.Choices {
		v, ok := fields[field]
		if !ok {
			continue // a field the form did not show (conditional)
		}
		values := []string{v}
		if svc.Multi[field] {
			values = strings.Split(v, ",")
		}
		for _, x := range values {
			if !slices.Contains(allowed, x) {
				return invalid("fields."+field, "请从列表中选择"+svc.Labels[field])
			}
		}
	}
	return nil
}

// defaultRefPrefix are the prefixes of the utilities' application numbers, unless
// Options.RefPrefixes gives another.
var defaultRefPrefix = map[string]string{utility.Electricity: "DL", utility.Water: "SS", utility.Gas: "RQ", utility.Broadband: "KD"}

// refPrefix is the prefix of a utility's application numbers (Options.RefPrefixes).
func (s *Server) refPrefix(utilityID string) string {
	if p, ok := s.o.RefPrefixes[utilityID]; ok && p != "" {
		return p
	}
	return defaultRefPrefix[utilityID]
}

var stateNames = map[string]string{
	utility.StateAccepted: "已受理", utility.StateRefused: "不予受理", utility.StateCorrection: "待补正",
	utility.StateInProgress: "办理中", utility.StateSpecial: "特别程序", utility.StateDone: "已办结",
}

// A contact phone is a mobile number or a landline with its area code, as the kiosk's
// forms take it (catalog's phone type): an elderly applicant may have no mobile.
var (
	mobileRE   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	landlineRE = regexp.MustCompile(`^0[1-9][0-9]{1,2}-?[2-9][0-9]{6,7}$`)
)

func validPhone(p string) bool {
	return mobileRE.MatchString(p) || landlineRE.MatchString(p)
}

func validContact(c utility.Contact, who string) *apiError {
	switch {
	case strings.TrimSpace(c.Name) == "":
		return invalid(who+".name", "请填写"+map[string]string{"applicant": "申请人", "new_holder": "新户主"}[who]+"姓名")
	case !ValidIDNumber(c.IDNumber):
		return invalid(who+".id_number", "证件号码有误，请重新读取身份证")
	case !validPhone(c.Phone):
		return invalid(who+".phone", "联系电话格式不正确，请输入11位手机号码或带区号的固定电话")
	}
	return nil
}

// electricityLimits refuses what the power company does not accept at a kiosk: a
// capacity that is not a number, a low-voltage request above 1000 kW, a high-voltage
// one above 40000 kVA (the catalogue's own bound: above it a substation is planned with
// the customer, not applied for). The steps, time limits and 零费用 come from the
// catalogue's rules: above 2000 kVA all four steps, 32 working days with a dual supply.
func electricityLimits(f map[string]string) *apiError {
	switch f["voltage"] {
	case "low":
		kw, err := strconv.ParseFloat(f["capacity_kw"], 64)
		if err != nil || kw <= 0 {
			return invalid("fields.capacity_kw", "请填写申请容量（千瓦）")
		}
		if kw > 1000 {
			return invalid("fields.capacity_kw", "低压申请容量不能超过1000千瓦，请选择高压")
		}
	case "high":
		kva, err := strconv.ParseFloat(f["capacity_kva"], 64)
		if err != nil || kva <= 0 {
			return invalid("fields.capacity_kva", "请填写申请容量（千伏安）")
		}
		if kva > 40000 {
			return invalid("fields.capacity_kva", "40000千伏安以上的高压用电申请请到供电营业厅办理")
		}
	default:
		return invalid("fields.voltage", "请选择低压或高压")
	}
	return nil
}

func (u *uapi) createApplication(b ubk, kiosk string, body []byte) (any, *apiError) {
	var a utility.Application
	if e := decode(body, &a); e != nil {
		return nil, e
	}
	svc, ok := catalogue[u.id][a.Service]
	if !ok || a.Service == "transfer" {
		return nil, invalid("service", "本单位不受理该业务，请到人工窗口咨询")
	}
	if e := validContact(a.Applicant, "applicant"); e != nil {
		return nil, e
	}
	if svc.Address && strings.TrimSpace(a.Address) == "" {
		return nil, invalid("address", "请选择地址")
	}
	if e := svc.checkChoices(a.Fields); e != nil {
		return nil, e
	}
	if u.id == utility.Electricity && a.Fields["voltage"] != "" {
		if e := electricityLimits(a.Fields); e != nil {
			return nil, e
		}
	}
	svc, zero := svc.outcome(u.id, a.Fields, u.now())
	acc, e := u.accept(b, a.Service, svc, zero, u.now())
	if e != nil {
		return nil, e
	}
	acc.KioskRef = a.KioskRef
	rec := appRecOf(u.id, acc, a.Applicant.IDNumber)
	rec.Applicant, rec.Address, rec.Account, rec.Fields = a.Applicant, a.Address, a.Account, a.Fields
	if err := b.put(bApplications, acc.Reference, rec); err != nil {
		return nil, &apiError{status: 500, code: utility.CodeInternal}
	}
	return acc, nil
}

// accept numbers and dates an application accepted at now (即报即定: the first step is
// done): the number is of that day's sequence.
func (u *uapi) accept(b ubk, id string, svc service, zero bool, now time.Time) (utility.Acceptance, *apiError) {
	prefix := u.s.refPrefix(u.id)
	if id == "transfer" {
		// Its own sequence: a transfer's number is never one of the utility's
		// applications'.
		prefix += "GH"
	}
	ref, err := b.next(prefix, now)
	if err != nil {
		return utility.Acceptance{}, &apiError{status: 500, code: utility.CodeInternal}
	}
	steps := make([]utility.Step, len(svc.Steps))
	for i, n := range svc.Steps {
		steps[i] = utility.Step{Name: n, Status: utility.StepPending}
	}
	steps[0] = utility.Step{Name: svc.Steps[0], Status: utility.StepDone, At: now}
	if len(steps) > 1 {
		steps[1].Status = utility.StepCurrent
	}
	fee := svc.Fee
	if zero {
		fee = 0
	}
	return utility.Acceptance{Reference: ref, Service: id, ServiceName: svc.Name, AcceptedAt: now, Steps: steps,
		WorkingDays: svc.Days, Deadline: u.s.days.Deadline(now, svc.Days), Fee: fee, ZeroCost: zero && u.id == utility.Electricity, Notice: svc.Notice}, nil
}

func appRecOf(utilityID string, acc utility.Acceptance, owner string) appRec {
	return appRec{OwnerID: owner, LastStep: acc.AcceptedAt, Acceptance: acc, Progress: utility.Progress{
		Reference: acc.Reference, KioskRef: acc.KioskRef, Utility: utilityID, Service: acc.Service, ServiceName: acc.ServiceName,
		State: utility.StateAccepted, AcceptedAt: acc.AcceptedAt, Steps: acc.Steps, WorkingDays: acc.WorkingDays, Deadline: acc.Deadline,
	}}
}

// advance completes the current step of an application at time at.
func advance(a *appRec, at time.Time) bool {
	for i := range a.Steps {
		if a.Steps[i].Status == utility.StepCurrent {
			a.Steps[i].Status, a.Steps[i].At = utility.StepDone, at
			a.LastStep = at
			if i+1 < len(a.Steps) {
				a.Steps[i+1].Status = utility.StepCurrent
				a.State = utility.StateInProgress
			} else {
				a.State, a.DoneAt = utility.StateDone, at
			}
			return true
		}
	}
	return false
}

// progress is an application as the citizen sees it now (demo auto-advance applied).
func (u *uapi) progress(a *appRec) bool {
	changed := false
	if n := u.s.o.AutoAdvance; n > 0 {
		for a.State != utility.StateDone && !u.now().Before(a.LastStep.Add(n)) {
			changed = advance(a, a.LastStep.Add(n)) || changed
		}
	}
	a.StateName = stateNames[a.State]
	a.Evaluated = a.Evaluation != nil
	end := u.now()
	if a.State == utility.StateDone {
		end = a.DoneAt
	}
	kept := workdays.Kept(a.Deadline, end)
	a.OnTime = &kept
	return changed
}

// application reads an application; it writes only when auto-advance moved it.
func (u *uapi) application(ref string) (appRec, bool, error) {
	var a appRec
	found := false
	if err := u.view(func(b ubk) error { found = b.get(bApplications, ref, &a); return nil }); err != nil {
		return a, false, err
	}
	if !found {
		return a, false, nil
	}
	if !u.progress(&a) {
		return a, true, nil
	}
	err := u.update(func(b ubk) error {
		if !b.get(bApplications, ref, &a) {
			return nil
		}
		if u.progress(&a) {
			return u.save(b, a)
		}
		return nil
	})
	return a, true, err
}

func (u *uapi) applicationGet(w http.ResponseWriter, r *http.Request) {
	a, found, err := u.application(r.PathValue("ref"))
	var p []byte
	if err == nil && found {
		p, err = json.Marshal(a.Progress)
	}
	u.found(w, u.sparse(p), found, err, "未找到该办件，请核对办件编号")
}

func (u *uapi) applicationsSearch(w http.ResponseWriter, r *http.Request) {
	var id utility.Identity
	if e := decode(info(r).body, &id); e != nil {
		writeErr(w, e)
		return
	}
	if !ValidIDNumber(id.IDNumber) {
		writeErr(w, invalid("id_number", "证件号码有误，请重新读取身份证"))
		return
	}
	apps, err := u.applicationsOf(id.IDNumber)
	if err != nil {
		u.internal(w, err)
		return
	}
	list := []json.RawMessage{}
	for _, p := range apps {
		b, err := json.Marshal(p)
		if err != nil {
			writeErr(w, &apiError{status: 500, code: utility.CodeInternal})
			return
		}
		list = append(list, u.sparse(b))
	}
	writeValue(w, map[string]any{"applications": list})
}

// applicationsOf lists a citizen's applications, newest first (never nil: the API
// answers an empty list).
func (u *uapi) applicationsOf(idNumber string) ([]utility.Progress, error) {
	var refs []string
	err := u.view(func(b ubk) error {
		return b.sub(bApplications).ForEach(func(k, v []byte) error {
			var a appRec
			if json.Unmarshal(v, &a) == nil && a.OwnerID == idNumber {
				refs = append(refs, a.Reference)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	out := []utility.Progress{}
	for _, ref := range refs {
		a, ok, err := u.application(ref)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, a.Progress)
		}
	}
	slices.SortFunc(out, func(x, y utility.Progress) int { return y.AcceptedAt.Compare(x.AcceptedAt) })
	return out, nil
}

// ---- transfers and evaluations ----

func (u *uapi) createTransfer(b ubk, kiosk string, body []byte) (any, *apiError) {
	t, a, e := u.judgeTransfer(b, body)
	if e != nil {
		return nil, e
	}
	if acc := u.withBalance(b, a.Account); acc.Unpaid > 0 {
		return nil, &apiError{status: http.StatusConflict, code: utility.CodeUnpaidBills, amount: acc.Arrears,
			message: fmt.Sprintf("户号%s尚有%d笔未缴费用共%s元，请先缴清后再办理过户", a.Number, acc.Unpaid, acc.Arrears)}
	}
	svc := catalogue[u.id]["transfer"]
	acc, e := u.accept(b, "transfer", svc, true, u.now())
	if e != nil {
		return nil, e
	}
	acc.KioskRef = t.KioskRef
	rec := appRecOf(u.id, acc, t.NewHolder.IDNumber)
	rec.Applicant, rec.Account, rec.Address = t.NewHolder, t.Account, a.Address
	if err := b.put(bApplications, acc.Reference, rec); err != nil {
		return nil, &apiError{status: 500, code: utility.CodeInternal}
	}
	return acc, nil
}

// judgeTransfer is everything the utility checks of a transfer before it accepts it but
// the account's bills: the account, the new holder, the 不动产权证 and whether another
// transfer of the account is under way. POST /transfers asks it and then the bills;
// POST /transfers/check asks it alone, so that a citizen learns of a mistyped
// certificate before paying the old holder's bills.
func (u *uapi) judgeTransfer(b ubk, body []byte) (utility.Transfer, accountRec, *apiError) {
	var t utility.Transfer
	var a accountRec
	if e := decode(body, &t); e != nil {
		return t, a, e
	}
	// A transfer done since anyone last asked has handed its account over already: the
	// holder compared with is the one of now.
	if err := u.handOvers(b); err != nil {
		return t, a, &apiError{status: 500, code: utility.CodeInternal}
	}
	if !b.get(bAccounts, t.Account, &a) {
		return t, a, notFound("未找到该户号，请核对后重新输入")
	}
	if e := validContact(t.NewHolder, "new_holder"); e != nil {
		return t, a, e
	}
	if t.NewHolder.IDNumber == a.OwnerID {
		return t, a, invalid("new_holder.id_number", "新户主与原户主相同，无需过户")
	}
	// The property register's certificate of the premises, as the utility checks it
	// (不动产联合过户): the number only, neither the holder's name nor the address.
	switch got := certNumber(t.PropertyCert); {
	case got == "":
		return t, a, invalid("property_cert", "请填写不动产权证号（证书“第×××号”中的数字）")
	case a.Property != "" && got != a.Property:
		return t, a, invalid("property_cert", fmt.Sprintf("不动产权证号与户号%s登记的房屋不符，请核对不动产权证书后重新办理", a.Number))
	}
	if u.transferring(b, t.Account) {
		// One change of holder at a time: a second, from this kiosk or another, is not
		// a second piece of work. Whose it is and its number are not said: the one
		// asking may not be the one who asked first.
		return t, a, &apiError{status: http.StatusConflict, code: utility.CodeAlreadyDone,
			message: fmt.Sprintf("户号%s已有过户申请正在办理，不能重复申请。如有疑问，请到人工窗口咨询", a.Number)}
	}
	return t, a, nil
}

// checkTransfer answers POST /transfers/check: 204 when the utility would accept the
// transfer but for unpaid bills, else the refusal POST /transfers would give. It creates
// nothing and takes no Idempotency-Key; it writes only the handovers that a read writes
// too (catchUp).
func (u *uapi) checkTransfer(w http.ResponseWriter, r *http.Request) {
	if u.s.Faults(u.id).NoTransferCheck {
		// As a utility that does not offer the call: its router's page, not the API's.
		http.NotFound(w, r)
		return
	}
	var refused *apiError
	if err := u.update(func(b ubk) error {
		_, _, refused = u.judgeTransfer(b, info(r).body)
		return nil
	}); err != nil {
		u.internal(w, err)
		return
	}
	if refused != nil {
		writeErr(w, refused)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// certNumber is a 不动产权证's number as written in full (鄂(2026)梁子湖区不动产权第0001234号)
// or as the kiosk's form asks for it (0001234): the digits of 第×××号.
func certNumber(s string) string {
	if i := strings.LastIndex(s, "第"); i >= 0 {
		s = s[i+len("第"):]
		if j := strings.Index(s, "号"); j >= 0 {
			s = s[:j]
		}
	}
	return strings.Map(func(r rune) rune {
		if r < '0' || r > '9' {
			return -1
		}
		return r
	}, s)
}

// save writes an application whose steps moved; a transfer whose last step is done hands
// its account over to the new holder in the same transaction.
func (u *uapi) save(b ubk, a appRec) error {
	if err := b.put(bApplications, a.Reference, a); err != nil {
		return err
	}
	if a.Service != "transfer" || a.State != utility.StateDone {
		return nil
	}
	var acc accountRec
	if !b.get(bAccounts, a.Account, &acc) {
		return fmt.Errorf("utilitysim: transfer %s done: its account is not on record", a.Reference)
	}
	if !a.DoneAt.After(acc.HolderSince) {
		return nil // handed over already, or a later transfer came after it
	}
	acc.OwnerID, acc.HolderName, acc.Phone, acc.HolderSince = a.OwnerID, a.Applicant.Name, a.Applicant.Phone, a.DoneAt
	return b.put(bAccounts, acc.Number, acc)
}

// transfersDone are the transfers whose last step the demo's auto-advance has done since
// anyone last read them, as they stand now (not yet saved).
func (u *uapi) transfersDone(b ubk) []appRec {
	var out []appRec
	_ = b.sub(bApplications).ForEach(func(_, v []byte) error {
		var a appRec
		if json.Unmarshal(v, &a) != nil || a.Service != "transfer" || a.State == utility.StateDone {
			return nil
		}
		if u.progress(&a) && a.State == utility.StateDone {
			out = append(out, a)
		}
		return nil
	})
	return out
}

// handOvers saves the transfers done since last read, handing their accounts over.
func (u *uapi) handOvers(b ubk) error {
	for _, a := range u.transfersDone(b) {
		if err := u.save(b, a); err != nil {
			return err
		}
	}
	return nil
}

// catchUp hands over, before a read of accounts or bills, the accounts of transfers the
// demo's auto-advance has done since anyone last read them: a read writes only then.
func (u *uapi) catchUp() error {
	due := false
	if err := u.view(func(b ubk) error { due = len(u.transfersDone(b)) > 0; return nil }); err != nil || !due {
		return err
	}
	return u.update(u.handOvers)
}

// transferring reports whether a transfer of the account was accepted and is not done
// yet (its steps as the citizen would see them now: demo auto-advance applied).
func (u *uapi) transferring(b ubk, account string) bool {
	found := false
	_ = b.sub(bApplications).ForEach(func(_, v []byte) error {
		var a appRec
		if json.Unmarshal(v, &a) != nil || a.Service != "transfer" || a.Account != account {
			return nil
		}
		u.progress(&a)
		if a.State != utility.StateDone && a.State != utility.StateRefused {
			found = true
		}
		return nil
	})
	return found
}

func (u *uapi) createEvaluation(b ubk, kiosk string, body []byte) (any, *apiError) {
	var e utility.Evaluation
	if err := decode(body, &e); err != nil {
		return nil, err
	}
	var a appRec
	if !b.get(bApplications, e.Application, &a) {
		return nil, notFound("未找到该办件，请核对办件编号")
	}
	if !e.Level.Valid() {
		return nil, invalid("level", "请选择评价等级")
	}
	if e.Level <= utility.Dissatisfied && len(e.Reasons) == 0 {
		return nil, invalid("reasons", "请选择不满意的原因")
	}
	if a.Evaluation != nil {
		return nil, &apiError{status: http.StatusConflict, code: utility.CodeAlreadyDone, message: "该办件已评价，感谢您的反馈"}
	}
	ref, err := b.next("PJ", u.now())
	if err != nil {
		return nil, &apiError{status: 500, code: utility.CodeInternal}
	}
	rcpt := utility.EvaluationReceipt{Reference: ref, KioskRef: e.KioskRef, At: u.now()}
	a.Evaluation = &evalRec{EvaluationReceipt: rcpt, Level: e.Level, Reasons: e.Reasons, Comment: e.Comment}
	if err := b.put(bApplications, a.Reference, a); err != nil {
		return nil, &apiError{status: 500, code: utility.CodeInternal}
	}
	return rcpt, nil
}
