package receipt

import (
	"time"

	"github.com/liangzihu/kiosk/app/config"
)

// sampleTime is 2026-11-25 17:30:12 in China Standard Time.
var sampleTime = time.Date(2026, 11, 25, 17, 30, 12, 0, time.FixedZone("CST", 8*3600))

// The numbers the samples print, as the shipped catalogue names them
// (assets/catalog/electricity.toml, water.toml, gas.toml and common.toml's [[hotline]]);
// app's TestSampleAcceptanceAsPrinted checks them against it.
var (
	SamplePowerHotlines  = []Hotline{{"国网供电服务热线（24小时）", "95598"}, {"能源监管热线", "12398"}}
	SampleWaterHotlines  = []Hotline{{"自来水公司服务热线", "0711-5123456"}}
	SampleGasHotlines    = []Hotline{{"燃气公司服务及抢修热线（24小时）", "0711-5987654"}}
	SampleCommonHotlines = []Hotline{{"政务服务便民热线", "12345"}}
)

// SampleHotlines are the numbers at the foot of a sample receipt of the utility whose
// numbers are own, with a configuration's hotlines, as the kiosk prints them.
func SampleHotlines(c *config.Config, own []Hotline) []Hotline {
	return FooterHotlines(c.Hotlines, own, SampleCommonHotlines)
}

// ForConfig makes a sample say what a kiosk with configuration c prints: its hotlines
// (the footer of its screens) and its ID.
func (p Payment) ForConfig(c *config.Config) Payment {
	p.Hotlines, p.Terminal = SampleHotlines(c, SamplePowerHotlines[:1]), c.Kiosk.ID
	return p
}

// ForConfig makes a sample say what a kiosk with configuration c prints: its hotlines.
func (a Acceptance) ForConfig(c *config.Config) Acceptance {
	a.Hotlines = SampleHotlines(c, nil)
	return a
}

// ForConfig makes a sample say what a kiosk with configuration c prints: its hotlines,
// the gas company's first (the sample is of a gas part).
func (p Progress) ForConfig(c *config.Config) Progress {
	p.Hotlines = SampleHotlines(c, SampleGasHotlines)
	return p
}

// SamplePayment is the reference payment receipt (the one other receipt tools are
// compared with): an electricity payment of ￥128.50, as a kiosk with the shipped
// configuration prints it.
func SamplePayment() Payment {
	return Payment{
		Business: "电费缴纳",
		Payee:    "国网梁子湖区供电公司",
		Account:  "3100123456",
		Name:     "张三",
		Periods:  "2026年10月",
		Amount:   12850,
		Method:   "扫码支付",
		TxnID:    "20261125173012000123",
		Time:     sampleTime,
		Ref:      "K261125245629450",
	}.ForConfig(config.Defaults())
}

// SampleAddress is the address of the sample application, as the demo's address lists
// name it (assets/catalog/addresses.toml).
var SampleAddress = Address{Label: "地址", Place: []string{"梁子湖区", "太和镇", "正街社区", "金域花园1栋"}, Unit: "2单元", Room: "602室"}

// The sample acceptance's references, as a kiosk with the shipped configuration gives
// them (app/outbox's tests check them): the 联办编号 (J, the time accepted, four random
// digits), and the kiosk reference of its gas part, the third part stored in that second
// (K, the date, the kiosk's code 245, the tenth of a second of the day, 630120, plus 2).
const (
	SampleJointRef = "J2611251730125731"
	SampleGasRef   = "K261125245630122"
)

// SampleAcceptance is a joint connection application (electricity, water, gas) at one
// address, accepted at the kiosk, the gas company not having answered yet: its 联办编号
// on top, and in each section the QR of the part's own reference, the utility's number
// or, for gas, the kiosk's.
func SampleAcceptance() Acceptance {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, sampleTime.Location()) }
	a := Acceptance{
		Ref:       SampleJointRef,
		Joint:     true,
		Applicant: "张三",
		IDNumber:  "420704199003151234",
		Phone:     "13812345678",
		Service:   "水电气网联动报装",
		Time:      sampleTime,
		Sections: []Section{
			{
				Utility:     "供电 · 国网梁子湖区供电公司",
				Number:      "DL202611250088",
				Track:       "DL202611250088",
				Business:    "低压居民新装（8千瓦）",
				WorkingDays: 2,
				Deadline:    day(27),
				Steps:       []string{"供电公司现场勘查并答复供电方案", "装表接电，短信通知送电时间"},
				Hotlines:    SamplePowerHotlines,
			},
			{
				Utility:     "供水 · 梁子湖区自来水公司",
				Number:      "SS20261125-017",
				Track:       "SS20261125-017",
				Business:    "商铺用水新装",
				WorkingDays: 5,
				Deadline:    day(2 + 30),
				Fees:        []Fee{{"水表及安装", 38000}},
				Steps:       []string{"上门勘查", "缴纳费用后安装水表并通水"},
				Hotlines:    SampleWaterHotlines,
			},
			{
				Utility:     "供气 · 梁子湖区燃气公司",
				Track:       SampleGasRef,
				Business:    "居民燃气开户",
				WorkingDays: 4,
				Deadline:    day(1 + 30),
				Documents:   []string{"不动产权证书（现场核验原件，无需复印）"},
				Steps:       []string{"燃气公司受理后短信告知办件编号", "入户安检并通气"},
				Hotlines:    SampleGasHotlines,
			},
		},
		Materials: "零资料办理：凭本人有效身份证件即可，无需提交纸质材料。身份信息由证件读取，房屋产权等信息由部门间数据共享核验。",
	}.ForConfig(config.Defaults())
	for i := range a.Sections {
		a.Sections[i].Address = SampleAddress
	}
	return a
}

// SampleProgress is the progress of the sample acceptance's gas part two days later, as
// a kiosk prints it (app's PrintProgress): its QR on the acceptance, the kiosk's
// reference, now finds the gas company's number, RQ-88017, which the summary is printed
// under; one part, as each part is tracked on its own; no applicant named.
func SampleProgress() Progress {
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, sampleTime.Location()) }
	return Progress{
		Ref:     "RQ-88017",
		Service: "居民燃气开户",
		Time:    at(27, 9, 15),
		Items: []ProgressItem{{
			Utility: "供气 · 梁子湖区燃气公司", Number: "RQ-88017", Business: "居民燃气开户",
			State: "办理中", WorkingDays: 4, Deadline: at(1+30, 0, 0),
			Steps: []Step{{Name: "申请受理", Time: at(25, 17, 30)}, {Name: "入户安检", Current: true}, {Name: "通气"}},
		}},
	}.ForConfig(config.Defaults())
}

// SampleTestPage is a staff test page at the sample time.
func SampleTestPage() TestPage {
	return TestPage{Time: sampleTime, Status: "正常", Port: "/dev/serial/by-id/usb-Printer-if00"}
}
