package screentest

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/screens/touch"
)

// fatals records the harness's fatal failure instead of failing the test; the call that
// failed ends its goroutine, as testing's FailNow does.
type fatals struct {
	testing.TB
	msg string
}

func (f *fatals) Helper() {}

func (f *fatals) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// fatal runs do on its own goroutine with h failing into a record, and returns what it
// failed with ("" if it did not).
func fatal(h *H, do func()) string {
	t := h.T
	f := &fatals{TB: t}
	h.T = f
	defer func() { h.T = t }()
	done := make(chan struct{})
	go func() {
		defer close(done)
		do()
	}()
	<-done
	return f.msg
}

// coveredScreen is a screen with 缴费 and a box holding 退出办理, and what was tapped.
type coveredScreen struct {
	h      *H
	pay    *touch.Button
	box    *fyne.Container
	tapped []string
}

func newCoveredScreen(t *testing.T) *coveredScreen {
	s := &coveredScreen{}
	tap := func(l string) func() { return func() { s.tapped = append(s.tapped, l) } }
	s.pay = touch.NewButton("缴费", tap("缴费"))
	s.box = container.NewVBox(touch.NewButton("退出办理", tap("退出办理")))
	s.h = NewScreen(t, "covered", func(w fyne.Window) {
		w.SetContent(container.NewVBox(s.pay, s.box))
	})
	return s
}

// notice opens a notice over the screen as the shell does (a backdrop that takes the taps
// around the card, the card with its title and 知道了), hiding the screen if hide is set
// (the shell's overlay does; Fyne takes taps from the top overlay either way).
func (s *coveredScreen) notice(hide bool) fyne.CanvasObject {
	c := s.h.Win.Canvas()
	card := container.NewVBox(
		touch.NewParagraph("读卡失败", widget.RichTextStyle{}),
		touch.NewButton("知道了", func() { s.tapped = append(s.tapped, "知道了") }))
	root := container.NewStack(canvas.NewRectangle(nil), touch.NewSurface(func() {}), container.NewCenter(card))
	root.Resize(c.Size())
	c.Overlays().Add(root)
	if hide {
		c.Content().Hide()
	}
	return root
}

// reachableLabels are the labels of what the harness would tap by label, in screen order.
func (h *H) reachableLabels() []string {
	var ls []string
	h.Do(func() {
		h.reachable(func(o fyne.CanvasObject) {
			if l, ok := label(o); ok {
				ls = append(ls, l)
			}
		})
	})
	return ls
}

// targetLabels are the labels of what a finger could tap (Targets), in screen order.
func (h *H) targetLabels() []string {
	var ls []string
	for _, tg := range h.Targets() {
		if _, ok := label(tg.Object); ok {
			ls = append(ls, tg.Label)
		}
	}
	return ls
}

// The harness taps only what a finger could reach: a control under a notice, or in a
// hidden box, cannot be tapped by label nor as an object, and the failure says why. What
// it taps by label is what Targets lists, with and without a notice.
func TestTapsOnlyWhatAFingerReaches(t *testing.T) {
	for _, hide := range []bool{false, true} {
		t.Run(fmt.Sprintf("screen hidden %v", hide), func(t *testing.T) {
			s := newCoveredScreen(t)
			h := s.h
			if got, want := h.targetLabels(), []string{"缴费", "退出办理"}; !slices.Equal(got, want) {
				t.Fatalf("a finger reaches %q, want %q", got, want)
			}
			if got := h.reachableLabels(); !slices.Equal(got, h.targetLabels()) {
				t.Errorf("the harness taps by label %q, a finger reaches %q", got, h.targetLabels())
			}
			if !h.CanTap("缴费") {
				t.Fatal("缴费 cannot be tapped on the open screen")
			}

			s.notice(hide)
			if got, want := h.targetLabels(), []string{"知道了"}; !slices.Equal(got, want) {
				t.Fatalf("under the notice a finger reaches %q, want %q", got, want)
			}
			if got := h.reachableLabels(); !slices.Equal(got, h.targetLabels()) {
				t.Errorf("under the notice the harness taps by label %q, a finger reaches %q", got, h.targetLabels())
			}
			if h.CanTap("缴费") || h.CanTap("退出办理") {
				t.Error("the harness can tap a control under the notice")
			}
			const under = `"缴费" is under the notice "读卡失败"`
			for name, do := range map[string]func(){
				"Tap":       func() { h.Tap("缴费") },
				"TapPrefix": func() { h.TapPrefix("缴") },
				"TapNth":    func() { h.TapNth("缴费", 0) },
				"TapObject": func() { h.TapObject(s.pay) },
			} {
				if msg := fatal(h, do); !strings.Contains(msg, under) {
					t.Errorf("%s under the notice failed with %q, want it to say %s", name, msg, under)
				}
			}
			if len(s.tapped) != 0 || h.Taps != 0 {
				t.Errorf("taps under the notice reached %q (%d counted)", s.tapped, h.Taps)
			}
			h.Tap("知道了")
			if !slices.Equal(s.tapped, []string{"知道了"}) {
				t.Errorf("the notice's 知道了 tapped %q", s.tapped)
			}
		})
	}
}

func TestTapRefusesHidden(t *testing.T) {
	s := newCoveredScreen(t)
	h := s.h
	h.Do(s.box.Hide)
	if h.CanTap("退出办理") {
		t.Error("the harness can tap a button in a hidden box")
	}
	if got, want := h.targetLabels(), []string{"缴费"}; !slices.Equal(got, want) {
		t.Errorf("a finger reaches %q, want %q", got, want)
	}
	if msg := fatal(h, func() { h.Tap("退出办理") }); !strings.Contains(msg, `"退出办理" is hidden`) {
		t.Errorf("Tap of a hidden button failed with %q", msg)
	}
	if len(s.tapped) != 0 {
		t.Errorf("a hidden button was tapped: %q", s.tapped)
	}
}
