package screens_test

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/canvas"

	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/screens/screentest"
)

// Every question's hint (its help, its options' hints) is shown whole at 1280×800, in
// both languages and both sizes: on the form's row in normal mode, and in the question's
// editor (the keypad's line under the value in 大字模式). A row or a keypad line shortens
// what does not fit with "…": English hints were cut to "Mobile, or landline with area
// code. We text y…".
func TestFormHintsWhole(t *testing.T) {
	for _, english := range []bool{false, true} {
		for _, elderly := range []bool{false, true} {
			t.Run(fmt.Sprintf("english=%v,elderly=%v", english, elderly), func(t *testing.T) {
				h := screentest.New(t, screentest.Options{})
				if english {
					h.Shell.ToggleLanguage()
				}
				h.Shell.SetElderly(elderly)
				lang := h.K.Text.Lang()
				h.K.Sessions.Start().SetIdentity(session.Identity{Name: "陈建国", IDNumber: "11010519491231002X", CardType: "resident"})
				shown := 0
				for _, u := range h.K.Catalog().Utilities {
					for _, sv := range u.Services {
						a, err := h.K.NewApplication(sv)
						if err != nil {
							t.Fatal(err)
						}
						for _, in := range a.Form.Inputs() {
							hints := fieldHints(in.Field, lang)
							if len(hints) == 0 {
								continue
							}
							// Hidden until another answer shows it: give that answer.
							for _, c := range in.Field.ShowIf {
								if c.Is == nil {
									t.Fatalf("%s: the test shows a question only by an answer it is (show_if is)", in.Key)
								}
								key := c.Field
								if _, ok := a.Form.Input(u.ID + "." + c.Field); ok {
									key = u.ID + "." + c.Field
								}
								a.Answers[key] = *c.Is
							}
							if !a.Form.Visible(in.Key, a.Answers) {
								t.Fatalf("%s: not shown by the answers its show_if asks for", in.Key)
							}
							where := sv.Name.ZH + " · " + in.Key
							if help := in.Field.Help.In(lang); help != "" && !elderly {
								h.Shell.ShowForm(a)
								if cut, whole := formShows(h, help); !whole {
									t.Errorf("%s: the form's row does not show %q whole%s", where, help, cut)
								}
								h.Shell.Back()
								shown++
							}
							h.Shell.ShowEditor(a, in)
							if cut := cutHints(h, hints); cut != "" {
								t.Errorf("%s: its editor cuts a hint short%s", where, cut)
							}
							h.Shell.Back()
						}
					}
				}
				if !elderly && shown == 0 {
					t.Fatal("no question has a hint: the test shows nothing")
				}
			})
		}
	}
}

// fieldHints are the hints a question shows: its help and its options' hints.
func fieldHints(fd *catalog.Field, lang i18n.Lang) []string {
	var out []string
	if h := fd.Help.In(lang); h != "" {
		out = append(out, h)
	}
	for _, o := range fd.Options {
		if h := o.Hint.In(lang); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// formShows looks for help on the form's pages of questions, turning them: whether it
// is shown whole, or else where it is cut short.
func formShows(h *screentest.H, help string) (cut string, whole bool) {
	next := h.K.Text.T("nav.next_page")
	for range 20 {
		if h.Shows(help) {
			return "", true
		}
		if c := cutHints(h, []string{help}); c != "" {
			return c, false
		}
		if !h.CanTap(next) {
			break
		}
		h.Tap(next) // the questions' pager is the first
	}
	return "", false
}

// cutHints lists the texts on screen that are one of hints shortened with "…".
func cutHints(h *screentest.H, hints []string) string {
	var cut []string
	for _, o := range h.Objects() {
		txt, ok := o.(*canvas.Text)
		if !ok || !txt.Visible() || !strings.HasSuffix(txt.Text, "…") {
			continue
		}
		for _, hint := range hints {
			if stem := strings.TrimSuffix(txt.Text, "…"); stem != hint && strings.HasPrefix(hint, stem) {
				cut = append(cut, fmt.Sprintf("%q", txt.Text))
			}
		}
	}
	if len(cut) == 0 {
		return ""
	}
	return ": cut to " + strings.Join(cut, ", ")
}
