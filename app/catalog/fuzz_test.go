package catalog

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/assets"
)

// A utility file of any content is loaded (with the shipped common and address files) or
// refused with an *Error; never a panic.
func FuzzLoadUtility(f *testing.F) {
	read := func(name string) []byte {
		b, err := fs.ReadFile(assets.Catalog, name)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	for _, n := range []string{"electricity.toml", "water.toml", "gas.toml", "broadband.toml"} {
		f.Add(read(n))
	}
	fix, err := os.ReadFile(filepath.Join("testdata", "fixture", "electricity.toml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fix)
	common, addr := read(CommonFile), read(AddressesFile)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Load([]File{{"common.toml", common}, {"addresses.toml", addr}, {"u.toml", data}})
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%T is not an *Error: %v", err, err)
			}
			return
		}
		// Whatever loads must make working forms.
		for _, u := range c.Utilities {
			for _, s := range u.Services {
				fm, err := c.NewForm(env(t, now), s)
				if err != nil {
					t.Fatal(err)
				}
				a := fm.Defaults()
				fm.Validate(a)
				for _, o := range fm.Evaluate(a, now) {
					o.Summary(i18n.ZH)
				}
				fm.Review(a, i18n.EN)
			}
		}
	})
}

// Any typed answer to any input gives a problem or none; never a panic.
func FuzzCheck(f *testing.F) {
	f.Add("phone", "13812345678")
	f.Add("address", "lzh/taihe/th-zhengjie/jy1/2/602")
	f.Add("electricity.capacity_kw", "220.5")
	f.Add("gas.appliances", "stove,,boiler")
	f.Add("broadband.install_date", "2026-11-30")
	f.Add("id_number", "11010519491231002X")
	f.Fuzz(func(t *testing.T, key, value string) {
		fm := fuzzForm
		if fm == nil {
			t.Skip()
		}
		fm.CheckTyping(key, value)
		p := fm.Check(key, value, Answers{})
		if _, ok := fm.Input(key); ok && p != nil && (p.Msg.ZH == "" || p.Msg.EN == "") {
			t.Fatalf("a problem without a message: %+v", p)
		}
		_, _ = fm.Options(key, value, Answers{})
		fm.Display(key, value, i18n.ZH)
		fm.Evaluate(Answers{key: value}, now)
	})
}

var fuzzForm *Form

func init() {
	c, err := Default()
	if err != nil {
		return
	}
	var ss []*Service
	for _, u := range c.Utilities {
		s, _ := u.Service("new_connection")
		ss = append(ss, s)
	}
	cal, err := defaultCalendar()
	if err != nil {
		return
	}
	fuzzForm, _ = c.NewForm(Env{Calendar: cal, Clock: fixedClock()}, ss...)
}
