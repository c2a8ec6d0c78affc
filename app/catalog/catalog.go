// Package catalog is the kiosk's service catalogue: what each utility offers (新装, 增容,
// 过户, 临电租赁, …), and for each service its form, its steps, its time limit in working
// days, its fees, the rules that change them, and the text of its 一次性告知书. It is read
// from TOML (assets/catalog/: common.toml, addresses.toml and one file per utility) and
// validated at load, so that a utility can change its services without a kiosk release.
//
// Screens draw any form from the model without knowing the service: a Form lists its
// Sections and Inputs; each Input says its type, keypad and choices; Check validates an
// answer as it is typed; Evaluate applies the service's rules (steps, committed working
// days and their deadline, 零费用, messages, fees); Review and Submissions give the review
// page and what is sent to each utility. See docs/catalog.md for the file format.
package catalog

import (
	"regexp"

	"github.com/liangzihu/kiosk/app/bitext"
)

// Catalog is the whole catalogue. It is immutable once loaded and safe for concurrent use.
type Catalog struct {
	// Version is the version of common.toml; each Utility has its own.
	Version string
	// Joints are the joint applications (联动报装, 联合过户), by kind.
	Joints map[string]*Joint
	// Categories group services under the home screen's tiles, in display order.
	Categories []*Category
	// Common are the fields shared by services (applicant and ID from the card, phone,
	// address, …), declared once in common.toml.
	Common []*Field
	// CommonTitle is the title of a form's section of common fields.
	CommonTitle bitext.Text
	// Materials is told once on a 一次性告知书 whose services need no document (零资料).
	Materials bitext.Text
	// Hotlines are printed at the foot of every receipt, after the hall's.
	Hotlines []Hotline
	// Utilities in display order (electricity, water, gas, broadband), those present.
	Utilities []*Utility
	// Addresses are the lists an address is picked from.
	Addresses *Addresses

	common     map[string]*Field
	categories map[string]*Category
	files      []File // what it was loaded from, for ReplaceUtility
}

// Joint kinds: a service takes part in at most one.
const (
	JointConnection = "connection" // 联动报装
	JointTransfer   = "transfer"   // 联合过户
)

// Joint is a joint application across utilities.
type Joint struct {
	Kind        string
	Name        bitext.Text
	Description bitext.Text
}

// Category is a group of services shown under one home tile.
type Category struct {
	ID string
	// Tile is the home screen tile (see app/config KnownTiles): apply, transfer, catalog.
	Tile        string
	Name        bitext.Text
	Description bitext.Text
}

// Hotline is a telephone number for the 一次性告知书.
type Hotline struct {
	Number string
	Label  bitext.Text
}

// Utility is one utility's part of the catalogue (one file).
type Utility struct {
	ID       string // electricity, water, gas, broadband
	Name     bitext.Text
	Version  string
	File     string
	Hotlines []Hotline
	Services []*Service
}

// Service is one service of a utility.
type Service struct {
	ID          string
	Utility     *Utility
	Name        bitext.Text
	Description bitext.Text
	Category    *Category
	// Joint is JointConnection, JointTransfer or "".
	Joint string
	// SettleFirst: unpaid bills of the account must be settled before the application
	// (过户). The screen checks the account's arrears and offers to pay them.
	SettleFirst bool
	// Common are the shared fields this service asks for, in common.toml's order.
	Common []*Field
	// Fields are the service's own fields, in order.
	Fields []*Field
	// Steps are all steps the service may have, in order; Days the committed working
	// days. Rules may select fewer steps and other days.
	Steps []*Step
	Days  int
	Fees  []*Fee
	Rules []*Rule
	// Next and Note are the 一次性告知书's "后续事项" and "温馨提示"; Materials overrides the
	// catalogue's default "申请材料" when set.
	Next, Note, Materials bitext.Text
}

// Step is a step of a service's process (申请受理, 装表接电, …).
type Step struct {
	ID          string
	Name        bitext.Text
	Description bitext.Text
}

// Type is a field's type.
type Type string

// Field types.
const (
	TypeText    Type = "text"    // letters, digits and '-', on the alphanumeric keypad
	TypeDigits  Type = "digits"  // digits only
	TypePhone   Type = "phone"   // a mobile number or a landline with area code
	TypeNumber  Type = "number"  // a decimal number with a unit, within min–max
	TypeChoice  Type = "choice"  // one of the options (several with multi)
	TypeYesNo   Type = "yesno"   // "yes" or "no"
	TypeAddress Type = "address" // a path picked from the address lists
	TypeIDCard  Type = "idcard"  // filled from the ID card (source), read-only
	TypeAccount Type = "account" // an account number (户号) at the service's utility
	TypeDate    Type = "date"    // a working day, min–max working days from today
)

var types = []Type{TypeText, TypeDigits, TypePhone, TypeNumber, TypeChoice, TypeYesNo, TypeAddress, TypeIDCard, TypeAccount, TypeDate}

// Role says what a field means to the utility's API: the submission puts a field with
// a role in its named slot instead of among the service's fields.
type Role string

// Roles.
const (
	RoleName         Role = "name"          // applicant's name
	RoleIDNumber     Role = "id_number"     // applicant's ID number
	RolePhone        Role = "phone"         // contact phone
	RoleAddress      Role = "address"       // connection address
	RoleAccount      Role = "account"       // existing account (户号)
	RolePropertyCert Role = "property_cert" // 不动产权证号 (过户)
)

var roles = []Role{RoleName, RoleIDNumber, RolePhone, RoleAddress, RoleAccount, RolePropertyCert}

// EarliestTimeLimit (earliest = "time_limit") starts a date field's choice on the day
// the service's committed time limit ends, as the rules make it of the answers: a
// citizen is not offered a day before the one the utility commits to (临电租赁's start of
// supply).
const EarliestTimeLimit = "time_limit"

// ID card sources of idcard fields.
const (
	SourceName     = "name"
	SourceIDNumber = "id_number"
)

// Field is a form field.
type Field struct {
	ID       string
	Label    bitext.Text
	Help     bitext.Text
	Type     Type
	Required bool
	Role     Role
	// Source is what an idcard field takes from the card (SourceName, SourceIDNumber).
	Source string
	// Options of a choice; Multi allows several (the answer lists values separated by ",").
	Options []Option
	Multi   bool
	// Min and Max bound a number (in Unit) or a date (in working days from today).
	Min, Max *float64
	// Earliest, on a date field, says where its first date comes from instead of Min:
	// EarliestTimeLimit.
	Earliest string
	// Decimals is the number of decimal places a number may have.
	Decimals int
	Unit     bitext.Text
	// MinLen and MaxLen bound the length of text, digits and account fields (0: no bound).
	MinLen, MaxLen int
	// Pattern must match the whole answer of text, digits and account fields.
	Pattern    *regexp.Regexp
	PatternMsg bitext.Text
	// DownTo is how deep an address must be picked.
	DownTo Level
	// Default is the initial answer.
	Default string
	// ShowIf hides the field unless all conditions hold. A hidden field is not asked,
	// not checked and not submitted.
	ShowIf []Condition
}

// Option is one choice of a choice field.
type Option struct {
	Value string
	Label bitext.Text
	Hint  bitext.Text
}

// Condition is a test on one answer. All the operators given must hold. A field that is
// unanswered or hidden fails every test except Answered = false.
type Condition struct {
	Field string
	// Is: the answer equals it (a multi choice: contains it). In: the answer is one of
	// them. Not: the answer differs from it (a multi choice: does not contain it).
	Is  *string
	In  []string
	Not *string
	// Min, Max (inclusive) and Above, Below (exclusive) compare a number.
	Min, Max, Above, Below *float64
	// Answered tests whether the field has an answer.
	Answered *bool
}

// Rule changes a service's outcome when its conditions (all of them) hold.
type Rule struct {
	ID   string
	When []Condition
	// Steps, when set, replace the service's steps; Days, when > 0, its committed days.
	Steps []*Step
	Days  int
	// ZeroCost marks the application 零费用.
	ZeroCost bool
	// Message is shown on the form and printed on the 一次性告知书.
	Message bitext.Text
}

// Fee is a fee item. Exactly one of Amount (fen), Free and Standard is set.
type Fee struct {
	ID       string
	Name     bitext.Text
	Amount   int64
	Free     bool
	Standard bitext.Text // a rule instead of an amount: "按实际工程量核算"
	Unit     bitext.Text // "元/只"
	// When limits the fee to answers meeting all conditions.
	When []Condition
}

// Utility returns the utility with the given ID.
func (c *Catalog) Utility(id string) (*Utility, bool) {
	for _, u := range c.Utilities {
		if u.ID == id {
			return u, true
		}
	}
	return nil, false
}

// Service returns a utility's service.
func (c *Catalog) Service(utility, id string) (*Service, bool) {
	u, ok := c.Utility(utility)
	if !ok {
		return nil, false
	}
	return u.Service(id)
}

// Service returns the utility's service with the given ID.
func (u *Utility) Service(id string) (*Service, bool) {
	for _, s := range u.Services {
		if s.ID == id {
			return s, true
		}
	}
	return nil, false
}

// AccountLength is how many digits an account number (户号) at utility has, as the
// account fields of its services bound it: the tightest bounds they share, or 0, 0
// when they bound none or disagree.
func (c *Catalog) AccountLength(utility string) (lo, hi int) {
	u, ok := c.Utility(utility)
	if !ok {
		return 0, 0
	}
	for _, s := range u.Services {
		for _, f := range s.Fields {
			if f.Role != RoleAccount {
				continue
			}
			lo = max(lo, f.MinLen)
			if f.MaxLen > 0 && (hi == 0 || f.MaxLen < hi) {
				hi = f.MaxLen
			}
		}
	}
	if hi > 0 && lo > hi {
		return 0, 0
	}
	return lo, hi
}

// Category returns the category with the given ID.
func (c *Catalog) Category(id string) (*Category, bool) {
	cat, ok := c.categories[id]
	return cat, ok
}

// CategoriesOf returns the categories shown under a home tile, in order.
func (c *Catalog) CategoriesOf(tile string) []*Category {
	var out []*Category
	for _, cat := range c.Categories {
		if cat.Tile == tile {
			out = append(out, cat)
		}
	}
	return out
}

// Services returns the services of a category, utility by utility.
func (c *Catalog) Services(category string) []*Service {
	var out []*Service
	for _, u := range c.Utilities {
		for _, s := range u.Services {
			if s.Category.ID == category {
				out = append(out, s)
			}
		}
	}
	return out
}

// ServicesOfTile returns the services of every category under a tile.
func (c *Catalog) ServicesOfTile(tile string) []*Service {
	var out []*Service
	for _, cat := range c.CategoriesOf(tile) {
		out = append(out, c.Services(cat.ID)...)
	}
	return out
}

// JointServices returns, for each utility in display order, its service of the given
// joint kind (at most one per utility, checked at load).
func (c *Catalog) JointServices(kind string) []*Service {
	var out []*Service
	for _, u := range c.Utilities {
		for _, s := range u.Services {
			if s.Joint == kind {
				out = append(out, s)
			}
		}
	}
	return out
}

// Step returns the service's step with the given ID.
func (s *Service) Step(id string) (*Step, bool) {
	for _, st := range s.Steps {
		if st.ID == id {
			return st, true
		}
	}
	return nil, false
}

// Field returns the service's own or common field with the given ID.
func (s *Service) Field(id string) (*Field, bool) {
	for _, f := range s.Fields {
		if f.ID == id {
			return f, true
		}
	}
	for _, f := range s.Common {
		if f.ID == id {
			return f, true
		}
	}
	return nil, false
}

// Keypad is the on-screen keypad a field is typed on.
type Keypad int

// Keypads. KeypadNone: the field is picked (choice, yes/no, address, date) or read
// from the card.
const (
	KeypadNone    Keypad = iota
	KeypadDigits         // 0–9
	KeypadDecimal        // 0–9 and "."
	KeypadPhone          // 0–9 and "-"
	KeypadAlnum          // A–Z, 0–9 and "-"
)

// Keypad returns the keypad to type the field on.
func (f *Field) Keypad() Keypad {
	switch f.Type {
	case TypeDigits, TypeAccount:
		return KeypadDigits
	case TypePhone:
		return KeypadPhone
	case TypeNumber:
		if f.Decimals > 0 {
			return KeypadDecimal
		}
		return KeypadDigits
	case TypeText:
		return KeypadAlnum
	}
	return KeypadNone
}

// Option returns the option with the given value.
func (f *Field) Option(value string) (Option, bool) { return findOption(f.Options, value) }
