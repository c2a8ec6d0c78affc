package screens_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/screens"
	"github.com/liangzihu/kiosk/screens/screentest"
)

// outOfService shows the out-of-service screen of a kiosk that could not start with
// err on cfg (nil: refused) read from file, in the hall's language lang and in 大字模式
// if elderly is the hall's default, and counts its painted signals.
func outOfService(t *testing.T, err error, file string, cfg *config.Config, lang i18n.Lang, elderly bool) (*screentest.H, *int) {
	t.Helper()
	text, terr := i18n.New(lang)
	if terr != nil {
		t.Fatal(terr)
	}
	if cfg != nil {
		cfg.Kiosk.ElderlyDefault = elderly
	}
	painted := new(int)
	h := screentest.NewScreen(t, "out-of-service", func(w fyne.Window) {
		screens.ShowOutOfService(w, screens.OutOfService{Config: cfg, Text: text,
			Why: app.NewOutOfService(err, file, cfg), OnPainted: func() { *painted++ }})
	})
	return h, painted
}

// A kiosk that cannot start says so to citizens, large, in Chinese with English below,
// with the hall's hotlines; and to staff, small, what is wrong and what to run. It fits,
// in one weight, its text legible where it is drawn, in both modes; nothing on it can
// be tapped, and it is painted once (the log's signal).
func TestOutOfServiceScreen(t *testing.T) {
	const file = "/etc/kiosk/kiosk.toml"
	hall := func() *config.Config {
		cfg := config.Defaults()
		cfg.Data.Dir = "/var/lib/kiosk"
		cfg.Hotlines = append(cfg.Hotlines, config.Hotline{Number: "0711-5123456", Label: "大厅咨询", LabelEN: "Hall enquiries"})
		return cfg
	}
	_, refused := config.Parse([]byte("[kiosk]\nid = \"K1\"\nidle_timeout = \"5s\"\n"), file)
	for _, tc := range []struct {
		name    string
		err     error
		cfg     *config.Config
		lang    i18n.Lang
		elderly bool
		want    []string
		never   []string
	}{
		{"the database damaged", fmt.Errorf("%w: /var/lib/kiosk/kiosk.db: cut short", store.ErrDamaged), hall(), i18n.ZH, false,
			[]string{"本机暂停服务", "请到人工窗口办理，给您带来不便敬请谅解", "This kiosk is out of service", "staffed counter",
				"梁子湖区水电气网联办服务大厅", "服务热线", "供电服务 95598", "能源监管 12398", "大厅咨询 0711-5123456",
				"数据库损坏：请从备份恢复", "/var/lib/kiosk/kiosk.db", "kioskctl config check --config /etc/kiosk/kiosk.toml",
				"systemctl restart kiosk"},
			[]string{"cut short"}},
		{"the database damaged, 大字模式", fmt.Errorf("%w: cut short", store.ErrDamaged), hall(), i18n.ZH, true,
			[]string{"本机暂停服务", "This kiosk is out of service", "数据库损坏", "大厅咨询 0711-5123456"}, nil},
		{"the configuration refused", refused, nil, i18n.ZH, false,
			[]string{"本机暂停服务", "水电气网联办自助服务", "供电服务 95598", "能源监管 12398", "配置文件有误：kiosk.toml 第3行",
				"kiosk.idle_timeout", "kioskctl config check --config /etc/kiosk/kiosk.toml"},
			// The defaults' demo hall is not this one.
			[]string{"梁子湖区"}},
		// A reason longer than the bar keeps to its one line; in 大字模式 the English
		// apology gives way to the hall's third hotline, which takes a second line.
		{"a long reason, 大字模式", errors.New("app: utility water: " + strings.Repeat("证书文件无法读取 ", 40)), hall(), i18n.ZH, true,
			[]string{"本机暂停服务", "请到人工窗口办理", "This kiosk is out of service", "启动失败：app: utility water: 证书文件无法读取", "…",
				"kioskctl config check --config /etc/kiosk/kiosk.toml", "systemctl restart kiosk"}, []string{"We apologise"}},
		{"an English hall's key missing", store.ErrKeyMissing, hall(), i18n.EN, false,
			[]string{"本机暂停服务", "请到人工窗口办理", "This kiosk is out of service", "Liangzihu District Joint Utility Service Hall",
				"Hotlines", "Power service 95598", "Staff: The data key file is missing", "Details: kioskctl config check --config /etc/kiosk/kiosk.toml", "restart: systemctl restart kiosk"}, nil},
		{"an English hall's key missing, 大字模式", store.ErrKeyMissing, hall(), i18n.EN, true,
			[]string{"本机暂停服务", "This kiosk is out of service", "The data key file is missing"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, painted := outOfService(t, tc.err, file, tc.cfg, tc.lang, tc.elderly)
			m := h.Markup()
			for _, w := range tc.want {
				if !strings.Contains(m, w) {
					t.Errorf("the screen does not show %q:\n%s", w, m)
				}
			}
			for _, w := range tc.never {
				if strings.Contains(m, w) {
					t.Errorf("the screen shows %q", w)
				}
			}
			if n := len(h.Targets()); n != 0 {
				t.Errorf("%d things to tap on a screen that has nothing to do", n)
			}
			h.Check("", "out-of-service")
			h.AssertContrast()
			h.Win.Canvas().Capture()
			if *painted != 1 {
				t.Errorf("painted signal given %d times by the first paint, want 1", *painted)
			}
		})
	}
}
