package touch

import (
	"fyne.io/fyne/v2"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Heading is a section's title. In a Pager it is kept with the block after it: a page
// does not end on a title whose content is on the next page.
type Heading struct {
	widget.Label
}

// NewHeading returns a title in the theme's subheading size, wrapping.
func NewHeading(text string) *Heading {
	h := &Heading{}
	h.Text = text
	h.SizeName = ft.SizeNameSubHeadingText
	h.Wrapping = fyne.TextWrapWord
	h.ExtendBaseWidget(h)
	return h
}
