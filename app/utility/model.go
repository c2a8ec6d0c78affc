package utility

import (
	"fmt"
	"time"
)

// IDs of the four utilities, as in configuration (utilities.<id>).
const (
	Electricity = "electricity"
	Water       = "water"
	Gas         = "gas"
	Broadband   = "broadband"
)

// Fen is an amount of money in fen (分, 0.01 yuan). Money is never a float.
type Fen int64

// String formats the amount as yuan with two decimals: "123.45".
func (f Fen) String() string {
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	return fmt.Sprintf("%s%d.%02d", sign, f/100, f%100)
}

// Yuan formats the amount for citizens with the full-width sign the screens and
// receipts use: "￥123.45".
func (f Fen) Yuan() string { return "￥" + f.String() }

// Price is a unit price in 1/10000 yuan (0.01 fen): 0.5380 ¥/kWh is 5380.
type Price int64

// String formats the price as yuan with four decimals: "0.5380" ("-0.0500" for a
// credit a utility lists).
func (p Price) String() string {
	sign := ""
	if p < 0 {
		sign, p = "-", -p
	}
	return fmt.Sprintf("%s%d.%04d", sign, p/10000, p%10000)
}

// Quantity is a metered amount in thousandths of its unit: 12.5 m³ is 12500.
type Quantity int64

// String formats the quantity without trailing zeros: "12.5", "230" ("-12.5" for a
// meter reading corrected down).
func (q Quantity) String() string {
	sign := ""
	if q < 0 {
		sign, q = "-", -q
	}
	if q%1000 == 0 {
		return sign + fmt.Sprint(int64(q)/1000)
	}
	s := fmt.Sprintf("%s%d.%03d", sign, q/1000, q%1000)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	return s
}

// Cost is quantity × price rounded half up to the fen.
func Cost(q Quantity, p Price) Fen {
	// q is 1e-3 units, p is 1e-4 yuan: q·p is 1e-7 yuan, a fen is 1e-2 yuan.
	v := int64(q) * int64(p)
	return Fen((v + 50000) / 100000)
}

// Identity is who a citizen is, from their ID card. It is personal data: the client sends
// it only in request bodies (never in URLs), and the kiosk seals it at rest.
type Identity struct {
	IDNumber string `json:"id_number"`
	Name     string `json:"name"`
}

// Account is a customer account (户号) at a utility.
type Account struct {
	Utility string `json:"utility"`
	// Number is the account number (户号) printed on bills.
	Number string `json:"number"`
	// HolderName and Address are personal data: show them only masked.
	HolderName string `json:"holder_name"`
	Address    string `json:"address"`
	// Category is the customer class: 居民, 非居民, 一般工商业, …
	Category string `json:"category"`
	// Status: "normal" (正常), "arrears" (欠费), "suspended" (暂停), "closed" (销户).
	Status string `json:"status"`
	// Balance is prepaid money on the account; Arrears what is owed (both ≥ 0).
	Balance Fen `json:"balance_fen"`
	Arrears Fen `json:"arrears_fen"`
	// Unpaid counts unpaid bills.
	Unpaid int `json:"unpaid_bills"`
	// Plan is a tariff or product name (broadband bandwidth, say).
	Plan string `json:"plan,omitempty"`
}

// TierLine is one tier of a tiered tariff (阶梯电价 / 水价 / 气价) on a bill.
type TierLine struct {
	Tier  int      `json:"tier"`
	Name  string   `json:"name"`  // 第一档
	Range string   `json:"range"` // "0–240 kWh"
	Usage Quantity `json:"usage_milli"`
	Price Price    `json:"price"`
	Cost  Fen      `json:"cost_fen"`
}

// FeeLine is a charge on a bill outside the tiers (污水处理费, 月租, …).
type FeeLine struct {
	Name string `json:"name"`
	Cost Fen    `json:"cost_fen"`
}

// Efficiency is an electricity bill's energy-efficiency detail (能效账单).
type Efficiency struct {
	PeakUsage   Quantity `json:"peak_usage_milli"`   // 峰
	ValleyUsage Quantity `json:"valley_usage_milli"` // 谷
	// LastMonth, LastYear and Neighbours are the same period's usage for comparison.
	LastMonth  Quantity `json:"last_month_usage_milli"`
	LastYear   Quantity `json:"last_year_usage_milli"`
	Neighbours Quantity `json:"neighbours_usage_milli"`
	// CarbonGrams is the estimated CO₂ of the period.
	CarbonGrams int64 `json:"carbon_grams"`
	// Grade is an efficiency grade from "A" (best) to "E".
	Grade string   `json:"grade"`
	Tips  []string `json:"tips,omitempty"`
}

// Bill is one billing period of an account.
type Bill struct {
	ID      string `json:"id"`
	Account string `json:"account"`
	Period  string `json:"period"` // "2026-05"
	// Usage in thousandths of Unit.
	Usage  Quantity   `json:"usage_milli"`
	Unit   string     `json:"unit"` // kWh, m³, 月
	Amount Fen        `json:"amount_fen"`
	Due    time.Time  `json:"due"`
	Paid   bool       `json:"paid"`
	PaidAt time.Time  `json:"paid_at,omitzero"`
	Tiers  []TierLine `json:"tiers,omitempty"`
	Fees   []FeeLine  `json:"fees,omitempty"`
	// Efficiency is set by utilities that provide 能效账单 (electricity).
	Efficiency *Efficiency `json:"efficiency,omitempty"`
	// QR is the paper bill's QR content (see ParseBillQR).
	QR string `json:"qr,omitempty"`
	// Invoice is the e-invoice reference (URL or number) of a paid bill.
	Invoice string `json:"invoice,omitempty"`
}

// Payable reports whether the bill is one to pay: unpaid and asking something. One of
// ￥0.00 or less (a correction, a credit set against it) is unpaid and has nothing to
// pay: it is not offered for payment (the kiosk asks no order of nothing).
func (b Bill) Payable() bool { return !b.Paid && b.Amount > 0 }

// Overdue reports whether the bill is unpaid past its due time at now.
func (b Bill) Overdue(now time.Time) bool { return !b.Paid && !b.Due.IsZero() && now.After(b.Due) }

// Payment statuses.
const (
	PaymentPending   = "pending"
	PaymentPaid      = "paid"
	PaymentExpired   = "expired"
	PaymentCancelled = "cancelled"
	PaymentFailed    = "failed"
)

// PaymentRequest asks a utility for a payment order for some unpaid bills of an account.
type PaymentRequest struct {
	KioskRef string   `json:"kiosk_ref"`
	Account  string   `json:"account"`
	Bills    []string `json:"bills"`
	// Amount is what the kiosk showed; the utility refuses when its own total differs.
	Amount Fen `json:"amount_fen"`
}

// Payment is a payment order.
type Payment struct {
	Reference string   `json:"reference"`
	KioskRef  string   `json:"kiosk_ref,omitempty"`
	Account   string   `json:"account"`
	Bills     []string `json:"bills"`
	Amount    Fen      `json:"amount_fen"`
	Status    string   `json:"status"`
	// PayURL is the content of the pay QR the citizen scans.
	PayURL    string    `json:"pay_url"`
	ExpiresAt time.Time `json:"expires_at"`
	PaidAt    time.Time `json:"paid_at,omitzero"`
	// ReceiptNo is the utility's payment record; Invoice the e-invoice reference.
	ReceiptNo string `json:"receipt_no,omitempty"`
	Invoice   string `json:"invoice,omitempty"`
}

// Contact is a person named in an application. Personal data.
type Contact struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
}

// Application is a service request (新装, 增容, 临电, …) for one utility.
type Application struct {
	KioskRef string `json:"kiosk_ref"`
	// Service is the catalogue's service ID: "new_connection", "capacity_change",
	// "temporary_power", "resale_price_check", …
	Service   string  `json:"service"`
	Applicant Contact `json:"applicant"`
	// Address is the connection address (personal data).
	Address string `json:"address"`
	// Account is the existing account for services on one (增容, 暂停, …).
	Account string `json:"account,omitempty"`
	// Fields are the service's own form fields, by catalogue field ID.
	Fields map[string]string `json:"fields,omitempty"`
	// JointRef ties the applications of one 联动报装 submission together.
	JointRef string `json:"joint_ref,omitempty"`
}

// Step states.
const (
	StepDone    = "done"
	StepCurrent = "current"
	StepPending = "pending"
)

// Step is one step of an application's process.
type Step struct {
	Name   string    `json:"name"` // 申请受理, 装表接电, …
	Status string    `json:"status"`
	At     time.Time `json:"at,omitzero"`
	Note   string    `json:"note,omitempty"`
}

// Application states, after the 联合报装 case model.
const (
	StateAccepted   = "accepted"    // 受理
	StateRefused    = "refused"     // 不予受理
	StateCorrection = "correction"  // 补正
	StateInProgress = "in_progress" // 部门开始办理
	StateSpecial    = "special"     // 特别程序
	StateDone       = "done"        // 办件通过 / 办结
)

// Acceptance is a utility's answer to an application or transfer (即报即定).
type Acceptance struct {
	Reference   string    `json:"reference"` // the application number
	KioskRef    string    `json:"kiosk_ref,omitempty"`
	Service     string    `json:"service"`
	ServiceName string    `json:"service_name"`
	AcceptedAt  time.Time `json:"accepted_at"`
	Steps       []Step    `json:"steps"`
	// WorkingDays is the committed time limit; Deadline is its date.
	WorkingDays int       `json:"working_days"`
	Deadline    time.Time `json:"deadline"`
	Fee         Fen       `json:"fee_fen"`
	// ZeroCost is set when the request is within the no-cost threshold (低压 ≤ 220 kW, say).
	ZeroCost bool `json:"zero_cost,omitempty"`
	// Notice is the utility's 一次性告知 text: next steps, material, fees.
	Notice string `json:"notice,omitempty"`
}

// Progress is an application's timeline.
type Progress struct {
	Reference   string    `json:"reference"`
	KioskRef    string    `json:"kiosk_ref,omitempty"`
	Utility     string    `json:"utility"`
	Service     string    `json:"service"`
	ServiceName string    `json:"service_name"`
	State       string    `json:"state"`
	StateName   string    `json:"state_name"` // 受理, 办结, …
	AcceptedAt  time.Time `json:"accepted_at"`
	Steps       []Step    `json:"steps"`
	WorkingDays int       `json:"working_days"`
	Deadline    time.Time `json:"deadline"`
	// DoneAt is set when the application is finished; OnTime says whether the
	// commitment was kept (or, while open, is still kept), nil when the utility did not
	// say: the API requires only reference, and a missing on_time is not a late one.
	DoneAt time.Time `json:"done_at,omitzero"`
	OnTime *bool     `json:"on_time,omitempty"`
	// Evaluated is set once a 好差评 rating was given.
	Evaluated bool `json:"evaluated"`
}

// Late reports whether the utility says the commitment was not kept (or, while open, is
// no longer kept); false when it does not say.
func (p Progress) Late() bool { return p.OnTime != nil && !*p.OnTime }

// Transfer is a 过户: the account passes to a new holder after a property sale.
type Transfer struct {
	KioskRef  string  `json:"kiosk_ref"`
	Account   string  `json:"account"`
	NewHolder Contact `json:"new_holder"`
	// PropertyCert is the 不动产权证 number (personal data).
	PropertyCert string `json:"property_cert,omitempty"`
	// Address is the premises' address when the utility's form asks for it (personal
	// data); the account names the premises already.
	Address string `json:"address,omitempty"`
	// Fields are the service's own form fields, by catalogue field ID (the electricity
	// transfer's "unchanged": address, capacity and use stay as they are).
	Fields   map[string]string `json:"fields,omitempty"`
	JointRef string            `json:"joint_ref,omitempty"`
}

// Level is a 好差评 rating.
type Level int

// The five levels of 政务服务"好差评".
const (
	VeryDissatisfied Level = 1 // 非常不满意
	Dissatisfied     Level = 2 // 不满意
	Basic            Level = 3 // 基本满意
	Satisfied        Level = 4 // 满意
	VerySatisfied    Level = 5 // 非常满意
)

var levelNames = [...]string{"", "非常不满意", "不满意", "基本满意", "满意", "非常满意"}

// String is the level's official name.
func (l Level) String() string {
	if l < VeryDissatisfied || l > VerySatisfied {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l]
}

// Valid reports whether l is one of the five levels.
func (l Level) Valid() bool { return l >= VeryDissatisfied && l <= VerySatisfied }

// Evaluation is a 好差评 rating of an application.
type Evaluation struct {
	KioskRef    string   `json:"kiosk_ref"`
	Application string   `json:"application"`
	Level       Level    `json:"level"`
	Reasons     []string `json:"reasons,omitempty"`
	// Comment is free text typed by the citizen (may be personal).
	Comment string `json:"comment,omitempty"`
}

// EvaluationReceipt acknowledges a rating.
type EvaluationReceipt struct {
	Reference string    `json:"reference"`
	KioskRef  string    `json:"kiosk_ref,omitempty"`
	At        time.Time `json:"at"`
}

// Cancellation asks to cancel a pending payment order.
type Cancellation struct {
	KioskRef string `json:"kiosk_ref"`
	Payment  string `json:"payment"`
}
