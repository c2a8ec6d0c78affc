package app

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/liangzihu/kiosk/app/bitext"
	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/receipt"
	"github.com/liangzihu/kiosk/app/reprint"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/workdays"
)

// applyWait is how long the citizen waits at the kiosk for each utility's answer
// (即报即定, 现场答复); a utility that takes longer gets a kiosk reference, bound later.
const applyWait = 3 * time.Second

// ApplyForm is one citizen's application at the kiosk: one service, or a joint
// application (联动报装, 联合过户) with one service per chosen utility, filled in on one
// form. It lives in the session and is dropped with it.
type ApplyForm struct {
	k *Kiosk
	// Form is the catalogue's form of the chosen services; Answers the citizen's answers.
	Form    *catalog.Form
	Answers catalog.Answers

	// session is the ID of the session the form was started in: only that session can
	// submit it.
	session string

	mu     sync.Mutex
	result *ApplyResult
	// named are the accounts a 过户 names, as their utilities know them, unchecked
	// those their utilities could not be asked about, and refused those whose utility
	// refused the transfer as it stands (CheckTransfer).
	named     []utility.Account
	unchecked []AccountRef
	refused   []TransferRefusal
}

// NewApplication starts an application for the chosen services (one per utility). The
// applicant's name and ID number come from the ID card (零资料: nothing is uploaded), so
// an identified session is required.
func (k *Kiosk) NewApplication(services ...*catalog.Service) (*ApplyForm, error) {
	s := k.Sessions.Current()
	if s == nil {
		return nil, ErrNoSession
	}
	id, ok := s.Identity()
	if !ok {
		return nil, ErrNoSession
	}
	f, err := k.Catalog().NewForm(catalog.Env{Calendar: k.Calendar, Clock: k.Clock}, services...)
	if err != nil {
		return nil, err
	}
	a := &ApplyForm{k: k, Form: f, Answers: f.Defaults(), session: s.ID}
	f.FillFromCard(a.Answers, id)
	s.Set("application", a)
	return a, nil
}

// Outcomes are the rules' results for the current answers (steps, time limit and
// deadline in working days, 零费用, messages), as if accepted now.
func (a *ApplyForm) Outcomes() []*catalog.Outcome {
	return a.Form.Evaluate(a.Answers, a.k.Clock.Now())
}

// Unsettled is an account that has unpaid bills, which a 过户 must settle first.
type Unsettled struct {
	Utility string
	Account utility.Account
	Bills   []utility.Bill
	Amount  utility.Fen
}

// AccountRef is an account number a 过户 names at a utility, as the citizen typed it.
type AccountRef struct {
	Utility string
	Number  string
}

// TransferCheck is what the utilities said of the accounts a 过户 names, each utility
// judged on its own.
type TransferCheck struct {
	// Unsettled are the accounts with unpaid bills: the kiosk offers to pay them first.
	Unsettled []Unsettled
	// NotFound are the numbers their utility does not know (mistyped): the citizen
	// corrects them before going on.
	NotFound []AccountRef
	// Unchecked are the accounts whose utility could not be asked now (down, too slow):
	// they do not hold the others up. Their parts may be submitted all the same: the
	// outbox delivers them when the utility is back, and the utility, which refuses a
	// transfer while bills are unpaid, checks the bills itself then.
	Unchecked []AccountRef
	// Refused are the accounts whose utility refused the transfer as the form has it
	// (POST /transfers/check: a certificate not the premises', a transfer of the account
	// under way): the citizen corrects the form, or leaves that utility out, before any
	// bill is paid.
	Refused []TransferRefusal
}

// TransferRefusal is a utility's refusal of a 过户 judged before it is submitted.
type TransferRefusal struct {
	AccountRef
	// Reason is the utility's refusal in its own words (what they quote of the citizen
	// masked), or the kiosk's, in both languages as Kiosk.Refusal gives it.
	Reason bitext.Text
	// Input is the form's question the refusal is about, for the citizen to correct (the
	// 不动产权证号); nil when nothing on the form can change it (the new holder is the
	// card's, a transfer of the account is under way).
	Input *catalog.Input
	// answer is the answer refused: the refusal is shown with it only.
	answer string
}

// CheckTransfer asks the utilities of the accounts named on a transfer form, all at
// once, whether they know them and whether their bills are paid: a 过户 is accepted only
// once they are, so the kiosk offers to pay them on the spot. The accounts found are
// NamedAccounts after, the unchecked ones Unchecked (their parts are marked so when
// submitted).
//
// Each utility is also asked to judge the transfer as the form has it, but for its bills
// (POST /transfers/check): one it refuses (Refused) is corrected before any bill is paid,
// rather than refused once the new holder has paid the old holder's bills. A utility that
// does not offer the check, or cannot answer it now, holds nothing up: it judges the
// transfer when it is submitted, as it always does.
func (a *ApplyForm) CheckTransfer(ctx context.Context) TransferCheck {
	var refs []AccountRef
	for _, sv := range a.Form.Services {
		if number := a.accountOf(sv); sv.SettleFirst && number != "" {
			refs = append(refs, AccountRef{Utility: sv.Utility.ID, Number: number})
		}
	}
	transfers := a.transfers()
	answers := make([]accountCheck, len(refs))
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = a.checkAccount(ctx, ref, transfers[ref.Utility])
		}()
	}
	wg.Wait()
	var out TransferCheck
	var named []utility.Account
	for i, ans := range answers {
		switch {
		case ans.notFound:
			out.NotFound = append(out.NotFound, refs[i])
		case ans.err != nil:
			a.k.Log.Warn("transfer check", "utility", refs[i].Utility, "err", ans.err)
			out.Unchecked = append(out.Unchecked, refs[i])
		}
		if ans.acc != nil {
			named = append(named, *ans.acc)
		}
		if ans.unsettled != nil {
			out.Unsettled = append(out.Unsettled, *ans.unsettled)
		}
		if ans.refused != nil && !ans.notFound {
			out.Refused = append(out.Refused, *ans.refused)
		}
	}
	a.mu.Lock()
	a.named, a.unchecked, a.refused = named, out.Unchecked, out.Refused
	a.mu.Unlock()
	return out
}

// transfers are the bodies the form's 过户 parts would be submitted with now, by utility
// (no kiosk or joint reference: the check creates nothing); none while the form is not
// complete, which the review waits for anyway.
func (a *ApplyForm) transfers() map[string]*utility.Transfer {
	out := map[string]*utility.Transfer{}
	subs, err := a.Form.Submissions(a.Answers, a.k.Clock.Now())
	if err != nil {
		return out
	}
	for _, sub := range subs {
		if sub.Joint == catalog.JointTransfer {
			t := transferOf(sub, "")
			out[sub.Utility] = &t
		}
	}
	return out
}

// accountCheck is what one utility said of a transfer's account: the account and its
// unpaid bills, that it does not know the number, or why it could not be asked; and
// whether it refused the transfer itself.
type accountCheck struct {
	acc       *utility.Account
	unsettled *Unsettled
	notFound  bool
	err       error
	refused   *TransferRefusal
}

// checkAccount asks one utility for a transfer's account and its unpaid bills, and to
// judge t (nil: not asked) meanwhile.
func (a *ApplyForm) checkAccount(ctx context.Context, ref AccountRef, t *utility.Transfer) (ans accountCheck) {
	acc, err := a.k.FindAccount(ctx, ref.Utility, ref.Number)
	if errors.Is(err, utility.ErrNotFound) || errors.Is(err, ErrBadAccountNumber) {
		ans.notFound = true
		return ans
	}
	if err != nil {
		ans.err = err
		return ans
	}
	ans.acc = &acc
	if t != nil {
		judged := make(chan *TransferRefusal, 1)
		go func() { judged <- a.judge(ctx, ref, *t) }()
		defer func() { ans.refused = <-judged }()
	}
	bills, err := a.k.Bills(ctx, ref.Utility, ref.Number)
	if err != nil {
		ans.err = err
		return ans
	}
	u := Unsettled{Utility: ref.Utility, Account: acc}
	for _, b := range bills {
		// A bill of ￥0.00 owes nothing and cannot be paid (ErrNothingToPay): it is not
		// one to settle before the 过户.
		if b.Payable() {
			u.Bills = append(u.Bills, b)
			u.Amount += b.Amount
		}
	}
	if len(u.Bills) > 0 {
		ans.unsettled = &u
	}
	return ans
}

// judge asks the utility whether it would accept the transfer t but for its bills: its
// refusal, or nil when it would, does not offer the check or cannot answer it now (it
// judges the transfer when it is submitted).
func (a *ApplyForm) judge(ctx context.Context, ref AccountRef, t utility.Transfer) *TransferRefusal {
	c, err := a.k.Client(ref.Utility)
	if err == nil {
		err = c.CheckTransfer(ctx, t)
	}
	var field string
	var e *utility.Error
	if errors.As(err, &e) {
		field = e.Field
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, utility.ErrRejected):
		// The utility's words may quote what the form says of the citizen: masked, as
		// the outbox masks a refusal of the part itself.
		body, _ := json.Marshal(t)
		err = outbox.MaskOwnWords(err, body)
		a.k.Log.Info("transfer refused before payment", "utility", ref.Utility, "field", field)
		r := &TransferRefusal{AccountRef: ref, Reason: a.k.Refusal(err, ref.Utility)}
		if in := a.inputFor(ref.Utility, field); in != nil {
			r.Input, r.answer = in, a.Answers[in.Key]
		}
		return r
	case errors.Is(err, utility.ErrNotOffered):
		a.k.Log.Debug("transfer check not offered", "utility", ref.Utility)
	default:
		// Down or slow, an answer not the API's, or not_found for an account it has
		// just found: nothing judged, and nobody held up.
		a.k.Log.Warn("transfer check", "utility", ref.Utility, "err", err)
	}
	return nil
}

// inputFor is the question of the form that gives the field of a utility's transfer
// (property_cert, account, new_holder.phone, address, fields.<id>); nil for one the
// citizen cannot change here (the new holder's name and ID number are the card's).
func (a *ApplyForm) inputFor(utilityID, field string) *catalog.Input {
	role, id := catalog.Role(""), ""
	switch field {
	case "property_cert":
		role = catalog.RolePropertyCert
	case "account":
		role = catalog.RoleAccount
	case "new_holder.phone":
		role = catalog.RolePhone
	case "address":
		role = catalog.RoleAddress
	default:
		var ok bool
		if id, ok = strings.CutPrefix(field, "fields."); !ok || id == "" {
			return nil
		}
	}
	for _, in := range a.Form.Inputs() {
		if in.Service != nil && in.Service.Utility.ID != utilityID {
			continue
		}
		if (role != "" && in.Field.Role == role || role == "" && in.Field.ID == id && in.Field.Role == "") &&
			in.Field.Type != catalog.TypeIDCard && a.Form.Visible(in.Key, a.Answers) {
			return in
		}
	}
	return nil
}

// Refusals are the refusals of the last CheckTransfer.
func (a *ApplyForm) Refusals() []TransferRefusal {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]TransferRefusal(nil), a.refused...)
}

// RefusalOf is what the utilities said of the answer to the question key when they
// refused it (the last CheckTransfer), each utility's words on a line of their own:
// shown where the citizen corrects it, while the answer is the one refused.
func (a *ApplyForm) RefusalOf(key string) (bitext.Text, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var zh, en []string
	for _, r := range a.refused {
		if r.Input != nil && r.Input.Key == key && a.Answers[key] == r.answer {
			zh, en = append(zh, r.Reason.ZH), append(en, r.Reason.EN)
		}
	}
	if len(zh) == 0 {
		return bitext.Text{}, false
	}
	return bitext.New(strings.Join(zh, "\n"), strings.Join(en, "\n")), true
}

// NamedAccounts are the accounts a 过户 names as their utilities know them, holder and
// address included (personal data: show them masked), so that the citizen sees whose
// account they take over; found by the last CheckTransfer.
func (a *ApplyForm) NamedAccounts() []utility.Account {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]utility.Account(nil), a.named...)
}

// Unchecked are the accounts of a 过户 whose utility the last CheckTransfer could not
// ask: their parts go through the outbox and the utility checks the bills itself.
func (a *ApplyForm) Unchecked() []AccountRef {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]AccountRef(nil), a.unchecked...)
}

// AccountInput is the question of the form that asks for the account number at a
// utility (a 过户's, to correct a number its utility does not know).
func (a *ApplyForm) AccountInput(utilityID string) (*catalog.Input, bool) {
	for _, in := range a.Form.Inputs() {
		if in.Service != nil && in.Service.Utility.ID == utilityID && in.Field.Role == catalog.RoleAccount {
			return in, true
		}
	}
	return nil, false
}

func (a *ApplyForm) accountOf(sv *catalog.Service) string {
	if in, ok := a.AccountInput(sv.Utility.ID); ok {
		return a.Answers[in.Key]
	}
	return ""
}

// PartAnswer is one utility's answer to its part of an application.
type PartAnswer struct {
	Utility     string
	ServiceName string
	// KioskRef is the kiosk's reference; Reference the utility's application number when
	// it answered in time (即报即定), else empty until the outbox binds it.
	KioskRef  string
	Reference string
	// Refused holds the utility's refusal, in its own words, or the kiosk's in Chinese
	// (as the receipt prints it) and RefusedEN in English (RefusedIn); the other
	// utilities' parts go through all the same.
	Refused, RefusedEN string
	// Unchecked marks a waiting 过户 part whose bills could not be checked before it was
	// submitted (its utility could not be reached): the utility checks them when the
	// part reaches it, and refuses it while bills are unpaid.
	Unchecked bool
	// Acceptance is the utility's answer; Outcome the kiosk's own reading of the rules
	// (shown while the utility has not answered).
	Acceptance *utility.Acceptance
	Outcome    *catalog.Outcome
}

// Track is the reference to follow the part with: the utility's number once known.
func (a PartAnswer) Track() string {
	if a.Reference != "" {
		return a.Reference
	}
	return a.KioskRef
}

// ApplyResult is the outcome of a submission, and how its receipt printed.
type ApplyResult struct {
	JointRef string
	Answers  []PartAnswer
	Accepted time.Time
	Printed  PrintResult
}

// PartCounts count an application's parts by where they stand, as the acceptance
// receipt does (已受理, 等待受理, 未受理).
type PartCounts struct {
	// Accepted parts have the utility's application number; Waiting ones were
	// submitted and wait for the utility's answer (the kiosk reference only); Refused
	// ones were not accepted.
	Accepted, Waiting, Refused int
}

// Counts counts the parts by where they stand now (a late answer moves a waiting part).
func (r *ApplyResult) Counts() PartCounts {
	var c PartCounts
	for _, a := range r.Answers {
		switch {
		case a.Refused != "":
			c.Refused++
		case a.Reference != "":
			c.Accepted++
		default:
			c.Waiting++
		}
	}
	return c
}

// ErrAlreadySubmitted means the application was submitted before: the result stands.
var ErrAlreadySubmitted = errors.New("app: the application was already submitted")

// Submit stores every part of the application in the outbox at once, all of them or
// none (a crash cannot leave some parts accepted for an application the citizen was not
// told was), and then each reaches its utility exactly once. A utility that answers
// within a few seconds gives its application number on the spot; a slow or unreachable
// one gets a kiosk reference, bound later; one that refuses says why while the others go
// through. The acceptance receipt with the 一次性告知书 is printed. The result returned is
// a snapshot: Result gives the parts bound since. When the parts cannot be stored nothing
// is, and the citizen may submit again. Only the session the form was started in can
// submit it (ErrNoSession once it was wiped).
func (a *ApplyForm) Submit(ctx context.Context) (*ApplyResult, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.result != nil {
		return a.result.clone(), ErrAlreadySubmitted
	}
	k := a.k
	s := k.Sessions.Current()
	if s == nil || s.ID != a.session {
		// The form's session was wiped: the citizen has gone, and the next one must not
		// submit the last one's application.
		return nil, ErrNoSession
	}
	now := k.Clock.Now()
	subs, err := a.Form.Submissions(a.Answers, now)
	if err != nil {
		return nil, err
	}
	res := &ApplyResult{Accepted: now, Answers: make([]PartAnswer, len(subs))}
	if len(subs) > 1 {
		res.JointRef = jointRef(now)
	}
	reqs := make([]outbox.Request, len(subs))
	for i, sub := range subs {
		reqs[i] = partRequest(s.ID, res.JointRef, sub)
	}
	results, err := k.Outbox.SubmitAll(ctx, reqs, applyWait)
	if err != nil {
		k.Log.Error("application", "err", err)
		if MaybeStored(err) {
			// Not sent now; the next start sends it if the file kept it.
			return nil, fmt.Errorf("app: application not sent, perhaps stored: %w", err)
		}
		return nil, fmt.Errorf("app: application not submitted: %w", err)
	}
	for i, sub := range subs {
		res.Answers[i] = k.partAnswer(sub, results[i])
		p := &res.Answers[i]
		p.Unchecked = p.Reference == "" && p.Refused == "" && slices.ContainsFunc(a.unchecked, func(r AccountRef) bool {
			return r.Utility == sub.Utility && r.Number == sub.Account
		})
	}
	res.Printed = k.printAcceptance(a, res)
	a.result = res
	// A copy: late answers update the original under a.mu (see onOutboxUpdate).
	return res.clone(), nil
}

// Result returns a copy of the submission's result, once submitted (late answers update
// the original; see OnApplicationUpdate).
func (a *ApplyForm) Result() (ApplyResult, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.result == nil {
		return ApplyResult{}, false
	}
	return *a.result.clone(), true
}

// clone copies a result, its parts included (hold a.mu).
func (r *ApplyResult) clone() *ApplyResult {
	c := *r
	c.Answers = append([]PartAnswer(nil), r.Answers...)
	return &c
}

// partRequest is the outbox request of one part of an application: an application, or
// a transfer (过户) ordered behind the account's other requests.
func partRequest(session, joint string, sub catalog.Submission) outbox.Request {
	req := outbox.Request{Utility: sub.Utility, Session: session, Kind: utility.KindApplication, Order: sub.Applicant.IDNumber,
		Group: joint, Applicant: sub.Applicant.IDNumber}
	if sub.Joint == catalog.JointTransfer {
		req.Kind, req.Order, req.Body = utility.KindTransfer, sub.Account, transferOf(sub, joint)
		return req
	}
	if sub.Account != "" {
		req.Order = sub.Account
	}
	req.Body = utility.Application{Service: sub.Service, Address: sub.Address, Account: sub.Account, Fields: sub.Fields,
		JointRef: joint, Applicant: utility.Contact{Name: sub.Applicant.Name, IDNumber: sub.Applicant.IDNumber, Phone: sub.Applicant.Phone}}
	return req
}

// transferOf is the transfer a 过户 part asks for, of the joint application joint.
func transferOf(sub catalog.Submission, joint string) utility.Transfer {
	return utility.Transfer{Account: sub.Account, PropertyCert: sub.PropertyCert, Address: sub.Address,
		Fields: sub.Fields, JointRef: joint,
		NewHolder: utility.Contact{Name: sub.Applicant.Name, IDNumber: sub.Applicant.IDNumber, Phone: sub.Applicant.Phone}}
}

// partAnswer is what the citizen is told of one part, from the outbox's result.
func (k *Kiosk) partAnswer(sub catalog.Submission, res outbox.Result) PartAnswer {
	ans := PartAnswer{Utility: sub.Utility, ServiceName: sub.ServiceName, Outcome: sub.Outcome, KioskRef: res.KioskRef}
	switch {
	case res.Err != nil:
		ans.Refused, ans.RefusedEN = k.refusal(res.Err, sub.Utility)
	case res.Answered():
		acc, err := res.Answer.Acceptance()
		if err != nil {
			k.Log.Warn("application answer", "utility", sub.Utility, "err", err)
		} else {
			acc = k.completeAcceptance(acc, sub.Outcome)
			ans.Acceptance = &acc
			ans.Reference = acc.Reference
		}
	}
	return ans
}

// jointRef is the 联办编号 that ties a joint application's parts together: the time in
// CST and four random digits, so that two kiosks submitting in the same second differ.
func jointRef(t time.Time) string {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("J%s%04d", t.In(workdays.CST).Format("060102150405"), (int(b[0])<<8|int(b[1]))%10000)
}

// printAcceptance prints the acceptance receipt: one section per utility, each with its
// 一次性告知书 and its own tracking QR, or the utility's reason for refusing. Nothing
// prints when every utility refused: the screen says why.
func (k *Kiosk) printAcceptance(a *ApplyForm, r *ApplyResult) PrintResult {
	if !k.HasPrinter() {
		return noPrinter
	}
	if c := r.Counts(); c.Accepted+c.Waiting == 0 {
		return PrintResult{OK: true}
	}
	var sections []receipt.Section
	var phone string
	// The answers as submitted: one a part, in the parts' order.
	subs, _ := a.Form.Submissions(a.Answers, r.Accepted)
	for i, ans := range r.Answers {
		sec := k.acceptanceSection(ans)
		if i < len(subs) {
			sec.Address = receiptAddress(subs[i])
		}
		sections = append(sections, sec)
	}
	var name, idn string
	if len(subs) > 0 {
		name, idn, phone = subs[0].Applicant.Name, subs[0].Applicant.IDNumber, subs[0].Applicant.Phone
	}
	ref := r.JointRef
	if ref == "" {
		ref = r.Answers[0].Track()
	}
	service := k.Text.In(i18n.ZH, "apply.joint_connection")
	switch {
	case len(a.Form.Services) == 1:
		// Which utility too: several services are called 新装 or 过户.
		sv := a.Form.Services[0]
		service = k.Text.In(i18n.ZH, "apply.utility."+sv.Utility.ID) + " · " + sv.Name.ZH
	case a.Form.Services[0].Joint == catalog.JointTransfer:
		service = k.Text.In(i18n.ZH, "apply.joint_transfer")
	}
	return k.printKeeping(context.Background(), a.session, reprint.Receipt{Entry: reprint.Entry{Ref: ref, Kind: reprint.Acceptance},
		Acceptance: &receipt.Acceptance{Ref: ref, Joint: r.JointRef != "", Applicant: name, IDNumber: idn,
			IDLabel: a.Form.IDNumberLabel(i18n.ZH), Phone: phone,
			Service: service, Time: r.Accepted.In(workdays.CST), Sections: sections, Hotlines: k.receiptHotlines(""),
			Materials: k.Catalog().Materials.ZH}})
}

// receiptAddress is the address a part was submitted for, as the receipt prints it
// (the household's unit and room masked there); zero when the service asks none.
func receiptAddress(sub catalog.Submission) receipt.Address {
	place, unit, room := sub.Where.Household(i18n.ZH)
	return receipt.Address{Label: sub.WhereLabel.ZH, Place: place, Unit: unit, Room: room}
}

func (k *Kiosk) acceptanceSection(ans PartAnswer) receipt.Section {
	o := ans.Outcome
	sec := receipt.Section{Utility: k.receiptUtility(ans.Utility),
		Number: ans.Reference, Business: ans.ServiceName, Track: ans.Track(), WorkingDays: o.Days, Deadline: o.Deadline,
		ChosenDate: o.ChosenDate, FeesText: strings.Join(o.FeeLines(i18n.ZH), "\n")} // one a line
	// The utility's own numbers, as its catalogue names them (it has one at least).
	for _, h := range o.Service.Utility.Hotlines {
		sec.Hotlines = append(sec.Hotlines, receipt.Hotline{Label: h.Label.ZH, Number: h.Number})
	}
	if ans.Refused != "" {
		sec.Refused, sec.Track = ans.Refused, ""
		return sec
	}
	if ans.Unchecked {
		sec.Notes = append(sec.Notes, k.Text.In(i18n.ZH, "apply.unchecked_part"))
	}
	if m := o.Service.Materials.ZH; m != "" {
		sec.Documents = []string{m}
	}
	if acc := ans.Acceptance; acc != nil {
		// The utility's own answer is what binds.
		sec.WorkingDays, sec.Deadline = acc.WorkingDays, acc.Deadline
	}
	for _, st := range o.Steps {
		step := st.Name.ZH
		if d := st.Description.ZH; d != "" {
			step += "：" + d // 现场答复受理结果 …
		}
		sec.Steps = append(sec.Steps, step)
	}
	// The dates the citizen chose (装机日期), which the time limit's words may not name.
	sec.Notes = append(sec.Notes, o.Dates(i18n.ZH)...)
	// 零费用 is said by the fees row and the rule's message (why it is free): not a third time.
	for _, m := range o.Messages {
		sec.Notes = append(sec.Notes, m.ZH)
	}
	for _, note := range []string{o.Service.Next.ZH, o.Service.Note.ZH} { // 后续事项, 温馨提示
		if note != "" {
			sec.Notes = append(sec.Notes, note)
		}
	}
	return sec
}

// OnApplicationUpdate registers a listener told when a part of the open session's
// application changed after the citizen saw the result: a slow utility's number was
// bound to its kiosk reference, or a utility refused later. Listeners stay for the
// kiosk's life: register once, not per visit.
func (k *Kiosk) OnApplicationUpdate(f func()) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.applyListeners = append(k.applyListeners, f)
}

// onOutboxUpdate binds late answers to the open session's application.
func (k *Kiosk) onOutboxUpdate(u outbox.Update) {
	s := k.Sessions.Current()
	if s == nil {
		return
	}
	v, ok := s.Get("application")
	if !ok {
		return
	}
	a := v.(*ApplyForm)
	a.mu.Lock()
	changed := false
	if a.result != nil {
		for i := range a.result.Answers {
			p := &a.result.Answers[i]
			if p.KioskRef != u.KioskRef {
				continue
			}
			switch u.State {
			case outbox.Done:
				if p.Reference == "" && u.UtilityRef != "" {
					p.Reference, changed = u.UtilityRef, true
				}
			case outbox.Dead, outbox.Closed:
				if p.Refused == "" && u.Err != nil {
					p.Refused, p.RefusedEN = k.refusal(u.Err, p.Utility)
					changed = true
				}
			}
		}
	}
	a.mu.Unlock()
	if !changed {
		return
	}
	k.mu.Lock()
	ls := append([]func(){}, k.applyListeners...)
	k.mu.Unlock()
	for _, f := range ls {
		f()
	}
}
