package screens

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/screens/touch"
)

// guidePage is 大厅指南 / 服务信息: the hall, its address and hours, the hotlines and the
// utilities served here, all from configuration.
func guidePage(s *Shell) Page {
	return Page{Name: "guide", TitleKey: "guide.title", Build: func() fyne.CanvasObject { return s.buildGuide() }}
}

func (s *Shell) buildGuide() fyne.CanvasObject {
	c := s.K.Config
	k := c.Kiosk
	pick := s.K.Text.Pick
	hours := k.OpeningHours
	if s.K.Text.Lang() == "en" && len(k.OpeningHoursEN) > 0 {
		hours = k.OpeningHoursEN
	}
	var hot, utils []string
	for _, h := range c.Hotlines {
		hot = append(hot, pick(h.Label, h.LabelEN)+"  "+h.Number)
	}
	for _, id := range config.UtilityIDs {
		if u, _ := c.Utilities.ByID(id); u.Enabled {
			utils = append(utils, pick(u.Name, u.NameEN)+"  "+u.Hotline)
		}
	}
	hall := s.panel(pick(k.HallName, k.HallNameEN),
		s.field("guide.address", pick(k.Address, k.AddressEN)),
		s.field("guide.hours", hours...),
	)
	contact := s.panel(s.T("guide.contact"),
		s.field("guide.hotlines", hot...),
		s.field("guide.utilities", utils...),
	)
	text := s.T("guide.no_paper")
	if !c.Devices.IDCard.Enabled {
		// 零资料 rests on the ID card: a kiosk that reads none says so instead.
		text = s.T("identify.reader_none")
	}
	hint := note(text, widget.HighImportance)
	blocks := []fyne.CanvasObject{container.NewGridWithColumns(2, hall, contact), hint}
	if s.K.Elderly() {
		// One column of smaller blocks at the larger size; the pager turns the pages.
		blocks = []fyne.CanvasObject{
			hall,
			s.panel(s.T("guide.hotlines"), s.field("guide.hotlines", hot...)),
			s.panel(s.T("guide.utilities"), s.field("guide.utilities", utils...)),
			hint,
		}
	}
	return s.pager(blocks...)
}

// pager pages blocks with the shell's 上一页 / 下一页 buttons; a group split over pages
// is titled again on each page it goes on to, marked （续）.
func (s *Shell) pager(blocks ...fyne.CanvasObject) *touch.Pager {
	p := touch.NewPager(s.T("nav.prev_page"), s.T("nav.next_page"), blocks...)
	p.OnTap = s.K.Touch
	p.Continued = s.T("nav.continued")
	return p
}

// field is a bold caption over one or more lines of text.
func (s *Shell) field(labelKey string, lines ...string) fyne.CanvasObject {
	l := widget.NewLabel(s.T(labelKey))
	l.Importance = widget.HighImportance
	v := touch.NewParagraph(strings.Join(lines, "\n"), widget.RichTextStyle{})
	return container.New(layout.NewCustomPaddedVBoxLayout(-ft.Size(ft.SizeNameInnerPadding)), l, v)
}

// panel is a framed block with a title, used to group information on a screen; a pager
// splits one taller than its page into the title and the rows.
func (s *Shell) panel(title string, rows ...fyne.CanvasObject) fyne.CanvasObject {
	return touch.NewPanel(title, rows...)
}
