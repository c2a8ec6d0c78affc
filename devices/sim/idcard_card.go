package sim

import (
	"fmt"
	"sort"
	"unicode/utf16"
)

// IDCard is a card for the ID card reader emulator, described field by field in the
// card's own formats: dates YYYYMMDD, gender and nation as their digit codes, validity
// end YYYYMMDD or 长期. Text lays it out in the 256-byte block of its type, following
// the layout tables of ../shared/protocols/idcard.md §6 (written independently of the
// driver's parser, so that tests of one check the other).
//
// The fixtures (IDCardFixture, DemoCards) are synthetic people with valid check digits.
type IDCard struct {
	// Type is resident, foreign_2017, foreign_2023 or gat_residence.
	Type string `json:"type"`
	// Label is a short Chinese description for demo controls, LabelEN its English; they
	// are not on the card.
	Label   string `json:"label,omitempty"`
	LabelEN string `json:"label_en,omitempty"`

	Name        string `json:"name,omitempty"`
	EnglishName string `json:"english_name,omitempty"`
	Gender      string `json:"gender,omitempty"` // 0, 1, 2, 9
	Nation      string `json:"nation,omitempty"` // resident: 01–56, 97, 98
	Nationality string `json:"nationality,omitempty"`
	Birth       string `json:"birth,omitempty"`
	Address     string `json:"address,omitempty"`
	IDNumber    string `json:"id_number,omitempty"`
	Authority   string `json:"authority,omitempty"`
	ValidFrom   string `json:"valid_from,omitempty"`
	ValidTo     string `json:"valid_to,omitempty"`
	PassNumber  string `json:"pass_number,omitempty"`
	IssueCount  string `json:"issue_count,omitempty"`
	CardVersion string `json:"card_version,omitempty"`
	// OldNumberLink is the 2023 foreigner card's link to the old 15-character number.
	OldNumberLink string `json:"old_number_link,omitempty"`
	// AppendedAddress is returned by "read appended address" (30 03); empty: status 91.
	AppendedAddress string `json:"appended_address,omitempty"`
	// Photo is the 1024-byte WLT photo; nil means a fixed synthetic pattern.
	Photo []byte `json:"-"`
	// Fingerprint is returned by 30 10: nil, 512 or 1024 bytes.
	Fingerprint []byte `json:"-"`
}

// utf16Field writes s as UTF-16LE into b, padded with spaces (20 00) to len(b).
func utf16Field(b []byte, name, s string) error {
	u := utf16.Encode([]rune(s))
	if 2*len(u) > len(b) {
		return fmt.Errorf("sim: card field %s: %d characters do not fit in %d bytes", name, len(u), len(b))
	}
	for i := 0; i < len(b); i += 2 {
		b[i], b[i+1] = ' ', 0
	}
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return nil
}

type slot struct {
	off, n int
	name   string
	val    string
}

// Text is the card's 256-byte text block.
func (c IDCard) Text() ([]byte, error) {
	b := make([]byte, 256)
	if err := utf16Field(b, "padding", ""); err != nil {
		return nil, err
	}
	var slots []slot
	switch c.Type {
	case "resident", "gat_residence":
		slots = []slot{
			{0, 30, "name", c.Name}, {30, 2, "gender", c.Gender}, {36, 16, "birth", c.Birth},
			{52, 70, "address", c.Address}, {122, 36, "id_number", c.IDNumber},
			{158, 30, "authority", c.Authority}, {188, 16, "valid_from", c.ValidFrom},
			{204, 16, "valid_to", c.ValidTo},
		}
		if c.Type == "resident" {
			slots = append(slots, slot{32, 4, "nation", c.Nation})
		} else {
			slots = append(slots, slot{220, 18, "pass_number", c.PassNumber},
				slot{238, 4, "issue_count", c.IssueCount}, slot{248, 2, "type flag", "J"})
		}
	case "foreign_2017":
		slots = []slot{
			{0, 120, "english_name", c.EnglishName}, {120, 2, "gender", c.Gender},
			{122, 30, "id_number", c.IDNumber}, {152, 6, "nationality", c.Nationality},
			{158, 30, "name", c.Name}, {188, 16, "valid_from", c.ValidFrom},
			{204, 16, "valid_to", c.ValidTo}, {220, 16, "birth", c.Birth},
			{236, 4, "card_version", c.CardVersion}, {240, 8, "authority", c.Authority},
			{248, 2, "type flag", "I"},
		}
	case "foreign_2023":
		// The English name's characters 1–35 go at 52, characters 36–46 at 220.
		en := []rune(c.EnglishName)
		en1, en2 := en, []rune(nil)
		if len(en) > 35 {
			en1, en2 = en[:35], en[35:]
		}
		slots = []slot{
			{0, 30, "name", c.Name}, {30, 2, "gender", c.Gender}, {32, 4, "issue_count", c.IssueCount},
			{36, 16, "birth", c.Birth}, {52, 70, "english_name", string(en1)},
			{122, 36, "id_number", c.IDNumber}, {188, 16, "valid_from", c.ValidFrom},
			{204, 16, "valid_to", c.ValidTo}, {220, 22, "english_name (36–46)", string(en2)},
			{242, 6, "nationality", c.Nationality}, {248, 2, "type flag", "Y"},
			{250, 6, "old_number_link", c.OldNumberLink},
		}
	default:
		return nil, fmt.Errorf("sim: unknown card type %q", c.Type)
	}
	for _, s := range slots {
		if err := utf16Field(b[s.off:s.off+s.n], s.name, s.val); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// photo is the card's WLT photo, or a synthetic one.
func (c IDCard) photo() []byte {
	if len(c.Photo) > 0 {
		return c.Photo
	}
	p := make([]byte, 1024)
	for i := range p {
		p[i] = byte(i*7 + 3)
	}
	return p
}

// appendedAddress is the 70-byte payload of a 30 03 reply.
func (c IDCard) appendedAddress() ([]byte, error) {
	b := make([]byte, 70)
	return b, utf16Field(b, "appended_address", c.AppendedAddress)
}

// readData is the data of a successful 30 01 reply (fingerprint false) or 30 10 reply.
func (c IDCard) readData(fingerprint bool) ([]byte, error) {
	text, err := c.Text()
	if err != nil {
		return nil, err
	}
	photo := c.photo()
	words := []int{len(text), len(photo)}
	if fingerprint {
		words = append(words, len(c.Fingerprint))
	}
	var d []byte
	for _, w := range words {
		d = append(d, byte(w>>8), byte(w))
	}
	d = append(append(d, text...), photo...)
	if fingerprint {
		d = append(d, c.Fingerprint...)
	}
	return d, nil
}

// ReadReplyFrame is the reader's whole reply to "read card" (30 01) for this card, as
// a driver would receive it: for golden files and `kioskctl idcard decode` tests.
func (c IDCard) ReadReplyFrame() ([]byte, error) {
	d, err := c.readData(false)
	if err != nil {
		return nil, err
	}
	return replyFrame(0x90, d), nil
}

// fixtures are synthetic people; every number has a valid check character except in
// resident_bad_number.
var fixtures = map[string]IDCard{
	"resident": {
		Type: "resident", Label: "居民身份证", LabelEN: "Resident ID card",
		Name: "李明华", Gender: "1", Nation: "01", Birth: "19850315",
		Address: "湖北省鄂州市梁子湖区太和镇幸福路88号", IDNumber: "420702198503151237",
		Authority: "鄂州市公安局梁子湖分局", ValidFrom: "20200315", ValidTo: "20400315",
	},
	"resident_longterm": {
		Type: "resident", Label: "居民身份证（长期，老年人）", LabelEN: "Resident ID card (no end date, elderly)",
		Name: "王秀英", Gender: "2", Nation: "03", Birth: "19500808",
		Address: "湖北省鄂州市梁子湖区涂家垴镇东街12号", IDNumber: "420702195008080028",
		Authority: "鄂州市公安局梁子湖分局", ValidFrom: "20150601", ValidTo: "长期",
	},
	"resident_moved": {
		Type: "resident", Label: "居民身份证（有追加住址）", LabelEN: "Resident ID card (appended address)",
		Name: "赵志刚", Gender: "1", Nation: "11", Birth: "19920620",
		Address: "湖北省鄂州市梁子湖区东沟镇长岭村5组", IDNumber: "420702199206200519",
		Authority: "鄂州市公安局梁子湖分局", ValidFrom: "20180301", ValidTo: "20280301",
		AppendedAddress: "湖北省鄂州市梁子湖区太和镇新街9号",
	},
	"resident_expired": {
		Type: "resident", Label: "居民身份证（已过期）", LabelEN: "Resident ID card (expired)",
		Name: "孙丽", Gender: "2", Nation: "01", Birth: "19700101",
		Address: "湖北省鄂州市梁子湖区沼山镇南路2号", IDNumber: "420702197001010042",
		Authority: "鄂州市公安局梁子湖分局", ValidFrom: "20010101", ValidTo: "20210101",
	},
	"resident_bad_number": {
		Type: "resident", Label: "居民身份证（号码校验位错误）", LabelEN: "Resident ID card (bad check digit)",
		Name: "周强", Gender: "1", Nation: "01", Birth: "19881111",
		Address: "湖北省鄂州市梁子湖区梧桐湖新区1号", IDNumber: "420702198811110315",
		Authority: "鄂州市公安局梁子湖分局", ValidFrom: "20190101", ValidTo: "20390101",
	},
	"gat_residence": {
		Type: "gat_residence", Label: "港澳台居民居住证", LabelEN: "HK/Macao/Taiwan residence permit",
		Name: "陈嘉欣", Gender: "2", Birth: "19950505",
		Address: "湖北省鄂州市梁子湖区太和镇新华街3号", IDNumber: "810000199505050022",
		Authority: "鄂州市公安局", ValidFrom: "20220701", ValidTo: "20270701",
		PassNumber: "H01234567", IssueCount: "01",
	},
	"foreign_2017": {
		Type: "foreign_2017", Label: "外国人永久居留身份证（2017版）", LabelEN: "Foreign residence card (2017)",
		EnglishName: "DOE, JOHN", Name: "约翰", Gender: "1", Nationality: "CAN",
		Birth: "19850315", IDNumber: "CAN420085031505",
		ValidFrom: "20170601", ValidTo: "20270601", CardVersion: "01", Authority: "4200",
	},
	"foreign_2023": {
		Type: "foreign_2023", Label: "外国人永久居留身份证（2023版）", LabelEN: "Foreign residence card (2023)",
		Name: "玛丽亚", EnglishName: "KOWALSKA-NOWAKOWSKA, MARIA ALEKSANDRA JOANNA",
		Gender: "2", IssueCount: "00", Birth: "19880808", IDNumber: "942616198808080026",
		Nationality: "POL", ValidFrom: "20231201", ValidTo: "20331201",
	},
}

// IDCardFixture returns the named fixture card; see IDCardFixtureNames.
func IDCardFixture(name string) (IDCard, bool) {
	c, ok := fixtures[name]
	return c, ok
}

// IDCardFixtureNames lists the fixture cards: one of each type (resident,
// foreign_2017, foreign_2023, gat_residence) and resident variants for failure paths
// (resident_expired, resident_bad_number) and features (resident_longterm,
// resident_moved with an appended address).
func IDCardFixtureNames() []string {
	names := make([]string, 0, len(fixtures))
	for n := range fixtures {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// demoCards are the people of demo mode: the citizens the utility simulator
// (cmd/utilitysim) knows, each with the scenario their accounts play (a test there keeps
// the two lists in step), plus the other card types.
var demoCards = []IDCard{
	{Type: "resident", Label: "长者，水电气网四家都有账户", LabelEN: "Elderly, accounts at all four utilities",
		Name: "张三", Gender: "2", Nation: "01", Birth: "19491231",
		Address: "湖北省鄂州市梁子湖区太和镇文化路18号3栋2单元501", IDNumber: "11010519491231002X",
		Authority: "北京市公安局朝阳分局", ValidFrom: "20150101", ValidTo: "长期"},
	{Type: "resident", Label: "有欠费的电费、水费账单", LabelEN: "Unpaid power and water bills",
		Name: "李四", Gender: "1", Nation: "01", Birth: "19850615",
		Address: "湖北省鄂州市梁子湖区东沟镇新街村6组12号", IDNumber: "420702198506150010",
		Authority: "鄂州市公安局梁子湖分局", ValidFrom: "20180615", ValidTo: "20380615"},
	{Type: "resident", Label: "长者，燃气报装办理中", LabelEN: "Elderly, gas connection in progress",
		Name: "王淑芬", Gender: "2", Nation: "01", Birth: "19380312",
		Address: "湖北省鄂州市梁子湖区沼山镇幸福路3号", IDNumber: "420702193803120026",
		Authority: "鄂州市公安局梁子湖分局", ValidFrom: "20080312", ValidTo: "长期"},
	{Type: "resident", Label: "姓名含生僻字，燃气欠费", LabelEN: "Rare name character, gas unpaid",
		Name: "赵堃", Gender: "1", Nation: "01", Birth: "19920808",
		Address: "湖北省鄂州市梁子湖区涂家垴镇梧桐湖新区7栋1单元1203", IDNumber: "420702199208080039",
		Authority: "鄂州市公安局梁子湖分局", ValidFrom: "20200808", ValidTo: "20300808"},
	{Type: "resident", Label: "复姓，只有宽带账户", LabelEN: "Double surname, broadband only",
		Name: "欧阳娜娜", Gender: "2", Nation: "01", Birth: "20010101",
		Address: "湖北省鄂州市梁子湖区太和镇梁湖大道66号", IDNumber: "420702200101010044",
		Authority: "鄂州市公安局梁子湖分局", ValidFrom: "20190101", ValidTo: "20290101"},
	{Type: "resident", Label: "新住户，还没有任何账户", LabelEN: "New resident, no accounts yet",
		Name: "陈建国", Gender: "1", Nation: "01", Birth: "19700707",
		Address: "湖北省鄂州市梁子湖区太和镇建设路9号", IDNumber: "420702197007070054",
		Authority: "鄂州市公安局梁子湖分局", ValidFrom: "20100707", ValidTo: "20300707"},
	{Type: "resident", Label: "企业用户，高压报装已超期", LabelEN: "Business, high-voltage overdue",
		Name: "刘卫东", Gender: "1", Nation: "01", Birth: "19660315",
		Address: "湖北省鄂州市梁子湖区经济开发区工业园路2号", IDNumber: "420702196603150072",
		Authority: "鄂州市公安局梁子湖分局", ValidFrom: "20160315", ValidTo: "长期"},
	fixtures["gat_residence"],
	fixtures["foreign_2023"],
}

// DemoCards are the cards demo mode offers to place ("模拟刷卡"): the utility
// simulator's citizens with their scenarios, a HK/Macao/Taiwan residence permit and a
// 2023 foreigner card.
func DemoCards() []IDCard { return append([]IDCard(nil), demoCards...) }
