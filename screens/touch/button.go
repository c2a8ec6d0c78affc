// Package touch holds the kiosk's touch widgets: buttons and tiles no smaller than a
// fingertip, and (in later parts) keypads. State stays in the widget; drawing is in
// its renderer, as in Fyne's own widget package.
package touch

import (
	"fyne.io/fyne/v2"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	kt "github.com/liangzihu/kiosk/screens/theme"
)

// Button is a widget.Button that is never smaller than the theme's touch target.
type Button struct {
	widget.Button
}

// NewButton returns a large button.
func NewButton(label string, tapped func()) *Button {
	b := &Button{}
	b.Text = label
	b.OnTapped = tapped
	b.ExtendBaseWidget(b)
	return b
}

// NewPrimaryButton returns a large, high-importance button (the main action).
func NewPrimaryButton(label string, tapped func()) *Button {
	b := NewButton(label, tapped)
	b.Importance = widget.HighImportance
	return b
}

// MinSize is at least the touch target on both sides.
func (b *Button) MinSize() fyne.Size {
	return atLeastTarget(b.Button.MinSize())
}

func atLeastTarget(s fyne.Size) fyne.Size {
	t := ft.Size(kt.SizeNameTarget)
	return fyne.NewSize(max(s.Width, t), max(s.Height, t))
}
