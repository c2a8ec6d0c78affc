package screens

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app/mask"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/screens/touch"
)

// billsState is what the bills screen holds between redraws.
type billsState struct {
	utility string
	account utility.Account
	loaded  bool // the fetch was started
	fetched bool // and has answered
	err     error
	bills   []utility.Bill
	chosen  map[string]bool
	focus   string // the bill whose detail is shown
	changed int    // app.Kiosk.BillsChangedInVisit when the fetch started
}

// billsPage lists an account's bills: unpaid ones can be chosen for payment (all are
// chosen at first), and the detail of the bill last touched is shown beside the list:
// usage, tiers, fees and, from utilities that provide it, the 能效账单.
func billsPage(s *Shell, utilityID string, a utility.Account) Page {
	st := &billsState{utility: utilityID, account: a, chosen: map[string]bool{}}
	return Page{Name: "bills", TitleKey: "bills.title", Subject: "bills/" + utilityID + "/" + a.Number, Build: func() fyne.CanvasObject {
		if st.fetched && st.changed != s.K.BillsChangedInVisit() {
			// Paid since they were fetched (from this screen, or another of the visit):
			// they are out of date.
			*st = billsState{utility: utilityID, account: a, chosen: map[string]bool{}}
		}
		if !st.loaded {
			st.loaded, st.changed = true, s.K.BillsChangedInVisit()
			type fetched struct {
				bills []utility.Bill
				err   error
			}
			run(s, func(ctx context.Context) fetched {
				bills, err := s.K.Bills(ctx, utilityID, a.Number)
				return fetched{bills, err}
			}, func(f fetched) {
				// The screen reads the state on the UI goroutine: it changes only here.
				st.bills, st.err, st.fetched = f.bills, f.err, true
				for _, b := range st.bills {
					if b.Payable() {
						st.chosen[b.ID] = true
					}
				}
				if len(st.bills) > 0 {
					st.focus = st.bills[0].ID
				}
				if s.Current() == "bills" {
					s.refresh()
				}
			})
		}
		return s.buildBills(st)
	}}
}

func (s *Shell) buildBills(st *billsState) fyne.CanvasObject {
	a := st.account
	head := heading(fmt.Sprintf("%s  %s  %s", s.K.UtilityName(st.utility), s.T("accounts.number", a.Number), mask.Name(a.HolderName)))
	switch {
	case st.err != nil:
		return container.NewVBox(head, note(s.K.CitizenMessage(st.err, st.utility), widget.DangerImportance), s.retryButton(func() {
			if st.err != nil { // once: a second tap finds them being asked for
				*st = billsState{utility: st.utility, account: a, chosen: map[string]bool{}}
				s.refresh()
			}
		}))
	case !st.fetched:
		return container.NewVBox(head, busy(s.T("bills.loading")))
	case len(st.bills) == 0:
		return container.NewVBox(head, note(s.T("bills.none"), widget.MediumImportance))
	}
	var rows []fyne.CanvasObject
	var total utility.Fen
	n := 0
	for _, b := range st.bills {
		b := b
		status, imp := s.T("bills.paid"), widget.SuccessImportance
		switch {
		case b.Payable():
			status, imp = s.billStatus(b), widget.DangerImportance
		case !b.Paid: // 无需缴费: not a debt to show in red
			status, imp = s.billStatus(b), widget.MediumImportance
		}
		r := touch.NewRow(s.T("bills.period", s.month(b.Period))+"  "+status,
			s.T("bills.usage_due", b.Usage.String(), s.K.Text.Term(b.Unit), s.day(b.Due)), b.Amount.Yuan(), nil)
		r.Importance = imp
		// A bill of nothing (￥0.00, a credit) is listed, unpaid, but not choosable:
		// there is nothing to pay for it (app.ErrNothingToPay).
		if b.Payable() {
			r.Checkable, r.Checked = true, st.chosen[b.ID]
			if r.Checked {
				total += b.Amount
				n++
			}
		}
		toggle := func() {
			st.focus = b.ID
			if b.Payable() {
				st.chosen[b.ID] = !st.chosen[b.ID]
			}
			s.refresh()
		}
		// A tap on the bill makes it the one whose detail is shown (beside the list, or
		// behind 账单明细 in 大字模式); a tap on its box chooses it or not. One tap did
		// both, so a chosen bill could not be read without unchoosing it.
		r.OnCheck = s.Tap(toggle)
		r.OnTapped = s.Tap(func() { st.focus = b.ID; s.refresh() })
		rows = append(rows, r)
	}
	var pay fyne.CanvasObject = note(s.T("bills.all_paid"), widget.SuccessImportance)
	if st.unpaid() > 0 {
		b := touch.NewPrimaryButton(s.T("bills.pay", n, total.Yuan()), s.Tap(func() { s.choosePayment(st) }))
		if n == 0 {
			b.Disable()
		}
		pay = b
	}
	detail := touch.NewButton(s.T("bills.detail"), s.Tap(func() {
		if b, ok := st.focused(); ok {
			s.Show(billDetailPage(s, st.utility, b))
		}
	}))
	// In 大字模式 there is no room for the detail beside the list: a button opens it.
	foot := wayOn(note(s.T("bills.choose_hint_elderly"), widget.MediumImportance), nil, touch.NewApartRow(detail, pay))
	list := s.pager(rows...)
	if s.K.Elderly() {
		return container.NewBorder(head, foot, nil, nil, list)
	}
	var side fyne.CanvasObject = widget.NewLabel("")
	if b, ok := st.focused(); ok {
		side = s.billDetail(st.utility, b)
	}
	foot = wayOn(note(s.T("bills.choose_hint"), widget.MediumImportance), nil, pay)
	return container.NewBorder(head, foot, nil, nil, columns(list, side))
}

// unpaid counts the bills there is something to pay for.
func (st *billsState) unpaid() int {
	n := 0
	for _, b := range st.bills {
		if b.Payable() {
			n++
		}
	}
	return n
}

func (st *billsState) focused() (utility.Bill, bool) {
	for _, b := range st.bills {
		if b.ID == st.focus {
			return b, true
		}
	}
	return utility.Bill{}, false
}

// billDetailPage shows one bill's detail on its own (大字模式, where there is no room
// beside the list).
func billDetailPage(s *Shell, utilityID string, b utility.Bill) Page {
	return Page{Name: "bill-detail", TitleKey: "bills.detail", Build: func() fyne.CanvasObject {
		return s.billDetail(utilityID, b)
	}}
}

// billDetail lays out a bill: amount and usage, the tier breakdown, other fees and the
// energy-efficiency detail, paged when it does not fit.
func (s *Shell) billDetail(utilityID string, b utility.Bill) fyne.CanvasObject {
	blocks := []fyne.CanvasObject{
		s.panel(s.T("bills.period", s.month(b.Period))+"  "+b.Amount.Yuan(),
			note(s.T("bills.summary", b.Usage.String(), s.K.Text.Term(b.Unit), s.day(b.Due), s.billStatus(b)), widget.MediumImportance)),
	}
	if len(b.Tiers) > 0 {
		t := s.table([]string{s.T("bills.tier"), s.T("bills.usage"), s.T("bills.price"), s.T("bills.cost")})
		for _, l := range b.Tiers {
			t.add(s.K.TierName(l)+" "+s.K.Text.Term(l.Range), l.Usage.String(), l.Price.String(), l.Cost.Yuan())
		}
		blocks = append(blocks, s.panel(s.T("bills.tiers"), t.object()))
	}
	if len(b.Fees) > 0 {
		var rows []fyne.CanvasObject
		for _, f := range b.Fees {
			rows = append(rows, s.kvText(s.K.Text.Term(f.Name), f.Cost.Yuan()))
		}
		blocks = append(blocks, s.panel(s.T("bills.fees"), rows...))
	}
	if e := b.Efficiency; e != nil {
		blocks = append(blocks, s.panel(s.T("bills.efficiency"), lines(
			s.kv("bills.grade", s.T("bills.grade_value", e.Grade)),
			s.kv("bills.peak_valley", e.PeakUsage.String()+" / "+e.ValleyUsage.String()+" "+s.K.Text.Term(b.Unit)),
			s.kv("bills.compare", s.T("bills.compare_values", e.LastMonth.String(), e.LastYear.String(), e.Neighbours.String(), s.K.Text.Term(b.Unit))),
			s.kv("bills.carbon", s.T("bills.carbon_value", fmt.Sprintf("%.1f", float64(e.CarbonGrams)/1000))),
		)))
		for _, tip := range e.Tips {
			// Each tip is a block of its own, so that the pager can put it on any page.
			blocks = append(blocks, bullet(tip))
		}
	}
	return s.pager(blocks...)
}

func (s *Shell) billStatus(b utility.Bill) string {
	if b.Paid {
		return s.T("bills.paid_at", s.moment(b.PaidAt))
	}
	if !b.Payable() {
		return s.T("bills.nothing_due")
	}
	if b.Overdue(s.K.Clock.Now()) {
		return s.T("bills.overdue")
	}
	return s.T("bills.unpaid")
}

// kv is a label and its value on one line.
func (s *Shell) kv(labelKey, value string) fyne.CanvasObject { return s.kvText(s.T(labelKey), value) }

// The label and the value keep their padding at the sides and half of it above and
// below: lines of facts one under another read as a list, not as rows apart (a
// four-utility review took four pages, a two-step timeline two).
func (s *Shell) kvText(label, value string) fyne.CanvasObject {
	return s.kvObject(label, touch.NewParagraph(value, widget.RichTextStyle{}))
}

// kvObject is a label and beside it what it names.
func (s *Shell) kvObject(label string, value fyne.CanvasObject) fyne.CanvasObject {
	l := widget.NewLabel(label)
	l.Importance = widget.HighImportance
	return closer(container.NewBorder(nil, nil, l, nil, value), ft.Size(ft.SizeNameInnerPadding)/2)
}

// closer is o with trim less space above and below it: the padding of a label's or a
// paragraph's text, which between lines one under another set them apart as rows.
func closer(o fyne.CanvasObject, trim float32) fyne.CanvasObject {
	return container.New(layout.NewCustomPaddedLayout(-trim, -trim, 0, 0), o)
}

// table is a small grid with a header row.
type table struct {
	cols  int
	cells []fyne.CanvasObject
}

// Tables use plain text cells, without a label's padding, so that a tier table fits
// beside a bill list.
func (s *Shell) table(header []string) *table {
	t := &table{cols: len(header)}
	for _, h := range header {
		c := canvas.NewText(h, ft.Color(ft.ColorNamePrimary))
		c.TextSize = ft.Size(ft.SizeNameText)
		t.cells = append(t.cells, c)
	}
	return t
}

func (t *table) add(values ...string) {
	for _, v := range values {
		c := canvas.NewText(v, ft.Color(ft.ColorNameForeground))
		c.TextSize = ft.Size(ft.SizeNameText)
		t.cells = append(t.cells, c)
	}
}

// object is the table, indented as the labels and titles around it are.
func (t *table) object() fyne.CanvasObject {
	in := ft.Size(ft.SizeNameInnerPadding)
	return container.New(layout.NewCustomPaddedLayout(0, 0, in, in), container.New(newTableLayout(t.cols), t.cells...))
}

// tableLayout gives each column the width of its widest cell, the first column the rest.
type tableLayout struct {
	cols int
	// measure, when set, are the cells whose widest gives a column its width, instead of
	// the cells laid out: a row of a table laid out apart from the others (a pager's
	// block) keeps the columns of the whole table.
	measure []fyne.CanvasObject
}

func newTableLayout(cols int) fyne.Layout { return tableLayout{cols: cols} }

func (l tableLayout) widths(objs []fyne.CanvasObject) []float32 {
	gap := ft.Size(ft.SizeNameInnerPadding)
	w := make([]float32, l.cols)
	if l.measure != nil {
		objs = l.measure
	}
	for i, o := range objs {
		w[i%l.cols] = max(w[i%l.cols], o.MinSize().Width+gap)
	}
	return w
}

// rowGap is the space between table rows.
func rowGap() float32 { return ft.Size(ft.SizeNamePadding) }

func (l tableLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := l.widths(objs)
	var rest float32
	for _, x := range w[1:] {
		rest += x
	}
	w[0] = max(size.Width-rest, 0)
	y := float32(0)
	for r := 0; r*l.cols < len(objs); r++ {
		var h float32
		for c := 0; c < l.cols && r*l.cols+c < len(objs); c++ {
			h = max(h, objs[r*l.cols+c].MinSize().Height)
		}
		x := float32(0)
		for c := 0; c < l.cols && r*l.cols+c < len(objs); c++ {
			o := objs[r*l.cols+c]
			o.Move(fyne.NewPos(x, y))
			o.Resize(fyne.NewSize(w[c], h))
			x += w[c]
		}
		y += h + rowGap()
	}
}

func (l tableLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	w := l.widths(objs)
	var width, height float32
	for _, x := range w {
		width += x
	}
	for r := 0; r*l.cols < len(objs); r++ {
		var h float32
		for c := 0; c < l.cols && r*l.cols+c < len(objs); c++ {
			h = max(h, objs[r*l.cols+c].MinSize().Height)
		}
		height += h + rowGap()
	}
	// The gap is between rows, none after the last: a pager places blocks by their
	// MinSize, and room asked for and not used was room on no page.
	return fyne.NewSize(width, max(height-rowGap(), 0))
}
