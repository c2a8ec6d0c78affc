package receipt

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/app/mask"
	"github.com/liangzihu/kiosk/devices/printer"
)

// Acceptance is an acceptance receipt (受理回执) with the one-time notification
// (一次性告知书): everything the applicant needs to know, told once, on paper.
type Acceptance struct {
	// Ref is the application's reference: the kiosk's (本机编号), or the one utility's
	// own number once it answered; the tracking QR links to TrackURL(Ref) unless every
	// section has its own.
	Ref string
	// Joint marks Ref as the joint reference that ties several utilities' parts
	// together (联办编号), quoted at a counter but not tracked itself: every section
	// must then have its own tracking reference.
	Joint bool
	// Applicant, IDNumber and Phone are unmasked; the receipt prints them masked
	// (张*, 420704********123X, 138****5678). Empty ones are left out.
	Applicant string
	IDNumber  string
	Phone     string
	// IDLabel names the ID number as the form on screen did, by the card it was read
	// from (身份证号码, 永居证号码, 居住证号码); empty: 身份证号码.
	IDLabel string
	// Service is what was applied for, e.g. 水电气网联合报装.
	Service string
	// Time is when the application was accepted.
	Time time.Time
	// Sections hold one section per utility: a joint application has several.
	Sections []Section
	// Hotlines are printed at the foot (FooterHotlines), e.g. 供电服务 95598, 能源监管
	// 12398, 政务服务便民热线 12345.
	Hotlines []Hotline
	// Materials, when set, is told once when no section needs a document (零资料办理：
	// 凭本人有效身份证件即可 …).
	Materials string
	// Reprint marks a copy printed again after a failed print (补打).
	Reprint bool
}

// Section is one utility's part of an application.
type Section struct {
	// Utility names the utility, e.g. 供电 · 国网梁子湖区供电公司.
	Utility string
	// Number is the utility's own application number; empty while the utility has not
	// answered yet (the application is queued and will be forwarded).
	Number string
	// Business is the service, e.g. 低压居民新装.
	Business string
	// Address is where the connection or installation is: printed once at the top when
	// every section has the same, else in each section; zero: none asked.
	Address Address
	// WorkingDays is the committed time limit in working days, and Deadline the date it
	// ends (computed by the caller's working-day calendar). WorkingDays 0: not printed.
	WorkingDays int
	Deadline    time.Time
	// ChosenDate: the citizen chose the day of the work (an appointment, the start of
	// supply), later than the committed time; Deadline is that day.
	ChosenDate bool
	// Fees are what the applicant pays, one a line; none means 零费用 (no charge).
	// FeesText, when set, is printed instead (fees given as a standard, not an amount):
	// its lines ("\n") one a line, each fee's name (before its ：) kept whole.
	Fees     []Fee
	FeesText string
	// Documents are paper documents still needed; none means 无需提交纸质材料.
	Documents []string
	// Steps are what happens next, in order.
	Steps []string
	// Hotlines are the utility's numbers for questions.
	Hotlines []Hotline
	// Notes are told once more on paper: 零费用, the rules' messages, 温馨提示.
	Notes []string
	// Track is the reference this section's own tracking QR links to (the utility's
	// number, or the kiosk's reference until the utility answers); empty: none.
	Track string
	// Refused is the utility's reason when it did not accept this part: the section
	// then says so, with the reason and whom to call, and nothing else.
	Refused string
}

// Address is an address as it was picked, level by level: Label names it as its
// question did (地址, 用电地点); Place is the district down to the building, a name a
// level (梁子湖区, 太和镇, 正街社区, 金域花园1栋); Unit and Room name the household (2单元,
// 602室; a village house 17号 is a Room), "" where none. The receipt prints Unit and Room
// masked (*单元, ***室: app/mask), the place as it is, breaking a line only between
// levels.
type Address struct {
	Label      string
	Place      []string
	Unit, Room string
}

// IsZero reports whether there is no address.
func (a Address) IsZero() bool { return len(a.Place) == 0 && a.Unit == "" && a.Room == "" }

// row is the address as printed: its label (地址 by default) and the masked address.
func (a Address) row() printer.Row {
	var parts []string
	for _, p := range a.Place {
		parts = append(parts, printer.Keep(p))
	}
	for _, p := range []string{mask.Unit(a.Unit), mask.Room(a.Room)} {
		if p != "" {
			parts = append(parts, printer.Keep(p))
		}
	}
	label := a.Label
	if label == "" {
		label = "地址"
	}
	return printer.Row{Label: label, Value: strings.Join(parts, "")}
}

// commonAddress is the address every section has, when they all have the same one.
func commonAddress(sections []Section) (Address, bool) {
	first := sections[0].Address
	if first.IsZero() {
		return Address{}, false
	}
	for _, s := range sections[1:] {
		a := s.Address
		if a.Label != first.Label || a.Unit != first.Unit || a.Room != first.Room || !slices.Equal(a.Place, first.Place) {
			return Address{}, false
		}
	}
	return first, true
}

// state is where a section stands: accepted (the utility's number is known), refused,
// or submitted and waiting for the utility's answer.
func (s Section) state() string {
	switch {
	case s.Refused != "":
		return "未受理"
	case s.Number != "":
		return "已受理"
	}
	return "等待受理"
}

// Fee is one fee item.
type Fee struct {
	Name   string
	Amount int64 // fen
}

// Acceptance lays out an acceptance receipt and its one-time notification.
func (b *Builder) Acceptance(a Acceptance) (*printer.Job, error) {
	if len(a.Sections) == 0 {
		return nil, fmt.Errorf("receipt: acceptance %s has no utility section", a.Ref)
	}
	u, err := b.TrackURL(a.Ref)
	if err != nil {
		return nil, err
	}
	refLabel := "本机编号"
	if a.Joint {
		refLabel = "联办编号"
		for _, s := range a.Sections {
			if s.Track == "" && s.Refused == "" {
				return nil, fmt.Errorf("receipt: joint acceptance %s: the %s section has no tracking reference", a.Ref, s.Utility)
			}
		}
	}
	d := b.citizenDoc()
	b.header(d, "受理回执", a.Reprint)
	var rows []printer.Row
	// One utility's receipt whose utility answered names the application once, under
	// its own number (办件编号, in its section).
	if a.Joint || len(a.Sections) != 1 || a.Sections[0].Number != a.Ref {
		rows = append(rows, printer.Row{Label: refLabel, Value: a.Ref})
	}
	rows = appendIf(rows, "申请人", mask.Name(a.Applicant))
	idLabel := a.IDLabel
	if idLabel == "" {
		idLabel = "身份证号码"
	}
	rows = appendIf(rows, idLabel, mask.IDNumber(a.IDNumber))
	rows = appendIf(rows, "联系电话", mask.Phone(a.Phone))
	common, once := commonAddress(a.Sections)
	if once {
		rows = append(rows, common.row())
	}
	rows = append(rows,
		printer.Row{Label: "申请事项", Value: printer.Keep(a.Service)},
		printer.Row{Label: "受理时间", Value: a.Time.Format(timeLayout)},
	)
	rows = appendIf(rows, "终端编号", b.s.KioskID)
	d.Rows(rows...)
	d.Rule()
	d.Align(printer.Center)
	d.Bold(true)
	d.Line("一次性告知书")
	d.Reset()
	d.Line(intro(a.Sections))
	if a.Materials != "" && !slices.ContainsFunc(a.Sections, func(s Section) bool { return len(s.Documents) > 0 }) {
		d.Line("※ " + a.Materials)
	}
	if workingDays(a.Sections) {
		d.Line("※ 承诺时限按工作日计算：受理当日不计入，遇法定节假日顺延。")
	}
	own := true
	for i, s := range a.Sections {
		if once {
			s.Address = Address{} // told at the top
		}
		if err := b.section(d, i+1, s); err != nil {
			return nil, err
		}
		own = own && (s.Track != "" || s.Refused != "")
	}
	d.Rule()
	if !own {
		qr(d, u, "扫码查询办理进度")
		d.Align(printer.Center)
		d.Line("也可在本机“进度查询”输入本机编号查询")
	} else {
		d.Align(printer.Center)
		switch {
		case len(a.Sections) > 1:
			d.Line("各项业务可分别扫码，或在本机“进度查询”输入其办件编号查询")
		case a.Sections[0].Number != "":
			// One business is no 各项: its number is the one to type.
			d.Line("也可在本机“进度查询”输入办件编号查询")
		default:
			d.Line("也可在本机“进度查询”输入本机编号查询")
		}
	}
	footer(d, a.Hotlines)
	return done(d, "acceptance")
}

// intro says how many parts the application has and where they stand: 已受理 only for
// what a utility has accepted.
func intro(sections []Section) string {
	counts := map[string]int{}
	for _, s := range sections {
		counts[s.state()]++
	}
	if counts["已受理"] == len(sections) {
		return fmt.Sprintf("您的申请已受理，共涉及%d项业务。承诺时限、费用、材料和办理环节%s：", len(sections), onceTold)
	}
	var parts []string
	for _, st := range []string{"已受理", "等待受理", "未受理"} {
		if n := counts[st]; n > 0 {
			parts = append(parts, printer.Keep(fmt.Sprintf("%s%d项", st, n))) // 未受理 / 1项 is no count
		}
	}
	return fmt.Sprintf("您的申请已提交，共涉及%d项业务（%s）。各项情况%s：", len(sections), strings.Join(parts, "，"), onceTold)
}

// onceTold is 一次告知如下, not broken as 一 over 次告知如下.
var onceTold = printer.Keep("一次告知如下")

// workingDays reports whether a section counts its time limit in working days.
func workingDays(sections []Section) bool {
	for _, s := range sections {
		if s.Refused == "" && !s.ChosenDate && s.WorkingDays > 0 {
			return true
		}
	}
	return false
}

func (b *Builder) section(d *printer.Doc, n int, s Section) error {
	d.Feed(1)
	d.Bold(true)
	d.Line(fmt.Sprintf("%s、%s", chineseNumber(n), printer.Keep(s.Utility)))
	d.Bold(false)
	if s.Refused != "" {
		rows := []printer.Row{{Label: "业务", Value: printer.Keep(s.Business)}, {Label: "结果", Value: "未受理"}, {Label: "原因", Value: s.Refused}}
		d.Rows(appendHotlines(rows, s.Hotlines)...)
		return nil
	}
	number := s.Number
	switch {
	case number != "":
	case s.Track != "":
		number = "待分配（本机编号" + s.Track + "）"
	default:
		number = "待分配（凭本机编号查询）"
	}
	rows := []printer.Row{
		{Label: "业务", Value: printer.Keep(s.Business)},
		{Label: "状态", Value: s.state()},
		{Label: "办件编号", Value: number},
	}
	if !s.Address.IsZero() {
		rows = append(rows, s.Address.row())
	}
	// In the words of the result page and the 一次性告知书 on screen: a part not accepted
	// yet has the kiosk's count from the catalogue, marked （预计）: the utility's answer
	// binds.
	if limit := timeLimit(s.WorkingDays, s.Deadline, s.ChosenDate); limit != "" {
		if s.ChosenDate && s.state() != "已受理" {
			limit = strings.TrimSuffix(limit, "办理")
		} else if s.state() != "已受理" && !s.Deadline.IsZero() {
			limit += "（预计）"
		}
		if s.ChosenDate || s.WorkingDays > 0 {
			rows = append(rows, printer.Row{Label: "承诺时限", Value: limit})
		}
	}
	fees := "零费用"
	if len(s.Fees) > 0 {
		parts := make([]string, len(s.Fees))
		var total int64
		for i, f := range s.Fees {
			parts[i] = printer.Keep(f.Name) + " " + Money(f.Amount)
			total += f.Amount
		}
		if len(s.Fees) > 1 {
			parts = append(parts, "合计 "+Money(total))
		}
		fees = strings.Join(parts, "\n")
	}
	if s.FeesText != "" {
		lines := strings.Split(s.FeesText, "\n")
		for i, l := range lines {
			lines[i] = keepName(l)
		}
		fees = strings.Join(lines, "\n")
	}
	rows = append(rows, printer.Row{Label: "费用", Value: fees})
	docs := "无需提交纸质材料"
	if len(s.Documents) > 0 {
		docs = strings.Join(s.Documents, "、")
	}
	rows = append(rows, printer.Row{Label: "所需材料", Value: docs})
	d.Rows(appendHotlines(rows, s.Hotlines)...)
	if len(s.Steps) > 0 {
		d.Line("办理环节：")
		steps := make([]printer.Row, len(s.Steps))
		for i, st := range s.Steps {
			steps[i] = printer.Row{Label: fmt.Sprintf("%d.", i+1), Value: keepName(st)}
		}
		d.Rows(steps...)
	}
	for _, note := range s.Notes {
		d.Line("※ " + note)
	}
	if s.Track != "" {
		u, err := b.TrackURL(s.Track)
		if err != nil {
			return err
		}
		qr(d, u, "扫码查询本项办理进度")
	}
	return nil
}

// appendHotlines adds a section's numbers, one a line under one label: run together, a
// line broke inside the second one's name.
func appendHotlines(rows []printer.Row, hs []Hotline) []printer.Row {
	label := "咨询电话"
	for _, h := range hs {
		rows = appendIf(rows, label, h.text())
		label = ""
	}
	return rows
}

func appendIf(rows []printer.Row, label, value string) []printer.Row {
	if value == "" {
		return rows
	}
	return append(rows, printer.Row{Label: label, Value: value})
}

// chineseNumber writes 1–99 as 一 … 九十九, for section headings.
func chineseNumber(n int) string {
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n <= 0 || n >= 100:
		return fmt.Sprint(n)
	case n < 10:
		return digits[n]
	case n < 20:
		return "十" + digits[n%10]
	}
	return digits[n/10] + "十" + digits[n%10]
}
