package catalog

import (
	"fmt"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/app/bitext"
	"github.com/liangzihu/kiosk/app/i18n"
)

// Row is a label/value line of a review page or a receipt.
type Row struct {
	Section string
	// Service is the service whose section the row is in; nil in the common fields'
	// section and in the rows of an outcome.
	Service *Service
	// Key is the input's key; "" for rows of an outcome.
	Key   string
	Label string
	Value string
}

// Review lists the visible, answered inputs in form order, for the review page before
// submission. Personal data is masked (name 张*, ID 6 + 4, phone 3 + 4, the address's
// unit and room: Address.Masked, the property certificate's number 2 + 2): the review
// is on a screen in a public hall.
func (f *Form) Review(a Answers, lang i18n.Lang) []Row { return f.review(a, lang, true) }

// ReviewInFull is Review with what the citizen typed or picked (phone, address,
// certificate number) in full, for them to check on their own request; name and ID
// number stay masked.
func (f *Form) ReviewInFull(a Answers, lang i18n.Lang) []Row { return f.review(a, lang, false) }

func (f *Form) review(a Answers, lang i18n.Lang, masked bool) []Row {
	var rows []Row
	for _, sec := range f.Sections {
		title := sec.Title.In(lang)
		for _, in := range sec.Inputs {
			if !f.visible(in, a, 0) {
				continue
			}
			v := f.display(in.Field, strings.TrimSpace(a[in.Key]), lang, masked)
			if v == "" {
				continue
			}
			rows = append(rows, Row{Section: title, Service: sec.Service, Key: in.Key, Label: f.Label(in.Field, lang), Value: v})
		}
	}
	return rows
}

// Applicant is who applies, from the fields with roles name, id_number and phone.
// Personal data: never log it.
type Applicant struct {
	Name     string
	IDNumber string
	Phone    string
}

// Submission is what is sent to one utility for one service. It maps onto the utility
// API: Service, Applicant, Address, Account and Fields make an Application (新装, 增容,
// …); for a transfer (Joint == JointTransfer) Account, Applicant (the new holder) and
// PropertyCert make a Transfer. KioskRef and JointRef are added by the caller.
// Personal data: never log it.
type Submission struct {
	Utility string
	Service string
	Joint   string
	// ServiceName is the service's Chinese name, for the receipt and the journal.
	ServiceName string
	Applicant   Applicant
	// Address is the connection address written out in Chinese; AddressPath its IDs;
	// Where the same resolved level by level (the receipt masks the household's part by
	// it) and WhereLabel the label of its field (地址, 用电地点).
	Address      string
	AddressPath  string
	Where        Address
	WhereLabel   bitext.Text
	Account      string
	PropertyCert string
	// Fields are the service's other visible, answered fields by field ID, as answered
	// (option values, "yes"/"no", numbers in the field's unit, dates YYYY-MM-DD).
	Fields map[string]string
	// Outcome is the rules' result at acceptance: steps, days, deadline, 零费用, fees.
	Outcome *Outcome
}

// InvalidError is returned by Submissions when answers are missing or not valid.
type InvalidError struct {
	Problems []*Problem
}

// Error lists the problems' codes and keys (never the answers).
func (e *InvalidError) Error() string {
	keys := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		keys[i] = string(p.Code) + " " + p.Key
	}
	return fmt.Sprintf("%v: %s", ErrInvalidAnswer, strings.Join(keys, ", "))
}

// Unwrap makes errors.Is(err, ErrInvalidAnswer) true.
func (e *InvalidError) Unwrap() error { return ErrInvalidAnswer }

// Submissions validates the answers and builds one submission per service, with its
// outcome counted from accepted. It returns an *InvalidError when Validate finds problems.
func (f *Form) Submissions(a Answers, accepted time.Time) ([]Submission, error) {
	if ps := f.Validate(a); len(ps) > 0 {
		return nil, &InvalidError{Problems: ps}
	}
	outcomes := f.Evaluate(a, accepted)
	out := make([]Submission, len(f.Services))
	for i, s := range f.Services {
		sub := Submission{Utility: s.Utility.ID, Service: s.ID, Joint: s.Joint, ServiceName: s.Name.ZH, Fields: map[string]string{}, Outcome: outcomes[i]}
		for _, fd := range append(append([]*Field(nil), s.Common...), s.Fields...) {
			in := f.byKey[f.key(s, fd.ID)]
			if !f.visible(in, a, 0) {
				continue
			}
			v := strings.TrimSpace(a[in.Key])
			if v == "" {
				continue
			}
			switch fd.Role {
			case RoleName:
				sub.Applicant.Name = v
			case RoleIDNumber:
				sub.Applicant.IDNumber = v
			case RolePhone:
				sub.Applicant.Phone = v
			case RoleAddress:
				sub.AddressPath = v
				sub.Address = f.display(fd, v, i18n.ZH, false)
				sub.Where, _ = f.cat.Addresses.Resolve(v) // Validate resolved it
				sub.WhereLabel = fd.Label
			case RoleAccount:
				sub.Account = v
			case RolePropertyCert:
				sub.PropertyCert = v
			default:
				sub.Fields[fd.ID] = v
			}
		}
		out[i] = sub
	}
	return out, nil
}
