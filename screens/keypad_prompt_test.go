package screens_test

import (
	"testing"

	"github.com/liangzihu/kiosk/screens/screentest"
)

// A keypad says what to type and where to find it, in 大字模式 too: there the heading
// above the keys gives way, so what to type stands in the display and the hint (on the
// bill, how many digits; an example number) on the line under it. The hint once went
// with the heading, and an elderly citizen was asked for a 户号 with no word of where
// it is printed.
func TestKeypadsSayWhatToTypeAndWhere(t *testing.T) {
	for _, tc := range []struct {
		name string
		to   func(h *screentest.H)
		want []string
	}{
		{"account", func(h *screentest.H) { h.Tap("账户与账单"); h.Tap("梁子湖区自来水公司") },
			[]string{"请输入梁子湖区自来水公司的户号", "户号印在账单上，共8位数字"}},
		{"application", func(h *screentest.H) { h.Tap("进度查询"); h.Tap("输入办件编号") },
			[]string{"请输入回执上的办件编号", "例如 DL26112500001"}},
	} {
		for _, elderly := range []bool{false, true} {
			t.Run(tc.name+map[bool]string{false: "", true: "-elderly"}[elderly], func(t *testing.T) {
				h := newHarness(t)
				if elderly {
					h.Shell.SetElderly(true)
				}
				tc.to(h)
				for _, w := range tc.want {
					if !h.Shows(w) {
						t.Errorf("the keypad does not say %q:\n%s", w, h.Markup())
					}
				}
				h.Check("", tc.name)
			})
		}
	}
}
