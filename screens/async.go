package screens

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app/workdays"
	"github.com/liangzihu/kiosk/screens/touch"
)

// opTimeout bounds what a screen waits for in the background (the utilities' own
// timeouts are shorter).
const opTimeout = 30 * time.Second

// run does work off the UI goroutine, then done on it with the result, unless the
// citizen's session changed meanwhile: nothing fetched for one visit is shown in the next.
func run[T any](s *Shell, work func(context.Context) T, done func(T)) {
	sid := s.sessionID()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		v := work(ctx)
		s.opt.Do(func() {
			if s.sessionID() != sid {
				return
			}
			done(v)
		})
	}()
}

func (s *Shell) sessionID() string {
	if c := s.K.Sessions.Current(); c != nil {
		return c.ID
	}
	return ""
}

// refresh rebuilds the screen on top (its data changed). Under a finger held on the
// screen it waits for the finger to lift (touch.Held says why); at most touch.MaxHold.
func (s *Shell) refresh() {
	if !touch.Held() {
		s.render()
		return
	}
	if !s.redrawDue {
		s.redrawDue = true
		time.AfterFunc(touch.MaxHold, func() { s.opt.Do(s.redrawIfDue) })
	}
}

// RedrawHeld reports whether a redraw of the screen on show is held: put off by refresh
// until a finger lifts, or on its way through the UI queue for a utility's answer
// (lookupAnswered). The screen then shows what it showed before the news. On the UI
// goroutine only: a test harness that looks for something on screen waits it out.
func (s *Shell) RedrawHeld() bool { return s.redrawDue || s.lookupDue.Load() }

// redrawIfDue does the redraw refresh put off, if no render has done it meanwhile (the
// tap that lifted the finger opened another screen, say).
func (s *Shell) redrawIfDue() {
	if s.redrawDue {
		s.redrawDue = false
		s.refresh()
	}
}

// timeLimit words a committed time: N 个工作日，date 前办结, or the day the citizen chose
// when that is later. The deadline is written as on the application's review and
// receipt: 2026年11月30日（周一）.
func (s *Shell) timeLimit(days int, accepted, deadline time.Time) string {
	switch {
	case deadline.IsZero() && days > 0: // no date to count from: never a date in year 1
		return s.T("track.limit_days", days)
	case deadline.IsZero():
		return s.T("track.limit_unknown")
	}
	day := workdays.FormatDate(deadline, s.K.Text.Lang())
	if s.K.ChosenDate(days, accepted, deadline) {
		return s.T("track.limit_chosen", day)
	}
	return s.T("track.limit_value", days, day)
}

// Dates and times are shown in China Standard Time, the time of every deadline and
// utility record, whatever the machine's own zone. Citizens read a date as the
// deadlines are written (2026年11月24日); staff read dateTime's.
func (s *Shell) day(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return workdays.FormatDay(t, s.K.Text.Lang())
}

// month is a bill's period for citizens: 2026年5月.
func (s *Shell) month(period string) string { return workdays.FormatMonth(period, s.K.Text.Lang()) }

// moment is a date and time for citizens: 2026年11月24日 10:05.
func (s *Shell) moment(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return s.day(t) + " " + t.In(workdays.CST).Format("15:04")
}

func dateTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(workdays.CST).Format("2006-01-02 15:04")
}

// lines stacks short lines of text without a label's padding between them.
func lines(objs ...fyne.CanvasObject) fyne.CanvasObject {
	return container.New(layout.NewCustomPaddedVBoxLayout(-ft.Size(ft.SizeNameInnerPadding)), objs...)
}

// heading is a large bold line.
func heading(text string) *touch.Heading { return touch.NewHeading(text) }

// busy says that something is being fetched. It stands still on purpose: Fyne's
// animated bar has the OpenGL painter draw the whole window 60 times a second, which on
// a kiosk without a GPU (llvmpipe) took the CPU that the answers being waited for needed
// (docs/benchmarks.md, Card to accounts).
func busy(text string) fyne.CanvasObject { return note(text, widget.MediumImportance) }

// note is a wrapped line of plain text with an importance (colour).
func note(text string, imp widget.Importance) *touch.Paragraph {
	return touch.NewParagraph(text, widget.RichTextStyle{ColorName: touch.ColorOf(imp)})
}

// bullet is an item of a list: its lines wrap under its first word, not under the dot.
func bullet(text string) fyne.CanvasObject {
	return container.NewBorder(nil, nil, note("·", widget.MediumImportance), nil, note(text, widget.MediumImportance))
}
