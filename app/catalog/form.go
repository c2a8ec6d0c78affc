package catalog

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/liangzihu/kiosk/app/bitext"
	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/mask"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/workdays"
	"github.com/liangzihu/kiosk/devices/idcard"
)

// Env is what forms need from the kiosk: the working-day calendar (deadlines, dates on
// offer) and the clock (today).
type Env struct {
	Calendar *workdays.Calendar
	Clock    clock.Clock
}

// Form is the form of one service, or of a joint application: one service per utility,
// the common fields asked once. It is immutable; the answers live in Answers.
type Form struct {
	Services []*Service
	// Sections in order: the common fields first, then each service's own fields.
	Sections []*Section

	cat    *Catalog
	env    Env
	inputs []*Input
	byKey  map[string]*Input
	// card is the type of the card the form was filled from (session.Identity.CardType).
	card string
}

// Section is a group of inputs with a title.
type Section struct {
	Title bitext.Text
	// Service is nil for the section of common fields.
	Service *Service
	Inputs  []*Input
}

// Input is a field placed in a form under a key: a common field's key is its ID
// ("phone"); a service's own field's key is utility.field ("electricity.voltage").
type Input struct {
	Key   string
	Field *Field
	// Service is nil for a common field.
	Service *Service
}

// Answers are the citizen's answers by input key. Choices hold option values, yes/no
// fields "yes" or "no", addresses IDs joined by Sep, dates YYYY-MM-DD.
type Answers map[string]string

// Errors of NewForm.
var (
	ErrNoService     = errors.New("catalog: a form needs at least one service")
	ErrSameUtility   = errors.New("catalog: a joint form takes one service per utility")
	ErrNoCalendar    = errors.New("catalog: the form needs a working-day calendar and a clock")
	ErrUnknownInput  = errors.New("catalog: no such input in the form")
	ErrNotChoosable  = errors.New("catalog: the input is typed, not chosen")
	ErrInvalidAnswer = errors.New("catalog: the answers are not complete or not valid")
)

// NewForm builds the form of the given services: one service, or a joint application with
// at most one service per utility.
func (c *Catalog) NewForm(env Env, services ...*Service) (*Form, error) {
	if len(services) == 0 {
		return nil, ErrNoService
	}
	if env.Calendar == nil || env.Clock == nil {
		return nil, ErrNoCalendar
	}
	f := &Form{Services: services, cat: c, env: env, byKey: map[string]*Input{}}
	common := &Section{Title: c.CommonTitle}
	seen := map[string]bool{}
	for _, s := range services {
		if seen[s.Utility.ID] {
			return nil, fmt.Errorf("%w: %s twice", ErrSameUtility, s.Utility.ID)
		}
		seen[s.Utility.ID] = true
	}
	for _, fd := range c.Common {
		for _, s := range services {
			if slices.Contains(s.Common, fd) {
				common.Inputs = append(common.Inputs, &Input{Key: fd.ID, Field: fd})
				break
			}
		}
	}
	if len(common.Inputs) > 0 {
		f.Sections = append(f.Sections, common)
	}
	for _, s := range services {
		sec := &Section{Service: s, Title: sectionTitle(s)}
		for _, fd := range s.Fields {
			sec.Inputs = append(sec.Inputs, &Input{Key: s.Utility.ID + "." + fd.ID, Field: fd, Service: s})
		}
		if len(sec.Inputs) > 0 {
			f.Sections = append(f.Sections, sec)
		}
	}
	for _, sec := range f.Sections {
		for _, in := range sec.Inputs {
			f.inputs = append(f.inputs, in)
			f.byKey[in.Key] = in
		}
	}
	return f, nil
}

// Inputs returns every input in order.
func (f *Form) Inputs() []*Input { return f.inputs }

// Input returns the input with the given key.
func (f *Form) Input(key string) (*Input, bool) {
	in, ok := f.byKey[key]
	return in, ok
}

// key is the key of field id as seen from service s (nil: the common fields).
func (f *Form) key(s *Service, id string) string {
	if s == nil {
		return id
	}
	for _, fd := range s.Common {
		if fd.ID == id {
			return id
		}
	}
	return s.Utility.ID + "." + id
}

// Defaults returns the fields' default answers.
func (f *Form) Defaults() Answers {
	a := Answers{}
	for _, in := range f.inputs {
		if in.Field.Default != "" {
			a[in.Key] = in.Field.Default
		}
	}
	return a
}

// FillFromCard puts the card holder's name and ID number into the form's idcard inputs,
// and notes which card it is: the ID number's label names it (Label).
func (f *Form) FillFromCard(a Answers, id session.Identity) {
	f.card = id.CardType
	for _, in := range f.inputs {
		if in.Field.Type != TypeIDCard {
			continue
		}
		switch in.Field.Source {
		case SourceName:
			a[in.Key] = strings.TrimSpace(id.Name)
		case SourceIDNumber:
			a[in.Key] = strings.TrimSpace(id.IDNumber)
		}
	}
}

// cardNumberLabels name the number of each card that is not a resident ID card (居民身份
// 证), by session.Identity.CardType: a foreigner's permanent residence card (外国人永久居留
// 身份证, 永居证) and a residence permit for Hong Kong, Macao and Taiwan residents (港澳台
// 居民居住证). A resident card's number is named by the catalogue (身份证号码).
var cardNumberLabels = map[string]bitext.Text{
	"foreign_2017":  bitext.New("永居证号码", "Permanent residence card No."),
	"foreign_2023":  bitext.New("永居证号码", "Permanent residence card No."),
	"gat_residence": bitext.New("居住证号码", "Residence permit No."),
}

// Label is what a field is called on the form, on its review and on the receipt: its
// catalogue label, but for the ID number read from a card other than a resident ID
// card, which is named after that card (永居证号码, 居住证号码).
func (f *Form) Label(fd *Field, lang i18n.Lang) string {
	if fd.Type == TypeIDCard && fd.Source == SourceIDNumber {
		if l, ok := cardNumberLabels[f.card]; ok {
			return l.In(lang)
		}
	}
	return fd.Label.In(lang)
}

// IDNumberLabel is the label of the applicant's ID number (the field with role
// id_number), as Label gives it; "" when the form has none.
func (f *Form) IDNumberLabel(lang i18n.Lang) string {
	for _, in := range f.inputs {
		if in.Field.Role == RoleIDNumber {
			return f.Label(in.Field, lang)
		}
	}
	return ""
}

// Visible reports whether an input is asked, given the answers so far.
func (f *Form) Visible(key string, a Answers) bool {
	in, ok := f.byKey[key]
	return ok && f.visible(in, a, 0)
}

func (f *Form) visible(in *Input, a Answers, depth int) bool {
	if depth > len(f.inputs) {
		return false // a cycle; refused at load, guarded here too
	}
	for _, c := range in.Field.ShowIf {
		if !f.holds(in.Service, c, a, depth+1) {
			return false
		}
	}
	return true
}

// value is the answer of field id seen from service s, "" when hidden or unanswered.
func (f *Form) value(s *Service, id string, a Answers, depth int) (string, *Field) {
	in, ok := f.byKey[f.key(s, id)]
	if !ok || !f.visible(in, a, depth) {
		return "", nil
	}
	return strings.TrimSpace(a[in.Key]), in.Field
}

func (f *Form) holds(s *Service, c Condition, a Answers, depth int) bool {
	v, fd := f.value(s, c.Field, a, depth)
	if c.Answered != nil && (v != "") != *c.Answered {
		return false
	}
	if v == "" {
		return c.Is == nil && c.In == nil && c.Not == nil && c.Min == nil && c.Max == nil && c.Above == nil && c.Below == nil
	}
	has := func(x string) bool {
		if fd.Type == TypeChoice && fd.Multi {
			return slices.Contains(strings.Split(v, ","), x)
		}
		return v == x
	}
	if c.Is != nil && !has(*c.Is) {
		return false
	}
	if c.Not != nil && has(*c.Not) {
		return false
	}
	if c.In != nil && !slices.ContainsFunc(c.In, has) {
		return false
	}
	if c.Min != nil || c.Max != nil || c.Above != nil || c.Below != nil {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return false
		}
		if (c.Min != nil && n < *c.Min) || (c.Max != nil && n > *c.Max) ||
			(c.Above != nil && n <= *c.Above) || (c.Below != nil && n >= *c.Below) {
			return false
		}
	}
	return true
}

// Problem is an answer that is missing or not valid, with a message for the citizen.
// Messages name the field, never the answer (it may be personal data).
type Problem struct {
	Key  string
	Code Code
	Msg  bitext.Text
}

// Error is the key and the English message, for logs and tests.
func (p *Problem) Error() string { return p.Key + ": " + p.Msg.EN }

// Code says what is wrong with an answer.
type Code string

// Problem codes.
const (
	CodeRequired Code = "required"
	CodeChars    Code = "chars"     // a character the field does not take
	CodeTooShort Code = "too_short" // fewer characters than min_len
	CodeTooLong  Code = "too_long"
	CodePattern  Code = "pattern"
	CodePhone    Code = "phone"
	CodeNumber   Code = "number"
	CodeDecimals Code = "decimals"
	CodeTooSmall Code = "too_small"
	CodeTooLarge Code = "too_large"
	CodeChoice   Code = "choice"
	CodeAddress  Code = "address"
	CodeDate     Code = "date"
	CodeIDCard   Code = "idcard"
)

func problem(fd *Field, code Code, zh, en string) *Problem {
	return &Problem{Code: code, Msg: bitext.New(strings.ReplaceAll(zh, "{label}", fd.Label.ZH), strings.ReplaceAll(en, "{label}", fd.Label.EN))}
}

// Check validates a complete answer to one input: the phone number's format, digits only,
// a number's range, an option of the list, a full address, one of the dates offered, ….
// The other answers (a) matter to a date that starts at the end of the time limit, which
// the rules make of them. An empty answer is not a problem here (Validate reports missing
// required answers). It returns nil when the answer is valid.
func (f *Form) Check(key, value string, a Answers) *Problem {
	in, ok := f.byKey[key]
	if !ok {
		return &Problem{Key: key, Code: CodeChoice, Msg: bitext.New("没有这一项", "No such field")}
	}
	value = strings.TrimSpace(value)
	if value == "" {
		return nil
	}
	p := checkValue(in.Field, value, f.checkEnv(in, a, f.env.Clock.Now()))
	if p != nil {
		p.Key = key
	}
	return p
}

// checkEnv is what checking an answer to in needs: the address lists, and the dates
// offered for a date.
func (f *Form) checkEnv(in *Input, a Answers, now time.Time) *checkEnv {
	env := &checkEnv{addr: f.cat.Addresses}
	if in.Field.Type == TypeDate {
		env.dates = f.dateOptions(in, a, now)
	}
	return env
}

// CheckTyping validates an answer being typed on the keypad: it reports a problem only
// when no further typing can make the answer valid (a letter in a digits field, too many
// characters, a phone number that cannot be one, too many decimals, a number already
// above the maximum), so the keypad can refuse the key or show the message at once.
func (f *Form) CheckTyping(key, partial string) *Problem {
	in, ok := f.byKey[key]
	if !ok {
		return &Problem{Key: key, Code: CodeChoice, Msg: bitext.New("没有这一项", "No such field")}
	}
	p := checkTyping(in.Field, partial)
	if p != nil {
		p.Key = key
	}
	return p
}

// Validate checks every visible input: required answers present, every answer valid.
// It returns the problems in form order; none means the form can be submitted.
func (f *Form) Validate(a Answers) []*Problem {
	var out []*Problem
	now := f.env.Clock.Now()
	for _, in := range f.inputs {
		if !f.visible(in, a, 0) {
			continue
		}
		v := strings.TrimSpace(a[in.Key])
		if v == "" {
			if in.Field.Required {
				p := requiredProblem(in.Field)
				p.Key = in.Key
				out = append(out, p)
			}
			continue
		}
		if p := checkValue(in.Field, v, f.checkEnv(in, a, now)); p != nil {
			p.Key = in.Key
			out = append(out, p)
		}
	}
	return out
}

func requiredProblem(fd *Field) *Problem {
	switch fd.Type {
	case TypeChoice, TypeYesNo, TypeAddress, TypeDate:
		return problem(fd, CodeRequired, "请选择{label}", "Please choose {label}")
	case TypeIDCard:
		return problem(fd, CodeIDCard, "请先刷身份证，{label}由身份证读取", "Place your ID card on the reader: {label} is read from it")
	}
	return problem(fd, CodeRequired, "请填写{label}", "Please fill in {label}")
}

type checkEnv struct {
	addr *Addresses
	// dates are the dates offered, for a date field.
	dates []Option
}

var (
	mobileRE = regexp.MustCompile(`^1[3-9]\d{9}$`)
	// landlineRE is a landline with its area code: 0 and two or three digits (010, 027,
	// 0711; never 00, which dials abroad), then a local number of 7 or 8 digits starting
	// with 2 to 9 (0 and 1 start no subscriber's number).
	landlineRE = regexp.MustCompile(`^0[1-9]\d{1,2}-?[2-9]\d{6,7}$`)
	numberRE   = regexp.MustCompile(`^(0|[1-9]\d*)(\.\d+)?$`)
	alnumRE    = regexp.MustCompile(`^[A-Za-z0-9-]*$`)
	digitsRE   = regexp.MustCompile(`^\d*$`)
)

// maxNameRunes is the longest name a card holds: a 2017 foreign permanent residence
// card's English name field has 60 characters (shared/protocols/idcard.md).
const maxNameRunes = 60

// checkValue validates a non-empty answer. env is nil when checking defaults at load.
func checkValue(fd *Field, v string, env *checkEnv) *Problem {
	switch fd.Type {
	case TypeText, TypeDigits, TypeAccount:
		return checkString(fd, v)
	case TypePhone:
		if p := checkTyping(fd, v); p != nil {
			return p
		}
		if !mobileRE.MatchString(v) && !landlineRE.MatchString(v) {
			return phoneProblem(fd)
		}
	case TypeNumber:
		if p := checkTyping(fd, v); p != nil {
			return p
		}
		if !numberRE.MatchString(v) {
			return problem(fd, CodeNumber, "{label}请输入数字", "{label}: enter a number")
		}
		n, _ := strconv.ParseFloat(v, 64)
		if fd.Min != nil && n < *fd.Min {
			return problem(fd, CodeTooSmall, "{label}不能小于"+num(*fd.Min)+fd.Unit.ZH, "{label} must be at least "+num(*fd.Min)+" "+fd.Unit.In(i18n.EN))
		}
	case TypeChoice:
		vals := []string{v}
		if fd.Multi {
			vals = strings.Split(v, ",")
		}
		for i, x := range vals {
			if _, ok := fd.Option(x); !ok || slices.Contains(vals[:i], x) {
				return problem(fd, CodeChoice, "请从列表中选择{label}", "Choose {label} from the list")
			}
		}
	case TypeYesNo:
		if v != "yes" && v != "no" {
			return problem(fd, CodeChoice, "请选择{label}：是或否", "Choose {label}: yes or no")
		}
	case TypeAddress:
		ad, err := env.addr.Resolve(v)
		if err != nil || !ad.Complete(fd.DownTo) {
			return problem(fd, CodeAddress, "请逐级选择完整的{label}", "Choose the full {label}, level by level")
		}
	case TypeIDCard:
		if fd.Source == SourceIDNumber && !idNumberOK(v) {
			return problem(fd, CodeIDCard, "{label}无效，请重新刷身份证", "{label} is not valid: place your ID card again")
		}
		if fd.Source == SourceName && utf8.RuneCountInString(v) > maxNameRunes {
			return problem(fd, CodeIDCard, "{label}无效，请重新刷身份证", "{label} is not valid: place your ID card again")
		}
	case TypeDate:
		if !slices.ContainsFunc(env.dates, func(o Option) bool { return o.Value == v }) {
			return problem(fd, CodeDate, "请选择可预约的{label}", "Choose one of the dates offered for {label}")
		}
	}
	return nil
}

func phoneProblem(fd *Field) *Problem {
	return problem(fd, CodePhone, "{label}：请输入11位手机号码，或带区号的固定电话", "{label}: enter an 11-digit mobile number or a landline with its area code")
}

func checkString(fd *Field, v string) *Problem {
	if p := checkTyping(fd, v); p != nil {
		return p
	}
	if n := utf8.RuneCountInString(v); fd.MinLen > 0 && n < fd.MinLen {
		if fd.MinLen == fd.MaxLen {
			return problem(fd, CodeTooShort, fmt.Sprintf("{label}应为%d位", fd.MinLen), fmt.Sprintf("{label} must have %s", lengthEN(fd, fd.MinLen)))
		}
		return problem(fd, CodeTooShort, fmt.Sprintf("{label}至少%d位", fd.MinLen), "{label}: at least "+lengthEN(fd, fd.MinLen))
	}
	if fd.Pattern != nil && !fd.Pattern.MatchString(v) {
		if fd.PatternMsg.ZH != "" {
			return &Problem{Code: CodePattern, Msg: fd.PatternMsg}
		}
		return problem(fd, CodePattern, "{label}格式不正确", "{label}: wrong format")
	}
	return nil
}

// lengthEN words a length limit in English: "8 digits" for a field of digits only (digits,
// account), "12 characters" otherwise, "1 digit" for one.
func lengthEN(fd *Field, n int) string {
	unit := "character"
	if fd.Type == TypeDigits || fd.Type == TypeAccount {
		unit = "digit"
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// checkTyping reports a problem that no further typing can fix.
func checkTyping(fd *Field, v string) *Problem {
	tooLong := func() *Problem {
		return problem(fd, CodeTooLong, fmt.Sprintf("{label}最多%d位", fd.MaxLen), "{label}: at most "+lengthEN(fd, fd.MaxLen))
	}
	switch fd.Type {
	case TypeText:
		if !alnumRE.MatchString(v) {
			return problem(fd, CodeChars, "{label}只能输入字母、数字和“-”", "{label}: letters, digits and - only")
		}
		if fd.MaxLen > 0 && len(v) > fd.MaxLen {
			return tooLong()
		}
	case TypeDigits, TypeAccount:
		if !digitsRE.MatchString(v) {
			return problem(fd, CodeChars, "{label}只能输入数字", "{label}: digits only")
		}
		if fd.MaxLen > 0 && len(v) > fd.MaxLen {
			return tooLong()
		}
	case TypePhone:
		if strings.Trim(v, "0123456789-") != "" {
			return problem(fd, CodeChars, "{label}只能输入数字和“-”", "{label}: digits and - only")
		}
		if v == "" {
			return nil
		}
		switch v[0] {
		case '1':
			if len(v) > 11 || strings.Contains(v, "-") || (len(v) > 1 && v[1] < '3') {
				return phoneProblem(fd)
			}
		case '0':
			if len(v) > 13 || strings.Count(v, "-") > 1 || strings.HasPrefix(v, "00") {
				return phoneProblem(fd)
			}
			// After the area code's dash (0xx- or 0xxx-) the local number, which starts
			// with 2 to 9.
			if i := strings.IndexByte(v, '-'); i >= 0 && (i < 3 || i > 4 || len(v) > i+1 && v[i+1] < '2') {
				return phoneProblem(fd)
			}
		default:
			return phoneProblem(fd)
		}
	case TypeNumber:
		if strings.Trim(v, "0123456789.") != "" || strings.Count(v, ".") > 1 || strings.HasPrefix(v, ".") {
			return problem(fd, CodeNumber, "{label}请输入数字", "{label}: enter a number")
		}
		if len(v) > 1 && v[0] == '0' && v[1] != '.' {
			// 0220 would be shown, printed and sent as it is typed.
			return problem(fd, CodeNumber, "{label}开头不能是0", "{label}: no leading 0")
		}
		if i := strings.IndexByte(v, '.'); i >= 0 && (fd.Decimals == 0 || len(v)-i-1 > fd.Decimals) {
			if fd.Decimals == 0 {
				return problem(fd, CodeDecimals, "{label}请输入整数", "{label}: a whole number")
			}
			places := "places"
			if fd.Decimals == 1 {
				places = "place"
			}
			return problem(fd, CodeDecimals, fmt.Sprintf("{label}最多%d位小数", fd.Decimals), fmt.Sprintf("{label}: at most %d decimal %s", fd.Decimals, places))
		}
		if n, err := strconv.ParseFloat(strings.TrimSuffix(v, "."), 64); err == nil && fd.Max != nil && n > *fd.Max {
			return problem(fd, CodeTooLarge, "{label}不能大于"+num(*fd.Max)+fd.Unit.ZH, "{label} must be at most "+num(*fd.Max)+" "+fd.Unit.In(i18n.EN))
		}
	}
	return nil
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// idNumberOK accepts an 18-character number with a valid GB 11643 check character (the
// resident ID card, the 2023 foreign permanent residence card, the GAT residence permit)
// or the 15-character 2017 foreign permanent residence card number, as the reader does.
func idNumberOK(s string) bool {
	return idcard.ValidNumber18(s) || idcard.ValidNumber15(s)
}

// Choices are what the citizen picks from for one input.
type Choices struct {
	// Prompt is what to ask ("请选择街道（乡镇）" for the next level of an address).
	Prompt  bitext.Text
	Options []Option
	// Level is the address level of the options.
	Level Level
	// Complete: the partial address is complete as it stands; no options follow.
	Complete bool
}

// Options returns the choices of a choice, yes/no or date input, or the next level of an
// address input given the part picked so far (partial; "" for the first level). The
// answers so far (a) matter to a date that starts at the end of the time limit, which the
// rules make of them.
func (f *Form) Options(key, partial string, a Answers) (Choices, error) {
	in, ok := f.byKey[key]
	if !ok {
		return Choices{}, fmt.Errorf("%w: %q", ErrUnknownInput, key)
	}
	fd := in.Field
	switch fd.Type {
	case TypeChoice:
		return Choices{Prompt: fd.Label, Options: fd.Options}, nil
	case TypeYesNo:
		return Choices{Prompt: fd.Label, Options: yesNo}, nil
	case TypeDate:
		return Choices{Prompt: fd.Label, Options: f.dateOptions(in, a, f.env.Clock.Now())}, nil
	case TypeAddress:
		ad, err := f.cat.Addresses.Resolve(partial)
		if err != nil {
			return Choices{}, fmt.Errorf("catalog: address: %w", err)
		}
		if ad.Complete(fd.DownTo) {
			return Choices{Prompt: fd.Label, Complete: true, Level: ad.Levels[len(ad.Levels)-1]}, nil
		}
		level, opts, _, err := f.cat.Addresses.Next(partial)
		if err != nil {
			return Choices{}, fmt.Errorf("catalog: address: %w", err)
		}
		return Choices{Prompt: levelPrompts[level], Options: opts, Level: level}, nil
	}
	return Choices{}, fmt.Errorf("%w: %q", ErrNotChoosable, key)
}

// Toggle adds value to, or removes it from, the answer of a multi choice, keeping the
// options' order: what a screen calls when a check box is tapped. For a single choice it
// returns value.
func (f *Form) Toggle(key, answer, value string) string {
	in, ok := f.byKey[key]
	if !ok || in.Field.Type != TypeChoice || !in.Field.Multi {
		return value
	}
	picked := strings.Split(answer, ",")
	on := !slices.Contains(picked, value)
	var out []string
	for _, o := range in.Field.Options {
		if (o.Value == value && on) || (o.Value != value && slices.Contains(picked, o.Value)) {
			out = append(out, o.Value)
		}
	}
	return strings.Join(out, ",")
}

var yesNo = []Option{
	{Value: "yes", Label: bitext.New("是", "Yes")},
	{Value: "no", Label: bitext.New("否", "No")},
}

// dateOptions lists the dates offered for a date input: the working days from its first
// (min working days after now, or with earliest = "time_limit" the day the service's
// committed time limit ends, as the rules make it of the answers) to max working days
// after now.
func (f *Form) dateOptions(in *Input, a Answers, now time.Time) []Option {
	fd, cal := in.Field, f.env.Calendar
	var from int
	switch {
	case fd.Earliest == EarliestTimeLimit:
		from = f.committedDays(in.Service, a)
	case fd.Min != nil:
		from = int(*fd.Min)
	}
	var out []Option
	for k := from; k <= int(*fd.Max); k++ {
		d := cal.Deadline(now, k)
		if k == 0 && !cal.IsWorkingDay(d) {
			continue
		}
		v := d.Format(time.DateOnly)
		if len(out) > 0 && out[len(out)-1].Value == v {
			continue
		}
		out = append(out, Option{Value: v, Label: bitext.New(
			fmt.Sprintf("%d月%d日（%s）", d.Month(), d.Day(), workdays.WeekdayZH(d.Weekday())),
			d.Format("Mon 2 Jan"))})
	}
	return out
}

// Display writes an answer as the form shows it: an option's label, 是/否, the address,
// the date, a number with its unit. Fields read from the ID card are masked.
func (f *Form) Display(key, value string, lang i18n.Lang) string {
	in, ok := f.byKey[key]
	if !ok {
		return ""
	}
	return f.display(in.Field, strings.TrimSpace(value), lang, false)
}

func (f *Form) display(fd *Field, v string, lang i18n.Lang, masked bool) string {
	if v == "" {
		return ""
	}
	switch fd.Type {
	case TypeChoice:
		var labels []string
		for _, x := range strings.Split(v, ",") {
			if o, ok := fd.Option(x); ok {
				labels = append(labels, o.Label.In(lang))
			}
		}
		sep := "、"
		if lang == i18n.EN {
			sep = ", "
		}
		return strings.Join(labels, sep)
	case TypeYesNo:
		for _, o := range yesNo {
			if o.Value == v {
				return o.Label.In(lang)
			}
		}
	case TypeNumber:
		if u := fd.Unit.In(lang); u != "" {
			if lang == i18n.EN {
				return v + " " + u
			}
			return v + u
		}
		return v
	case TypeAddress:
		ad, err := f.cat.Addresses.Resolve(v)
		if err != nil {
			return ""
		}
		if masked {
			return ad.Masked(lang)
		}
		return ad.Label(lang)
	case TypeDate:
		t, err := time.ParseInLocation(time.DateOnly, v, workdays.CST)
		if err != nil {
			return ""
		}
		return workdays.FormatDate(t, lang)
	case TypeIDCard:
		if fd.Source == SourceIDNumber {
			return mask.IDNumber(v)
		}
		return mask.Name(v)
	case TypePhone:
		if masked {
			return mask.Phone(v)
		}
	}
	if masked && fd.Role == RolePropertyCert {
		return mask.Certificate(v)
	}
	return v
}
