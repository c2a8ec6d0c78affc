package screens

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app/config"
)

// guidePage is 办事指南 / 服务信息: the hall, its address and hours, the hotlines and the
// utilities served here, all from configuration.
func guidePage(s *Shell) Page {
	return Page{Name: "guide", TitleKey: "guide.title", Build: func() fyne.CanvasObject { return s.buildGuide() }}
}

func (s *Shell) buildGuide() fyne.CanvasObject {
	c := s.K.Config
	k := c.Kiosk
	pick := s.K.Text.Pick
	form := container.New(newFieldLayout())
	add := func(labelKey string, values ...string) {
		l := widget.NewLabel(s.T(labelKey))
		l.TextStyle.Bold = true
		var vals []fyne.CanvasObject
		for _, v := range values {
			lv := widget.NewLabel(v)
			lv.Wrapping = fyne.TextWrapWord
			vals = append(vals, lv)
		}
		form.Add(l)
		form.Add(container.NewVBox(vals...))
	}
	add("guide.hall", pick(k.HallName, k.HallNameEN))
	add("guide.address", pick(k.Address, k.AddressEN))
	hours := k.OpeningHours
	if s.K.Text.Lang() == "en" && len(k.OpeningHoursEN) > 0 {
		hours = k.OpeningHoursEN
	}
	add("guide.hours", hours...)
	var hot []string
	for _, h := range c.Hotlines {
		hot = append(hot, pick(h.Label, h.LabelEN)+"  "+h.Number)
	}
	add("guide.hotlines", hot...)
	var utils []string
	for _, id := range config.UtilityIDs {
		u, _ := c.Utilities.ByID(id)
		if u.Enabled {
			utils = append(utils, pick(u.Name, u.NameEN)+"  "+u.Hotline)
		}
	}
	add("guide.utilities", utils...)
	note := widget.NewLabel(s.T("guide.no_paper"))
	note.Importance = widget.HighImportance
	note.SizeName = ft.SizeNameSubHeadingText
	note.Wrapping = fyne.TextWrapWord
	return container.NewVBox(form, widget.NewSeparator(), note)
}

// fieldLayout lays out label / value pairs in two columns: labels as wide as the widest
// label, values taking the rest.
type fieldLayout struct{}

func newFieldLayout() fyne.Layout { return fieldLayout{} }

func (fieldLayout) labelWidth(objs []fyne.CanvasObject) float32 {
	var w float32
	for i := 0; i < len(objs); i += 2 {
		w = max(w, objs[i].MinSize().Width)
	}
	return w
}

func (l fieldLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	lw := l.labelWidth(objs)
	pad := ft.Size(ft.SizeNamePadding)
	y := float32(0)
	for i := 0; i+1 < len(objs); i += 2 {
		h := max(objs[i].MinSize().Height, objs[i+1].MinSize().Height)
		objs[i].Move(fyne.NewPos(0, y))
		objs[i].Resize(fyne.NewSize(lw, objs[i].MinSize().Height))
		objs[i+1].Move(fyne.NewPos(lw+pad, y))
		objs[i+1].Resize(fyne.NewSize(size.Width-lw-pad, h))
		y += h + pad
	}
}

func (l fieldLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	lw := l.labelWidth(objs)
	pad := ft.Size(ft.SizeNamePadding)
	var w, h float32
	for i := 0; i+1 < len(objs); i += 2 {
		w = max(w, lw+pad+objs[i+1].MinSize().Width)
		h += max(objs[i].MinSize().Height, objs[i+1].MinSize().Height) + pad
	}
	return fyne.NewSize(w, h)
}
