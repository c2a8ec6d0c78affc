package idcard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// wantCards are the golden card replies field by field, written from the layout
// tables (the frames themselves were built independently of this package).
var wantCards = map[string]Card{
	"reply_card_resident": {
		Type: Resident, Name: "李明华", GenderCode: "1", NationCode: "01", Birth: Date{1985, 3, 15},
		Address: "湖北省鄂州市梁子湖区太和镇幸福路88号", PrintedAddress: "湖北省鄂州市梁子湖区太和镇幸福路88号",
		IDNumber: "420702198503151237", Authority: "鄂州市公安局梁子湖分局",
		ValidFrom: Date{2020, 3, 15}, ValidTo: Date{2040, 3, 15}, NumberOK: true,
	},
	"reply_card_resident_longterm": {
		Type: Resident, Name: "王秀英", GenderCode: "2", NationCode: "03", Birth: Date{1950, 8, 8},
		Address: "湖北省鄂州市梁子湖区涂家垴镇东街12号", PrintedAddress: "湖北省鄂州市梁子湖区涂家垴镇东街12号",
		IDNumber: "420702195008080028", Authority: "鄂州市公安局梁子湖分局",
		ValidFrom: Date{2015, 6, 1}, LongTerm: true, NumberOK: true,
	},
	"reply_card_gat_residence": {
		Type: GATResidence, Name: "陈嘉欣", GenderCode: "2", Birth: Date{1995, 5, 5},
		Address: "湖北省鄂州市梁子湖区太和镇新华街3号", PrintedAddress: "湖北省鄂州市梁子湖区太和镇新华街3号",
		IDNumber: "810000199505050022", Authority: "鄂州市公安局",
		ValidFrom: Date{2022, 7, 1}, ValidTo: Date{2027, 7, 1}, PassNumber: "H01234567", IssueCount: "01", NumberOK: true,
	},
	"reply_card_foreign_2017": {
		Type: Foreign2017, EnglishName: "DOE, JOHN", Name: "约翰", GenderCode: "1", Nationality: "CAN",
		Birth: Date{1985, 3, 15}, IDNumber: "CAN420085031505", Authority: "4200", CardVersion: "01",
		ValidFrom: Date{2017, 6, 1}, ValidTo: Date{2027, 6, 1}, NumberOK: true,
	},
	"reply_card_foreign_2023": {
		Type: Foreign2023, Name: "玛丽亚", EnglishName: "KOWALSKA-NOWAKOWSKA, MARIA ALEKSANDRA JOANNA",
		GenderCode: "2", IssueCount: "00", Birth: Date{1988, 8, 8}, IDNumber: "942616198808080026",
		Nationality: "POL", ValidFrom: Date{2023, 12, 1}, ValidTo: Date{2033, 12, 1}, NumberOK: true,
	},
}

func TestParseGoldenCards(t *testing.T) {
	for name, want := range wantCards {
		r, err := DecodeReply(golden(t, name))
		if err != nil {
			t.Fatal(err)
		}
		got, fp, err := ParseReadReply(r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got.Photo) != PhotoLen || got.Photo[0] != 3 || got.Photo[1] != 10 || fp != nil {
			t.Errorf("%s: photo %d bytes, fingerprint %d", name, len(got.Photo), len(fp))
		}
		got.Photo = nil
		if fmt.Sprintf("%#v", fields(*got)) != fmt.Sprintf("%#v", fields(want)) {
			t.Errorf("%s:\n got %#v\nwant %#v", name, fields(*got), fields(want))
		}
	}
}

// fields exposes a card's fields for comparison (Card itself never prints them).
func fields(c Card) map[string]any {
	return map[string]any{
		"type": c.Type.String(), "name": c.Name, "en": c.EnglishName, "gender": c.GenderCode,
		"nation": c.NationCode, "nationality": c.Nationality, "birth": c.Birth.String(),
		"addr": c.Address, "printed": c.PrintedAddress, "appended": c.AddressAppended,
		"id": c.IDNumber, "auth": c.Authority, "from": c.ValidFrom.String(), "to": c.ValidTo.String(),
		"long": c.LongTerm, "pass": c.PassNumber, "issue": c.IssueCount, "ver": c.CardVersion,
		"link": c.OldNumberLink, "ok": c.NumberOK,
	}
}

func TestParseFingerprintReply(t *testing.T) {
	r, err := DecodeReply(golden(t, "reply_card_resident_fingerprint"))
	if err != nil {
		t.Fatal(err)
	}
	c, fp, err := ParseReadReply(r)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "李明华" || len(c.Photo) != PhotoLen || len(fp) != 512 || fp[0] != 1 || fp[1] != 14 {
		t.Fatalf("card %v, photo %d, fingerprint %d", c, len(c.Photo), len(fp))
	}
}

func TestNamesAndDates(t *testing.T) {
	c := wantCards["reply_card_resident"]
	if c.Gender() != "男" || c.Nation() != "汉" || c.Birth.String() != "1985-03-15" {
		t.Fatalf("gender %q nation %q birth %q", c.Gender(), c.Nation(), c.Birth)
	}
	for code, want := range map[string]string{"0": "未知", "1": "男", "2": "女", "9": "未说明", "3": "3", "": ""} {
		if got := GenderName(code); got != want {
			t.Errorf("gender %q: %q, want %q", code, got, want)
		}
	}
	for code, want := range map[string]string{"01": "汉", "46": "德昂", "36": "毛南", "56": "基诺", "97": "其他", "98": "外国血统中国籍人士", "81": "81", "57": "57", "00": "00"} {
		if got := NationName(code); got != want {
			t.Errorf("nation %q: %q, want %q", code, got, want)
		}
	}
	if len(nations) != 58 {
		t.Errorf("%d nation codes, want 56 + 97 + 98", len(nations))
	}
}

func TestExpiryAndCheck(t *testing.T) {
	c := wantCards["reply_card_resident"] // valid 2020-03-15 to 2040-03-15
	for _, tc := range []struct {
		today   Date
		expired bool
		err     error
	}{
		{Date{2026, 11, 25}, false, nil},
		{Date{2040, 3, 15}, false, nil}, // the last day is still valid
		{Date{2040, 3, 16}, true, ErrExpired},
		{Date{2020, 3, 14}, false, ErrNotYetValid},
	} {
		if got := c.Expired(tc.today); got != tc.expired {
			t.Errorf("%v: expired %t", tc.today, got)
		}
		if err := c.Check(tc.today); !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("%v: Check %v, want %v", tc.today, err, tc.err)
		}
	}
	long := wantCards["reply_card_resident_longterm"]
	if long.Expired(Date{2999, 1, 1}) || long.Check(Date{2999, 1, 1}) != nil {
		t.Error("a 长期 card expired")
	}
	bad := c
	bad.IDNumber, bad.NumberOK = "420702198503151238", false
	if err := bad.Check(Date{2041, 1, 1}); !errors.Is(err, ErrBadNumber) || !errors.Is(err, ErrExpired) {
		t.Errorf("bad and expired card: %v", err)
	}
	if DateOf(time.Date(2026, 1, 2, 23, 30, 0, 0, time.FixedZone("CST", 8*3600))) != (Date{2026, 1, 2}) {
		t.Error("DateOf uses the time's own zone")
	}
}

func TestCheckDigits(t *testing.T) {
	for id, want := range map[string]bool{
		"11010519491231002X": true, "11010519491231002x": true, // the standard's example
		"440524188001010014": true,
		"932682198501010017": true, "911124198108030024": true, // NIA 2023 foreigner samples
		"420702198503151237": true, "420702198503151238": false,
		"11010519491231002Y": false, "1101051949123100": false, "A1010519491231002X": false,
		"": false,
	} {
		if got := ValidNumber18(id); got != want {
			t.Errorf("ValidNumber18(%q) = %t", id, got)
		}
	}
	for id, want := range map[string]bool{
		"PAK310080010103": true, "CAN420085031505": true, "CAN420085031506": true, "CAN110019810803": true,
		"can420085031505": false, "CAN42008503150X": false, "CAN4200850315": false, "C1N420085031505": false,
		"CAN4200850315051": false,
	} {
		if got := ValidNumber15(id); got != want {
			t.Errorf("ValidNumber15(%q) = %t", id, got)
		}
	}
}

// setField overwrites a UTF-16 field of a copy of text.
func setField(text []byte, off, n int, s string) []byte {
	t := append([]byte(nil), text...)
	for i := off; i < off+n; i += 2 {
		t[i], t[i+1] = ' ', 0
	}
	for i, u := range utf16.Encode([]rune(s)) {
		t[off+2*i], t[off+2*i+1] = byte(u), byte(u>>8)
	}
	return t
}

func residentText(t *testing.T) []byte {
	r, err := DecodeReply(golden(t, "reply_card_resident"))
	if err != nil {
		t.Fatal(err)
	}
	return r.Data[4 : 4+TextLen]
}

func TestParseTextEdgeCases(t *testing.T) {
	text := residentText(t)
	// NUL padding and a trailing ideographic space are trimmed like spaces.
	nul := append([]byte(nil), text...)
	for i := 6; i < 30; i++ {
		nul[i] = 0
	}
	c, err := ParseText(nul)
	if err != nil || c.Name != "李明华" {
		t.Fatalf("NUL padding: %q, %v", c.Name, err)
	}
	// An unknown 民族 code is kept raw, a wrong check digit is reported.
	c, err = ParseText(setField(setField(text, 32, 4, "81"), 122, 36, "420702198503151230"))
	if err != nil || c.Nation() != "81" || c.NumberOK {
		t.Fatalf("nation %q number ok %t, %v", c.Nation(), c.NumberOK, err)
	}
	// A rare character outside the BMP survives (surrogate pair).
	c, err = ParseText(setField(text, 0, 30, "李𠀾华"))
	if err != nil || c.Name != "李𠀾华" {
		t.Fatalf("surrogates: %q, %v", c.Name, err)
	}
}

func TestParseTextRefusesMalformed(t *testing.T) {
	text := residentText(t)
	for _, tc := range []struct {
		name string
		text []byte
		msg  string
	}{
		{"short", text[:200], "text block is 200 bytes"},
		{"birth letters", setField(text, 36, 16, "1985031X"), "birth date is not 8 digits"},
		{"birth short", setField(text, 36, 16, "198503"), "birth date is not 8 digits"},
		{"birth 30 Feb", setField(text, 36, 16, "19850230"), "birth date is not a calendar date"},
		{"from month 13", setField(text, 188, 16, "20201315"), "valid-from date is not a calendar date"},
		{"to empty", setField(text, 204, 16, ""), "valid-to date is not 8 digits"},
		{"to 长", setField(text, 204, 16, "长"), "valid-to date"},
		{"no number", setField(text, 122, 36, ""), "ID number is empty"},
		{"no name", setField(text, 0, 30, ""), "name is empty"},
	} {
		c, err := ParseText(tc.text)
		if c != nil || !errors.Is(err, ErrBadText) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.msg)
		}
		// The message names the field, never the content.
		if err != nil && (strings.Contains(err.Error(), "李明华") || strings.Contains(err.Error(), "19850315")) {
			t.Errorf("%s: personal data in %q", tc.name, err)
		}
	}
}

func TestParseReadReplyRefusesOtherReplies(t *testing.T) {
	for _, tc := range []struct {
		golden string
		err    error
		msg    string
	}{
		{"reply_find_ok", ErrNotCardReply, "status 9F with 4 data bytes (looks like a find-card reply)"},
		{"reply_select_ok", ErrNotCardReply, "select-card reply"},
		{"reply_sam_id", ErrNotCardReply, "SAM ID reply"},
		{"reply_address", ErrNotCardReply, "appended-address reply"},
		{"reply_ok", ErrNotCardReply, "status-only"},
		{"reply_no_card", ErrNoCard, "status 80 (寻找证/卡失败)"},
		{"reply_read_failed", ErrReadFailed, "status 41 (读证/卡操作失败)"},
	} {
		r, err := DecodeReply(golden(t, tc.golden))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := ParseReadReply(r); !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %q", tc.golden, err, tc.msg)
		}
	}
	// Length words that disagree with the frame, or a text that is not 256 bytes.
	r, _ := DecodeReply(golden(t, "reply_card_resident"))
	d := append([]byte(nil), r.Data...)
	d[0], d[1] = 0x00, 0xFF // text 255 bytes: the words no longer add up
	if _, _, err := ParseReadReply(Reply{SW3: StatusOK, Data: d}); !errors.Is(err, ErrNotCardReply) {
		t.Errorf("inconsistent words: %v", err)
	}
	d = append([]byte{0x00, 0xF0, 0x04, 0x10}, r.Data[4:]...) // 240 + 1040
	if _, _, err := ParseReadReply(Reply{SW3: StatusOK, Data: d}); !errors.Is(err, ErrReplyLength) {
		t.Errorf("text of 240 bytes: %v", err)
	}
}

func TestAppendedAddress(t *testing.T) {
	r, err := DecodeReply(golden(t, "reply_address"))
	if err != nil {
		t.Fatal(err)
	}
	addr, err := ParseAddress(r.Data)
	if err != nil || addr != "湖北省鄂州市梁子湖区太和镇新街9号" {
		t.Fatalf("%q, %v", addr, err)
	}
	c := wantCards["reply_card_resident"]
	c.ApplyAddress("  ")
	if c.AddressAppended || c.Address != c.PrintedAddress {
		t.Fatal("a blank appended address replaced the address")
	}
	c.ApplyAddress(addr)
	if !c.AddressAppended || c.Address != addr || c.PrintedAddress != "湖北省鄂州市梁子湖区太和镇幸福路88号" {
		t.Fatalf("applied: %q / %q", c.Address, c.PrintedAddress)
	}
	if _, err := ParseAddress(make([]byte, 71)); !errors.Is(err, ErrReplyLength) {
		t.Fatalf("odd length: %v", err)
	}
}

func TestSAMID(t *testing.T) {
	r, err := DecodeReply(golden(t, "reply_sam_id"))
	if err != nil {
		t.Fatal(err)
	}
	id, err := ParseSAMID(r.Data)
	if err != nil || id != "05.01-20101025-0000123456-0123456789" {
		t.Fatalf("%q, %v", id, err)
	}
	if _, err := ParseSAMID(r.Data[:15]); !errors.Is(err, ErrReplyLength) {
		t.Fatalf("short SAM ID: %v", err)
	}
}

// A Card never prints or logs personal data, whatever the verb or logger.
func TestCardDoesNotLeak(t *testing.T) {
	for name, c := range wantCards {
		c.Photo = []byte{1, 2, 3}
		var out bytes.Buffer
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			fmt.Fprintf(&out, verb+"\n", c)
			fmt.Fprintf(&out, verb+"\n", &c)
		}
		fmt.Fprintln(&out, c, &c, []*Card{&c}, struct{ C Card }{c})
		log := slog.New(slog.NewJSONHandler(&out, nil))
		log.Info("read", "card", c, "ptr", &c)
		slog.New(slog.NewTextHandler(&out, nil)).Info("read", "card", &c)
		s := out.String()
		for _, secret := range []string{c.Name, c.EnglishName, c.IDNumber, c.Address, c.Birth.String(), c.PassNumber, c.Authority, "19850315", "1985-03-15"} {
			if secret != "" && strings.Contains(s, secret) {
				t.Errorf("%s: %q leaked in:\n%s", name, secret, s)
			}
		}
		if !strings.Contains(s, `"type":"`+c.Type.String()+`"`) {
			t.Errorf("%s: the log lacks the type:\n%s", name, s)
		}
	}
	var js map[string]any
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "card", wantCards["reply_card_resident"])
	if err := json.Unmarshal(buf.Bytes(), &js); err != nil {
		t.Fatal(err)
	}
}
