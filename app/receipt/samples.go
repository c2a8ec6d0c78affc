package receipt

import "time"

// sampleTime is 2026-11-25 17:30:12 in China Standard Time.
var sampleTime = time.Date(2026, 11, 25, 17, 30, 12, 0, time.FixedZone("CST", 8*3600))

// SamplePayment is the reference payment receipt (the one other receipt tools are
// compared with): an electricity payment of ￥128.50 by WeChat Pay.
func SamplePayment() Payment {
	return Payment{
		Business: "电费缴纳",
		Account:  "3100123456",
		Name:     "张三",
		Amount:   12850,
		Method:   "微信支付",
		TxnID:    "20261125173012000123",
		Time:     sampleTime,
		Hotlines: []Hotline{{"服务热线", "95598"}, {"监管热线", "12398"}},
	}
}

// SampleAcceptance is a joint connection application (electricity, water, gas)
// accepted at the kiosk, the gas company not having answered yet.
func SampleAcceptance() Acceptance {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, sampleTime.Location()) }
	return Acceptance{
		Ref:       "K261125000123",
		Applicant: "张三",
		IDNumber:  "420704199003151234",
		Phone:     "13812345678",
		Service:   "水电气网联动报装",
		Time:      sampleTime,
		Sections: []Section{
			{
				Utility:     "供电 · 国网梁子湖区供电公司",
				Number:      "DL202611250088",
				Business:    "低压居民新装（8千瓦）",
				WorkingDays: 2,
				Deadline:    day(27),
				Steps:       []string{"供电公司现场勘查并答复供电方案", "装表接电，短信通知送电时间"},
				Hotlines:    []Hotline{{"国网供电服务热线（24小时）", "95598"}, {"能源监管热线", "12398"}},
			},
			{
				Utility:     "供水 · 梁子湖区自来水公司",
				Number:      "SS20261125-017",
				Business:    "商铺用水新装",
				WorkingDays: 5,
				Deadline:    day(2 + 30),
				Fees:        []Fee{{"水表及安装", 38000}},
				Steps:       []string{"上门勘查", "缴纳费用后安装水表并通水"},
				Hotlines:    []Hotline{{"自来水公司服务热线", "0711-5123456"}},
			},
			{
				Utility:     "供气 · 梁子湖区燃气公司",
				Business:    "居民燃气开户",
				WorkingDays: 4,
				Deadline:    day(1 + 30),
				Documents:   []string{"不动产权证书（现场核验原件，无需复印）"},
				Steps:       []string{"燃气公司受理后短信告知办件编号", "入户安检并通气"},
				Hotlines:    []Hotline{{"燃气公司服务及抢修热线（24小时）", "0711-5987654"}},
			},
		},
		Hotlines:  []Hotline{{"供电服务", "95598"}, {"能源监管", "12398"}, {"政务服务便民热线", "12345"}},
		Materials: "零资料办理：凭本人有效身份证件即可，无需提交纸质材料。",
	}
}

// SampleProgress is the progress of the sample acceptance two days later.
func SampleProgress() Progress {
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, sampleTime.Location()) }
	return Progress{
		Ref:       "K261125000123",
		Applicant: "张三",
		Service:   "水电气网联动报装",
		Time:      at(27, 9, 15),
		Items: []ProgressItem{
			{
				Utility: "供电 · 国网梁子湖区供电公司", Number: "DL202611250088", Business: "低压居民新装（8千瓦）",
				State: "办理中", Deadline: at(27, 0, 0),
				Steps: []Step{{Name: "申请受理", Time: at(25, 17, 30)}, {Name: "现场勘查", Time: at(26, 10, 5)}, {Name: "装表接电", Current: true}},
			},
			{
				Utility: "供气 · 梁子湖区燃气公司", Number: "RQ-88017", Business: "居民燃气开户",
				State: "已受理", Deadline: at(1+30, 0, 0),
				Steps: []Step{{Name: "申请受理", Time: at(25, 17, 30)}, {Name: "入户安检", Current: true}, {Name: "通气"}},
			},
		},
		Hotlines: []Hotline{{"政务服务", "12345"}, {"监管热线", "12398"}},
	}
}

// SampleTestPage is a staff test page at the sample time.
func SampleTestPage() TestPage {
	return TestPage{Time: sampleTime, Status: "正常", Port: "/dev/serial/by-id/usb-Printer-if00"}
}
