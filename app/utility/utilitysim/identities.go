package utilitysim

import (
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/devices/idcard"
)

// Identity is a synthetic citizen of the simulator. The ID numbers are made up but pass
// the GB 11643 check digit, so that the ID-card simulator's demo cards can carry them.
type Identity struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Sex      string `json:"sex"`    // 男 / 女 (the 17th digit: odd male, even female)
	Nation   string `json:"nation"` // 民族
	Birth    string `json:"birth"`  // yyyymmdd
	Address  string `json:"address"`
	Phone    string `json:"phone"`
	// Note says what the person is for in the demo.
	Note string `json:"note"`
	// Accounts are the utilities the person has an account at.
	Accounts []string `json:"accounts"`
	// Unpaid are the utilities where the person has unpaid bills.
	Unpaid []string `json:"unpaid,omitempty"`
	// Business marks a 非居民 (一般工商业) electricity customer.
	Business bool `json:"business,omitempty"`
}

// DemoIdentities are the simulator's citizens. The first, 张三 11010519491231002X, is the
// anchor every demo and test can rely on.
var DemoIdentities = []Identity{
	{Name: "张三", IDNumber: "11010519491231002X", Sex: "女", Nation: "汉", Birth: "19491231",
		Address: "湖北省鄂州市梁子湖区太和镇文化路18号3栋2单元501", Phone: "13800000001",
		Note:     "anchor: elderly resident with accounts at all four utilities, all paid; one finished application to rate",
		Accounts: []string{utility.Electricity, utility.Water, utility.Gas, utility.Broadband}},
	{Name: "李四", IDNumber: "420702198506150010", Sex: "男", Nation: "汉", Birth: "19850615",
		Address: "湖北省鄂州市梁子湖区东沟镇新街村6组12号", Phone: "13800000002",
		Note:     "unpaid electricity and water bills: pay them; a transfer is refused until they are paid",
		Accounts: []string{utility.Electricity, utility.Water, utility.Gas}, Unpaid: []string{utility.Electricity, utility.Water}},
	{Name: "王淑芬", IDNumber: "420702193803120026", Sex: "女", Nation: "汉", Birth: "19380312",
		Address: "湖北省鄂州市梁子湖区沼山镇幸福路3号", Phone: "13800000003",
		Note:     "elderly (born 1938): electricity, water and gas; a gas connection in progress",
		Accounts: []string{utility.Electricity, utility.Water, utility.Gas}},
	{Name: "赵堃", IDNumber: "420702199208080039", Sex: "男", Nation: "汉", Birth: "19920808",
		Address: "湖北省鄂州市梁子湖区涂家垴镇梧桐湖新区7栋1单元1203", Phone: "13800000004",
		Note:     "rare character 堃 in the name; unpaid gas bill",
		Accounts: []string{utility.Electricity, utility.Gas, utility.Broadband}, Unpaid: []string{utility.Gas}},
	{Name: "欧阳娜娜", IDNumber: "420702200101010044", Sex: "女", Nation: "汉", Birth: "20010101",
		Address: "湖北省鄂州市梁子湖区太和镇梁湖大道66号", Phone: "13800000005",
		Note:     "compound surname; broadband only, a broadband installation accepted today",
		Accounts: []string{utility.Broadband}},
	{Name: "陈建国", IDNumber: "420702197007070054", Sex: "男", Nation: "汉", Birth: "19700707",
		Address: "湖北省鄂州市梁子湖区太和镇建设路9号", Phone: "13800000006",
		Note:     "new resident with no account anywhere: every utility answers none; apply for all four",
		Accounts: nil},
	{Name: "刘卫东", IDNumber: "420702196603150072", Sex: "男", Nation: "汉", Birth: "19660315",
		Address: "湖北省鄂州市梁子湖区经济开发区工业园路2号", Phone: "13800000007",
		Note:     "business customer (非居民, high voltage); a high-voltage connection past its deadline",
		Accounts: []string{utility.Electricity, utility.Water}, Business: true},
	{Name: "陈嘉欣", IDNumber: "810000199505050022", Sex: "女", Nation: "", Birth: "19950505",
		Address: "湖北省鄂州市梁子湖区太和镇新华街3号", Phone: "13800000008",
		Note:     "Hong Kong resident with a 港澳台居民居住证: electricity and broadband",
		Accounts: []string{utility.Electricity, utility.Broadband}},
	{Name: "玛丽亚", IDNumber: "942616198808080026", Sex: "女", Nation: "", Birth: "19880808",
		Address: "湖北省鄂州市梁子湖区梧桐湖新区湖畔路1号", Phone: "13800000009",
		Note:     "foreign permanent resident (2023 card): water and electricity, unpaid water bill",
		Accounts: []string{utility.Electricity, utility.Water}, Unpaid: []string{utility.Water}},
}

// ValidIDNumber reports whether s is a number an ID card the kiosk reads can carry: 18
// characters with a correct GB 11643 check character (the resident ID card, the
// HK/Macao/Taiwan residence permit, the 2023 foreign permanent residence card), or the
// 2017 foreign permanent residence card's 3 letters and 12 digits.
func ValidIDNumber(s string) bool {
	return idcard.ValidNumber18(s) || idcard.ValidNumber15(s)
}
