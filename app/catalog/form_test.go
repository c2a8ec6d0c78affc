package catalog

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/workdays"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// now is a Wednesday.
var now = time.Date(2026, 11, 25, 10, 0, 0, 0, workdays.CST)

func env(t *testing.T, at time.Time) Env {
	t.Helper()
	cal, err := workdays.Default()
	if err != nil {
		t.Fatal(err)
	}
	return Env{Calendar: cal, Clock: clock.NewManual(at)}
}

func defaultCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func service(t *testing.T, c *Catalog, utility, id string) *Service {
	t.Helper()
	s, ok := c.Service(utility, id)
	if !ok {
		t.Fatalf("no service %s/%s", utility, id)
	}
	return s
}

func form(t *testing.T, at time.Time, refs ...string) *Form {
	t.Helper()
	c := defaultCatalog(t)
	var ss []*Service
	for _, r := range refs {
		u, id, _ := strings.Cut(r, "/")
		ss = append(ss, service(t, c, u, id))
	}
	f, err := c.NewForm(env(t, at), ss...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func ids(ss []*Service) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Utility.ID+"/"+s.ID)
	}
	return strings.Join(out, " ")
}

func TestDefaultCatalog(t *testing.T) {
	c := defaultCatalog(t)
	var us []string
	for _, u := range c.Utilities {
		us = append(us, u.ID)
	}
	if strings.Join(us, " ") != "electricity water gas broadband" {
		t.Fatalf("utilities %v", us)
	}
	for kind, want := range map[string]string{
		JointConnection: "electricity/new_connection water/new_connection gas/new_connection broadband/new_connection",
		JointTransfer:   "electricity/transfer water/transfer gas/transfer broadband/transfer",
	} {
		if got := ids(c.JointServices(kind)); got != want {
			t.Errorf("joint %s: %s", kind, got)
		}
	}
	var cats []string
	for _, cat := range c.CategoriesOf("catalog") {
		cats = append(cats, cat.ID)
	}
	if strings.Join(cats, " ") != "change temporary appointment consult" {
		t.Fatalf("categories of the catalog tile: %v", cats)
	}
	if got := ids(c.ServicesOfTile("catalog")); got != "electricity/capacity_change water/meter_relocation broadband/relocation electricity/temporary_power gas/safety_check electricity/resale_price electricity/finance" {
		t.Fatalf("catalog tile: %s", got)
	}
	if got := ids(c.Services("transfer")); got != "electricity/transfer water/transfer gas/transfer broadband/transfer" {
		t.Fatalf("transfer category: %s", got)
	}
	if _, ok := c.Service("gas", "nothing"); ok {
		t.Fatal("found a service that does not exist")
	}
}

func TestJointForm(t *testing.T) {
	f := form(t, now, "electricity/new_connection", "water/new_connection", "gas/new_connection", "broadband/new_connection")
	var got []string
	for _, sec := range f.Sections {
		var keys []string
		for _, in := range sec.Inputs {
			keys = append(keys, in.Key)
		}
		got = append(got, sec.Title.ZH+": "+strings.Join(keys, " "))
	}
	want := []string{
		"基本信息: applicant_name id_number phone address",
		"供电 · 新装（报装）: electricity.residential electricity.voltage electricity.capacity_kw electricity.capacity_kva electricity.supply",
		"供水 · 新装（报装）: water.usage water.pipe_size",
		"供气 · 开户通气: gas.usage gas.appliances gas.pipes_ready",
		"宽带 · 新装: broadband.bandwidth broadband.iptv broadband.install_date",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("sections:\n%s", strings.Join(got, "\n"))
	}
	in, ok := f.Input("electricity.capacity_kw")
	if !ok || in.Field.Keypad() != KeypadDecimal || in.Service.Utility.ID != "electricity" {
		t.Fatalf("input %+v", in)
	}
	if in, _ := f.Input("phone"); in.Field.Keypad() != KeypadPhone || in.Service != nil {
		t.Fatal("phone is a common input on the phone keypad")
	}
}

func TestNewFormErrors(t *testing.T) {
	c := defaultCatalog(t)
	e := env(t, now)
	if _, err := c.NewForm(e); !errors.Is(err, ErrNoService) {
		t.Fatal(err)
	}
	s1, s2 := service(t, c, "electricity", "new_connection"), service(t, c, "electricity", "transfer")
	if _, err := c.NewForm(e, s1, s2); !errors.Is(err, ErrSameUtility) {
		t.Fatal(err)
	}
	if _, err := c.NewForm(Env{}, s1); !errors.Is(err, ErrNoCalendar) {
		t.Fatal(err)
	}
}

func TestVisibility(t *testing.T) {
	f := form(t, now, "electricity/new_connection")
	a := f.Defaults()
	if a["electricity.voltage"] != "low" || a["electricity.residential"] != "yes" {
		t.Fatalf("defaults %v", a)
	}
	check := func(key string, want bool) {
		t.Helper()
		if f.Visible(key, a) != want {
			t.Fatalf("Visible(%s) with %v: want %v", key, a, want)
		}
	}
	check("electricity.capacity_kw", true)
	check("electricity.capacity_kva", false)
	check("electricity.supply", false)
	a["electricity.voltage"] = "high"
	check("electricity.capacity_kw", false)
	check("electricity.capacity_kva", true)
	check("electricity.supply", true)
	check("nothing", false)
}

func TestCheck(t *testing.T) {
	f := form(t, now, "electricity/new_connection", "water/transfer", "gas/new_connection", "broadband/new_connection")
	for _, tc := range []struct {
		key, value string
		code       Code // "" for valid
	}{
		{"phone", "13812345678", ""},
		{"phone", "0711-5123456", ""},
		{"phone", "07115123456", ""},
		{"phone", "12812345678", CodePhone},
		{"phone", "1381234567", CodePhone},
		{"phone", "138123456789", CodePhone},
		{"phone", "1381234567a", CodeChars},
		{"phone", "", ""},
		// A landline: an area code (0 and two or three digits, never 00: that dials
		// abroad), then a local number of 7 or 8 digits that starts with 2 to 9 (0 and 1
		// start no subscriber's number).
		{"phone", "010-62345678", ""},
		{"phone", "02787654321", ""},
		{"phone", "0595-22345678", ""},
		{"phone", "0711-0123456", CodePhone},
		{"phone", "0711-1234567", CodePhone},
		{"phone", "07110123456", CodePhone},
		{"phone", "00123456789", CodePhone},
		{"phone", "0086-5123456", CodePhone},
		{"phone", "07-115123456", CodePhone},
		{"electricity.capacity_kw", "8", ""},
		{"electricity.capacity_kw", "220", ""},
		{"electricity.capacity_kw", "12.5", ""},
		{"electricity.capacity_kw", "0.5", CodeTooSmall},
		{"electricity.capacity_kw", "501", CodeTooLarge},
		{"electricity.capacity_kw", "12.55", CodeDecimals},
		{"electricity.capacity_kw", "12.", CodeNumber},
		{"electricity.capacity_kw", "1e3", CodeNumber},
		{"electricity.capacity_kw", "0220", CodeNumber}, // shown as 0220千瓦 otherwise
		{"electricity.capacity_kva", "2000.5", CodeDecimals},
		{"electricity.voltage", "high", ""},
		{"electricity.voltage", "medium", CodeChoice},
		{"electricity.residential", "yes", ""},
		{"electricity.residential", "maybe", CodeChoice},
		{"gas.appliances", "stove,boiler", ""},
		{"gas.appliances", "stove,stove", CodeChoice},
		{"gas.appliances", "stove,oven", CodeChoice},
		{"address", "lzh/taihe/th-zhengjie/jy1/2/602", ""},
		{"address", "lzh/donggou/dg-changling/g5/17", ""},
		{"address", "lzh/taihe/th-zhengjie/zj12/604", ""}, // no unit level
		{"address", "lzh/taihe/th-zhengjie/jy1/2", CodeAddress},
		{"address", "lzh/taihe/th-zhengjie/jy1/3/602", CodeAddress},  // jy1 has 2 units
		{"address", "lzh/taihe/th-zhengjie/jy1/2/1202", CodeAddress}, // and 11 floors
		{"address", "lzh/donggou/dg-changling/g5/46", CodeAddress},
		{"address", "lzh/taihe/th-zhengjie/jy1/2/602/1", CodeAddress},
		{"address", "sh/taihe", CodeAddress},
		{"water.account", "12345678", ""},
		{"water.account", "1234567", CodeTooShort},
		{"water.account", "123456789", CodeTooLong},
		{"water.account", "1234567a", CodeChars},
		{"property_cert", "0001234", ""},
		{"property_cert", "123", CodeTooShort},
		{"id_number", "420702198503151237", ""},
		{"id_number", "420702198503151238", CodeIDCard},
		{"id_number", "11010519491231002X", ""},
		{"applicant_name", "张三", ""},
		{"applicant_name", "MUHAMMAD ABDULLAH IBN SULAYMAN AL-HASHIMI AL-QURASHI", ""}, // 52: an English name of a foreigner's card
		{"applicant_name", strings.Repeat("A", 61), CodeIDCard},
		{"broadband.install_date", "2026-11-26", ""},
		{"broadband.install_date", "2026-12-09", ""},
		{"broadband.install_date", "2026-12-10", CodeDate},
		{"broadband.install_date", "2026-11-28", CodeDate}, // a Saturday
		{"broadband.install_date", "2026-11-25", CodeDate}, // today: min is 1
		{"broadband.install_date", "soon", CodeDate},
		{"nothing", "1", CodeChoice},
	} {
		p := f.Check(tc.key, tc.value, Answers{})
		switch {
		case tc.code == "" && p != nil:
			t.Errorf("Check(%s, %q) = %s %q, want no problem", tc.key, tc.value, p.Code, p.Msg.ZH)
		case tc.code != "" && p == nil:
			t.Errorf("Check(%s, %q): no problem, want %s", tc.key, tc.value, tc.code)
		case p != nil && (p.Code != tc.code || p.Key != tc.key || p.Msg.ZH == "" || p.Msg.EN == ""):
			t.Errorf("Check(%s, %q) = %+v, want %s", tc.key, tc.value, p, tc.code)
		}
		if p != nil && tc.value != "" && len(tc.value) > 3 && strings.Contains(p.Msg.ZH+p.Msg.EN, tc.value) {
			t.Errorf("the message of %s repeats the answer", tc.key)
		}
	}
}

func TestMessages(t *testing.T) {
	f := form(t, now, "electricity/new_connection", "water/transfer")
	for _, tc := range []struct{ key, value, zh, en string }{
		{"phone", "123", "联系电话：请输入11位手机号码，或带区号的固定电话", "Contact phone: enter an 11-digit mobile number or a landline with its area code"},
		{"electricity.capacity_kw", "600", "申请容量不能大于500千瓦", "Capacity must be at most 500 kW"},
		{"electricity.capacity_kw", "0.2", "申请容量不能小于1千瓦", "Capacity must be at least 1 kW"},
		{"electricity.capacity_kw", "1.25", "申请容量最多1位小数", "Capacity: at most 1 decimal place"},
		{"electricity.capacity_kva", "60.5", "申请容量请输入整数", "Capacity: a whole number"},
		{"water.account", "123", "用水户号应为8位", "Account number must have 8 digits"},
		{"water.account", "12a", "用水户号只能输入数字", "Account number: digits only"},
	} {
		p := f.Check(tc.key, tc.value, Answers{})
		if p == nil || p.Msg.In(i18n.ZH) != tc.zh || p.Msg.In(i18n.EN) != tc.en {
			t.Errorf("Check(%s, %q) = %+v, want %q / %q", tc.key, tc.value, p, tc.zh, tc.en)
		}
	}
}

func TestCheckTyping(t *testing.T) {
	f := form(t, now, "electricity/new_connection", "water/transfer")
	for _, tc := range []struct {
		key, value string
		code       Code
	}{
		{"phone", "", ""},
		{"phone", "1", ""},
		{"phone", "13", ""},
		{"phone", "12", CodePhone},
		{"phone", "138123456789", CodePhone},
		{"phone", "138-", CodePhone},
		{"phone", "0711-", ""},
		{"phone", "0711-51234567", ""},
		{"phone", "0-", CodePhone},
		{"phone", "00", CodePhone},  // 00 dials abroad: no area code starts so
		{"phone", "07-", CodePhone}, // an area code has 3 or 4 digits, its 0 counted
		{"phone", "071-", ""},       // 0xx: 010, 027, …
		{"phone", "07111-", CodePhone},
		{"phone", "0711-0", CodePhone}, // no local number starts with 0 or 1
		{"phone", "0711-1", CodePhone},
		{"phone", "0711-5", ""},
		{"phone", "5", CodePhone},
		{"phone", "1a", CodeChars},
		{"electricity.capacity_kw", "2", ""},
		{"electricity.capacity_kw", "22.", ""},
		{"electricity.capacity_kw", "22.5", ""},
		{"electricity.capacity_kw", "22.55", CodeDecimals},
		{"electricity.capacity_kw", "0", ""}, // too small, but typing may go on
		{"electricity.capacity_kw", "0.", ""},
		{"electricity.capacity_kw", "05", CodeNumber},
		{"electricity.capacity_kw", "00", CodeNumber},
		{"electricity.capacity_kw", "600", CodeTooLarge},
		{"electricity.capacity_kw", ".5", CodeNumber},
		{"electricity.capacity_kw", "1.2.", CodeNumber},
		{"electricity.capacity_kva", "100.", CodeDecimals},
		{"water.account", "1234", ""},
		{"water.account", "123456789", CodeTooLong},
		{"water.account", "12x", CodeChars},
		{"electricity.voltage", "anything", ""}, // chosen, not typed
	} {
		p := f.CheckTyping(tc.key, tc.value)
		if (p == nil) != (tc.code == "") || (p != nil && p.Code != tc.code) {
			t.Errorf("CheckTyping(%s, %q) = %+v, want %q", tc.key, tc.value, p, tc.code)
		}
	}
}

func TestOptions(t *testing.T) {
	f := form(t, now, "electricity/temporary_power", "gas/safety_check")
	ch, err := f.Options("address", "", Answers{})
	if err == nil {
		t.Fatal("the temporary power form has no common address")
	}
	walk := []struct {
		partial string
		prompt  string
		n       int
		first   string
		level   Level
	}{
		{"", "请选择区", 1, "梁子湖区", LevelDistrict},
		{"lzh", "请选择街道（乡镇）", 6, "太和镇", LevelStreet},
		{"lzh/taihe", "请选择社区（村）", 3, "正街社区", LevelCommunity},
	}
	for _, w := range walk {
		ch, err = f.Options("electricity.site", w.partial, Answers{})
		if err != nil || ch.Prompt.ZH != w.prompt || len(ch.Options) != w.n || ch.Options[0].Label.ZH != w.first || ch.Level != w.level || ch.Complete {
			t.Fatalf("Options(site, %q) = %+v, %v", w.partial, ch, err)
		}
	}
	// The site is wanted down to the community only.
	ch, err = f.Options("electricity.site", "lzh/taihe/th-zhengjie", Answers{})
	if err != nil || !ch.Complete || len(ch.Options) != 0 {
		t.Fatalf("a complete site: %+v, %v", ch, err)
	}
	if _, err := f.Options("electricity.site", "lzh/nowhere", Answers{}); err == nil {
		t.Fatal("an unknown street was accepted")
	}
	if _, err := f.Options("electricity.capacity_kw", "", Answers{}); !errors.Is(err, ErrNotChoosable) {
		t.Fatalf("a number has no options: %v", err)
	}
	ch, _ = f.Options("electricity.equipment", "", Answers{})
	if len(ch.Options) != 4 || ch.Options[0].Value != "transformer" {
		t.Fatalf("equipment: %+v", ch)
	}
	f = form(t, now, "broadband/new_connection")
	ch, _ = f.Options("broadband.iptv", "", Answers{})
	if len(ch.Options) != 2 || ch.Options[0].Label.ZH != "是" {
		t.Fatalf("yes/no: %+v", ch)
	}
	ch, _ = f.Options("broadband.install_date", "", Answers{})
	var dates []string
	for _, o := range ch.Options {
		dates = append(dates, o.Value)
	}
	if strings.Join(dates, " ") != "2026-11-26 2026-11-27 2026-11-30 2026-12-01 2026-12-02 2026-12-03 2026-12-04 2026-12-07 2026-12-08 2026-12-09" {
		t.Fatalf("dates: %v", dates)
	}
	if ch.Options[0].Label.ZH != "11月26日（周四）" || ch.Options[0].Label.EN != "Thu 26 Nov" {
		t.Fatalf("date label %+v", ch.Options[0].Label)
	}
}

func TestAddressLevels(t *testing.T) {
	f := form(t, now, "electricity/new_connection")
	for _, tc := range []struct {
		partial  string
		prompt   string
		n        int
		first    string
		last     string
		complete bool
	}{
		{"lzh/taihe/th-zhengjie", "请选择楼栋（村民小组）", 4, "金域花园1栋", "正街12号楼", false},
		{"lzh/taihe/th-zhengjie/jy1", "请选择单元", 2, "1单元", "2单元", false},
		{"lzh/taihe/th-zhengjie/jy1/2", "请选择房号（门牌号）", 22, "101室", "1102室", false},
		{"lzh/taihe/th-zhengjie/zj12", "请选择房号（门牌号）", 24, "101室", "604室", false},
		{"lzh/donggou/dg-changling/g5", "请选择房号（门牌号）", 45, "1号", "45号", false},
		{"lzh/taihe/th-zhengjie/jy1/2/602", "地址", 0, "", "", true},
	} {
		ch, err := f.Options("address", tc.partial, Answers{})
		if err != nil || ch.Prompt.ZH != tc.prompt || len(ch.Options) != tc.n || ch.Complete != tc.complete {
			t.Fatalf("Options(address, %q) = %+v, %v", tc.partial, ch, err)
		}
		if tc.n > 0 && (ch.Options[0].Label.ZH != tc.first || ch.Options[tc.n-1].Label.ZH != tc.last) {
			t.Fatalf("Options(address, %q): %s … %s", tc.partial, ch.Options[0].Label.ZH, ch.Options[tc.n-1].Label.ZH)
		}
	}
	// Masked: the place down to the building, the unit's and room's numbers hidden
	// (app/mask); a site picked down to the community only is shown as picked.
	for _, tc := range []struct{ value, zh, en, masked, maskedEN string }{
		{"lzh/taihe/th-zhengjie/jy1/2/602", "梁子湖区太和镇正街社区金域花园1栋2单元602室", "Room 602, Unit 2, Jinyu Garden Bldg 1, Zhengjie Community, Taihe Town, Liangzihu District",
			"梁子湖区太和镇正街社区金域花园1栋*单元***室", "Room ***, Unit *, Jinyu Garden Bldg 1, Zhengjie Community, Taihe Town, Liangzihu District"},
		{"lzh/donggou/dg-changling/g5/17", "梁子湖区东沟镇长岭村5组17号", "No. 17, Group 5, Changling Village, Donggou Town, Liangzihu District",
			"梁子湖区东沟镇长岭村5组***号", "No. ***, Group 5, Changling Village, Donggou Town, Liangzihu District"},
		{"lzh/taihe/th-zhengjie/zj12/604", "梁子湖区太和镇正街社区正街12号楼604室", "Room 604, No. 12 Zhengjie, Zhengjie Community, Taihe Town, Liangzihu District",
			"梁子湖区太和镇正街社区正街12号楼***室", "Room ***, No. 12 Zhengjie, Zhengjie Community, Taihe Town, Liangzihu District"},
		{"lzh/taihe/th-zhengjie", "梁子湖区太和镇正街社区", "Zhengjie Community, Taihe Town, Liangzihu District", "梁子湖区太和镇正街社区", "Zhengjie Community, Taihe Town, Liangzihu District"},
	} {
		if got := f.Display("address", tc.value, i18n.ZH); got != tc.zh {
			t.Errorf("zh: %s", got)
		}
		if got := f.Display("address", tc.value, i18n.EN); got != tc.en {
			t.Errorf("en: %s", got)
		}
		ad, _ := f.cat.Addresses.Resolve(tc.value)
		if got := ad.Masked(i18n.ZH); got != tc.masked {
			t.Errorf("masked: %s", got)
		}
		if got := ad.Masked(i18n.EN); got != tc.maskedEN {
			t.Errorf("masked in English: %s", got)
		}
	}
}

func TestDatesAcrossNationalDay(t *testing.T) {
	f := form(t, time.Date(2026, 9, 30, 16, 0, 0, 0, workdays.CST), "gas/safety_check")
	ch, _ := f.Options("gas.date", "", Answers{})
	if ch.Options[0].Value != "2026-10-08" || ch.Options[2].Value != "2026-10-10" {
		t.Fatalf("the first dates after 国庆 are 10-08, 10-09 and the make-up Saturday 10-10: %v", ch.Options[:3])
	}
}

// answers fills a valid joint application for the four utilities.
func answers(f *Form) Answers {
	a := f.Defaults()
	f.FillFromCard(a, session.Identity{Name: "王小明", IDNumber: "420702198503151237"})
	for k, v := range map[string]string{
		"phone":                   "13812345678",
		"address":                 "lzh/taihe/th-zhengjie/jy1/2/602",
		"electricity.capacity_kw": "8",
		"water.pipe_size":         "dn15",
		"gas.appliances":          "stove,heater",
		"broadband.bandwidth":     "1000m",
		"broadband.iptv":          "yes",
		"broadband.install_date":  "2026-11-30",
	} {
		if _, ok := f.Input(k); ok {
			a[k] = v
		}
	}
	return a
}

func TestValidate(t *testing.T) {
	f := form(t, now, "electricity/new_connection", "water/new_connection", "gas/new_connection", "broadband/new_connection")
	var got []string
	for _, p := range f.Validate(Answers{}) {
		got = append(got, string(p.Code)+" "+p.Key)
	}
	want := "idcard applicant_name, idcard id_number, required phone, required address, required electricity.residential, required electricity.voltage, required water.usage, required water.pipe_size, required gas.usage, required gas.appliances, required gas.pipes_ready, required broadband.bandwidth, required broadband.iptv, required broadband.install_date"
	if strings.Join(got, ", ") != want {
		t.Fatalf("problems of an empty form:\n%s", strings.Join(got, ", "))
	}
	a := answers(f)
	if ps := f.Validate(a); len(ps) != 0 {
		t.Fatalf("a full form: %v", ps)
	}
	// A hidden field is neither required nor checked.
	a["electricity.capacity_kva"] = "bad"
	if ps := f.Validate(a); len(ps) != 0 {
		t.Fatalf("a hidden field was checked: %v", ps)
	}
	a["electricity.voltage"] = "high"
	ps := f.Validate(a)
	if len(ps) != 1 || ps[0].Key != "electricity.capacity_kva" || ps[0].Code != CodeNumber {
		t.Fatalf("once shown it is: %v", ps)
	}
	delete(a, "electricity.capacity_kva")
	ps = f.Validate(a)
	if len(ps) != 1 || ps[0].Code != CodeRequired || ps[0].Msg.ZH != "请填写申请容量" {
		t.Fatalf("and required: %v", ps)
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs (go test -update rewrites it); got:\n%s", name, got)
	}
}

func rowsText(rows []Row) string {
	var b strings.Builder
	sec := ""
	for _, r := range rows {
		if r.Section != sec {
			sec = r.Section
			b.WriteString("## " + sec + "\n")
		}
		b.WriteString(r.Label + ": " + r.Value + "\n")
	}
	return b.String()
}

func TestReview(t *testing.T) {
	f := form(t, now, "electricity/new_connection", "water/new_connection", "gas/new_connection", "broadband/new_connection")
	a := answers(f)
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		var b strings.Builder
		b.WriteString(rowsText(f.Review(a, lang)))
		for _, o := range f.Evaluate(a, now) {
			b.WriteString(rowsText(o.Summary(lang)))
		}
		got := b.String()
		for _, secret := range []string{"王小明", "420702198503151237", "13812345678", "602"} {
			if strings.Contains(got, secret) {
				t.Fatalf("the review shows %q unmasked", secret)
			}
		}
		golden(t, "review_"+string(lang)+".golden", got)
	}
}

// On the citizen's request the review shows what they typed and picked in full (phone,
// address down to the room), never the name or ID number from their card.
func TestReviewInFull(t *testing.T) {
	f := form(t, now, "electricity/new_connection")
	a := answers(f)
	got := rowsText(f.ReviewInFull(a, i18n.ZH))
	for _, want := range []string{"13812345678", "602"} {
		if !strings.Contains(got, want) {
			t.Errorf("the review in full lacks %q:\n%s", want, got)
		}
	}
	for _, secret := range []string{"王小明", "420702198503151237"} {
		if strings.Contains(got, secret) {
			t.Errorf("the review in full shows %q unmasked", secret)
		}
	}
}

// A 过户's property certificate number is masked on the review as the phone is (a
// bystander reads the screen too), and shown in full on the citizen's request.
func TestReviewMasksTheCertificate(t *testing.T) {
	f := form(t, now, "electricity/transfer")
	a := answers(f)
	a["property_cert"] = "20261234567"
	for _, tc := range []struct {
		rows       []Row
		want, hide string
	}{
		{f.Review(a, i18n.ZH), "20*******67", "20261234567"},
		{f.ReviewInFull(a, i18n.ZH), "20261234567", "20*******67"},
	} {
		got := rowsText(tc.rows)
		if !strings.Contains(got, "不动产权证号（数字部分）: "+tc.want) || strings.Contains(got, tc.hide) {
			t.Errorf("want %q, not %q:\n%s", tc.want, tc.hide, got)
		}
	}
}

func defaultCalendar() (*workdays.Calendar, error) { return workdays.Default() }

func fixedClock() clock.Clock { return clock.NewManual(now) }

func TestToggle(t *testing.T) {
	f := form(t, now, "gas/new_connection")
	a := ""
	for _, tc := range []struct{ tap, want string }{
		{"boiler", "boiler"},
		{"stove", "stove,boiler"},
		{"heater", "stove,heater,boiler"},
		{"boiler", "stove,heater"},
		{"oven", "stove,heater"}, // not an option
	} {
		a = f.Toggle("gas.appliances", a, tc.tap)
		if a != tc.want {
			t.Fatalf("tap %s: %q, want %q", tc.tap, a, tc.want)
		}
	}
	if got := f.Toggle("gas.usage", "residential", "business"); got != "business" {
		t.Fatal(got)
	}
}

// The ID number is named after the card it was read from, on the form and its review
// alike: a foreigner's permanent residence card and a residence permit for Hong Kong,
// Macao and Taiwan residents are not 身份证.
func TestIDNumberLabelByCard(t *testing.T) {
	for _, tc := range []struct {
		card   string
		zh, en string
	}{
		{"resident", "身份证号码", "ID number"},
		{"", "身份证号码", "ID number"},
		{"foreign_2017", "永居证号码", "Permanent residence card No."},
		{"foreign_2023", "永居证号码", "Permanent residence card No."},
		{"gat_residence", "居住证号码", "Residence permit No."},
	} {
		f := form(t, time.Date(2026, 11, 25, 10, 0, 0, 0, workdays.CST), "electricity/new_connection")
		a := f.Defaults()
		f.FillFromCard(a, session.Identity{Name: "王小明", IDNumber: "420702198503151237", CardType: tc.card})
		if got := f.IDNumberLabel(i18n.ZH); got != tc.zh {
			t.Errorf("%q: label %q, want %q", tc.card, got, tc.zh)
		}
		if got := f.IDNumberLabel(i18n.EN); got != tc.en {
			t.Errorf("%q: English label %q, want %q", tc.card, got, tc.en)
		}
		var review string
		for _, r := range f.Review(a, i18n.ZH) {
			if r.Key == "id_number" {
				review = r.Label
			}
		}
		if review != tc.zh {
			t.Errorf("%q: the review names it %q, want %q", tc.card, review, tc.zh)
		}
	}
}

// The keypad refuses a key only when no further typing can make the phone number valid:
// every number Check takes can be typed key by key.
func TestPhoneTypableKeyByKey(t *testing.T) {
	f := form(t, now, "electricity/new_connection")
	for _, v := range []string{"13812345678", "19912345678", "0711-5123456", "07115123456", "010-62345678",
		"01062345678", "027-87654321", "0595-22345678", "059522345678", "0711-51234567"} {
		if p := f.Check("phone", v, Answers{}); p != nil {
			t.Errorf("Check(%q) = %v", v, p)
			continue
		}
		for i := 1; i <= len(v); i++ {
			if p := f.CheckTyping("phone", v[:i]); p != nil {
				t.Errorf("typing %q: %q refused: %v", v, v[:i], p)
			}
		}
	}
}
