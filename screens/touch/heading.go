package touch

import (
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Heading is a section's title. In a Pager it is kept with the block after it: a page
// does not end on a title whose content is on the next page.
type Heading struct {
	Paragraph
}

// NewHeading returns a title in the theme's subheading size, wrapping.
func NewHeading(text string) *Heading {
	h := &Heading{}
	h.init(text, widget.RichTextStyle{SizeName: ft.SizeNameSubHeadingText})
	h.ExtendBaseWidget(h)
	return h
}
