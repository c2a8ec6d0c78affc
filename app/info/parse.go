package info

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/liangzihu/kiosk/app/bitext"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/tomlpos"
	"github.com/liangzihu/kiosk/app/workdays"
)

type rawContent struct {
	Utility string   `toml:"utility"`
	Title   string   `toml:"title"`
	TitleEN string   `toml:"title_en"`
	Version string   `toml:"version"`
	Updated tomlTime `toml:"updated"`
	Tariff  []struct {
		ID          string `toml:"id"`
		Name        string `toml:"name"`
		NameEN      string `toml:"name_en"`
		Unit        string `toml:"unit"`
		UnitEN      string `toml:"unit_en"`
		UsageName   string `toml:"usage_name"`
		UsageNameEN string `toml:"usage_name_en"`
		UsageUnit   string `toml:"usage_unit"`
		UsageUnitEN string `toml:"usage_unit_en"`
		Period      string `toml:"period"`
		Note        string `toml:"note"`
		NoteEN      string `toml:"note_en"`
		Tiers       []struct {
			UpTo  int64  `toml:"upto"`
			Price string `toml:"price"`
		} `toml:"tiers"`
	} `toml:"tariff"`
	Page []struct {
		ID      string `toml:"id"`
		Title   string `toml:"title"`
		TitleEN string `toml:"title_en"`
		Section []struct {
			Heading   string   `toml:"heading"`
			HeadingEN string   `toml:"heading_en"`
			Text      string   `toml:"text"`
			TextEN    string   `toml:"text_en"`
			Items     []string `toml:"items"`
			ItemsEN   []string `toml:"items_en"`
			Table     *struct {
				Header   []string   `toml:"header"`
				HeaderEN []string   `toml:"header_en"`
				Rows     [][]string `toml:"rows"`
				RowsEN   [][]string `toml:"rows_en"`
			} `toml:"table"`
		} `toml:"section"`
	} `toml:"page"`
	Access []struct {
		Area         string `toml:"area"`
		AreaEN       string `toml:"area_en"`
		Substation   string `toml:"substation"`
		SubstationEN string `toml:"substation_en"`
		Capacity     string `toml:"capacity_mva"`
		Status       string `toml:"status"`
		Note         string `toml:"note"`
		NoteEN       string `toml:"note_en"`
	} `toml:"access"`
	Notice []struct {
		ID       string   `toml:"id"`
		Kind     string   `toml:"kind"`
		Title    string   `toml:"title"`
		TitleEN  string   `toml:"title_en"`
		Area     string   `toml:"area"`
		AreaEN   string   `toml:"area_en"`
		Reason   string   `toml:"reason"`
		ReasonEN string   `toml:"reason_en"`
		Start    tomlTime `toml:"start"`
		End      tomlTime `toml:"end"`
		Publish  tomlTime `toml:"publish"`
	} `toml:"notice"`
	Hotline []struct {
		Number  string `toml:"number"`
		Label   string `toml:"label"`
		LabelEN string `toml:"label_en"`
		Hours   string `toml:"hours"`
		HoursEN string `toml:"hours_en"`
	} `toml:"hotline"`
}

// tomlTime is a TOML date or date-time; one without an offset is read in CST.
type tomlTime struct{ time.Time }

// UnmarshalTOML accepts TOML dates and date-times (not strings).
func (t *tomlTime) UnmarshalTOML(v any) error {
	x, ok := v.(time.Time)
	if !ok {
		return fmt.Errorf("write a date-time like 2026-12-02T08:30:00+08:00 (without quotes), not %T %v", v, v)
	}
	switch x.Location().String() {
	case "datetime-local", "date-local":
		x = time.Date(x.Year(), x.Month(), x.Day(), x.Hour(), x.Minute(), x.Second(), x.Nanosecond(), workdays.CST)
	}
	t.Time = x
	return nil
}

// Limits of the content.
const (
	maxTiers       = 6 // tierNames has six names
	longestOutage  = 30 * 24 * time.Hour
	maxTableWidth  = 8
	maxPriceDigits = 4
)

var (
	idRE       = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
	noticeIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	priceRE    = regexp.MustCompile(`^(\d{1,4})\.(\d{1,4})$|^(\d{1,4})$`)
	capacityRE = regexp.MustCompile(`^\d{1,6}(\.\d{1,2})?$`)
)

// Parse reads one utility's information from TOML text (name is used in messages).
// Malformed content is refused with a *tomlpos.Error naming the file, the line and the key.
func Parse(data []byte, name string) (*Content, error) {
	var raw rawContent
	_, ix, err := tomlpos.Decode(data, name, &raw)
	if err != nil {
		return nil, fmt.Errorf("info: %w", err)
	}
	fail := func(path, format string, args ...any) (*Content, error) {
		return nil, fmt.Errorf("info: %w", &tomlpos.Error{File: name, Line: ix.Line(path), Key: path, Msg: fmt.Sprintf(format, args...)})
	}
	tx := func(zh, en string) bitext.Text { return bitext.New(strings.TrimSpace(zh), strings.TrimSpace(en)) }
	both := func(t bitext.Text) bool { return t.ZH != "" && t.EN != "" }
	// pair: English is optional where content is long, but never without the Chinese.
	pair := func(t bitext.Text) bool { return t.ZH != "" || t.EN == "" }
	if p, n, most := tomlpos.LongText(&raw, bitext.Limit); p != "" {
		return fail(p, "%d characters, at most %d: a text this long cannot be shown on the kiosk's screen; shorten it", n, most)
	}
	c := &Content{Utility: raw.Utility, Title: tx(raw.Title, raw.TitleEN), Version: strings.TrimSpace(raw.Version), Updated: raw.Updated.Time, File: name}
	if !slices.Contains(config.UtilityIDs, c.Utility) {
		return fail("utility", "%q is not a utility; known: %s", c.Utility, strings.Join(config.UtilityIDs, ", "))
	}
	if !both(c.Title) {
		return fail("title", "needs title and title_en")
	}
	if c.Version == "" {
		return fail("version", "must not be empty")
	}
	if c.Updated.IsZero() {
		return fail("updated", "give the date the content was last revised (updated = 2026-11-20)")
	}
	for i, rt := range raw.Tariff {
		p := fmt.Sprintf("tariff[%d]", i)
		t := Tariff{ID: rt.ID, Name: tx(rt.Name, rt.NameEN), Unit: tx(rt.Unit, rt.UnitEN), UsageUnit: tx(rt.UsageUnit, rt.UsageUnitEN),
			UsageName: tx(rt.UsageName, rt.UsageNameEN), Period: rt.Period, Note: tx(rt.Note, rt.NoteEN)}
		if !idRE.MatchString(t.ID) {
			return fail(p+".id", "%q is not an ID (lower-case letters, digits, _ and -)", t.ID)
		}
		for _, o := range c.Tariffs {
			if o.ID == t.ID {
				return fail(p+".id", "tariff %q is defined twice", t.ID)
			}
		}
		if !both(t.Name) || !both(t.Unit) {
			return fail(p, "tariff %q needs name, name_en, unit and unit_en", t.ID)
		}
		if !pair(t.Note) {
			return fail(p+".note_en", "note_en without note")
		}
		if len(rt.Tiers) == 0 || len(rt.Tiers) > maxTiers {
			return fail(p+".tiers", "tariff %q has %d tiers; give 1 (a flat price) to %d", t.ID, len(rt.Tiers), maxTiers)
		}
		if len(rt.Tiers) > 1 {
			if t.Period != "year" && t.Period != "month" {
				return fail(p+".period", "a tiered tariff needs period = \"year\" or \"month\" (over which use is counted)")
			}
			if !both(t.UsageName) || !both(t.UsageUnit) {
				return fail(p, "a tiered tariff needs usage_name, usage_name_en, usage_unit and usage_unit_en")
			}
		} else if t.Period != "" {
			return fail(p+".period", "a flat tariff (one tier) has no period")
		}
		for j, rtier := range rt.Tiers {
			tp := fmt.Sprintf("%s.tiers[%d]", p, j)
			m := priceRE.FindStringSubmatch(rtier.Price)
			if m == nil {
				return fail(tp+".price", "%q is not a price in yuan with up to %d decimals (\"0.5580\")", rtier.Price, maxPriceDigits)
			}
			var price int64
			if m[3] != "" {
				y, _ := strconv.ParseInt(m[3], 10, 64)
				price = y * 10000
			} else {
				y, _ := strconv.ParseInt(m[1], 10, 64)
				f, _ := strconv.ParseInt((m[2] + "000")[:4], 10, 64)
				price = y*10000 + f
			}
			if price <= 0 {
				return fail(tp+".price", "a price must be above zero")
			}
			last := j == len(rt.Tiers)-1
			switch {
			case last && rtier.UpTo != 0:
				return fail(tp+".upto", "the last tier has no upper bound; leave upto out")
			case !last && rtier.UpTo <= 0:
				return fail(tp+".upto", "every tier but the last needs upto > 0")
			case j > 0 && !last && rtier.UpTo <= t.Tiers[j-1].UpTo:
				return fail(tp+".upto", "tier %d ends at %d, not above tier %d's %d", j+1, rtier.UpTo, j, t.Tiers[j-1].UpTo)
			case j > 0 && price < t.Tiers[j-1].Price:
				return fail(tp+".price", "tier %d (%s) is cheaper than tier %d (%s)", j+1, Price(price), j, Price(t.Tiers[j-1].Price))
			}
			t.Tiers = append(t.Tiers, Tier{UpTo: rtier.UpTo, Price: price, PriceText: rtier.Price})
		}
		c.Tariffs = append(c.Tariffs, t)
	}
	for i, rp := range raw.Page {
		p := fmt.Sprintf("page[%d]", i)
		pg := Page{ID: rp.ID, Title: tx(rp.Title, rp.TitleEN)}
		if !idRE.MatchString(pg.ID) || slices.Contains([]string{"tariffs", "access", "notices", "hotlines"}, pg.ID) {
			return fail(p+".id", "%q is not a page ID (lower-case letters, digits, _ and -; not tariffs, access, notices or hotlines)", pg.ID)
		}
		for _, o := range c.Pages {
			if o.ID == pg.ID {
				return fail(p+".id", "page %q is defined twice", pg.ID)
			}
		}
		if !both(pg.Title) {
			return fail(p, "page %q needs title and title_en", pg.ID)
		}
		if len(rp.Section) == 0 {
			return fail(p, "page %q has no [[page.section]]", pg.ID)
		}
		for j, rs := range rp.Section {
			sp := fmt.Sprintf("%s.section[%d]", p, j)
			sec := Section{Heading: tx(rs.Heading, rs.HeadingEN)}
			if !both(sec.Heading) {
				return fail(sp, "a section needs heading and heading_en")
			}
			if !pair(tx(rs.Text, rs.TextEN)) {
				return fail(sp+".text_en", "text_en without text")
			}
			zh, en := paragraphs(rs.Text, ""), paragraphs(rs.TextEN, " ")
			if len(en) > 0 && len(en) != len(zh) {
				return fail(sp+".text_en", "text_en has %d paragraphs, text has %d", len(en), len(zh))
			}
			for key, ps := range map[string][]string{"text": zh, "text_en": en} {
				for _, para := range ps {
					if n := utf8.RuneCountInString(para); n > bitext.MaxParagraph {
						return fail(sp+"."+key, "a paragraph of %d characters, at most %d: one this long does not fit on a page of the kiosk's screen; break it with a blank line", n, bitext.MaxParagraph)
					}
				}
			}
			for k, para := range zh {
				t := bitext.Text{ZH: para}
				if len(en) > 0 {
					t.EN = en[k]
				}
				sec.Paragraphs = append(sec.Paragraphs, t)
			}
			if rs.ItemsEN != nil && len(rs.ItemsEN) != len(rs.Items) {
				return fail(sp+".items_en", "items_en has %d items, items has %d", len(rs.ItemsEN), len(rs.Items))
			}
			for k, it := range rs.Items {
				en := ""
				if rs.ItemsEN != nil {
					en = rs.ItemsEN[k]
				}
				if strings.TrimSpace(it) == "" {
					return fail(fmt.Sprintf("%s.items[%d]", sp, k), "an empty item")
				}
				sec.Items = append(sec.Items, tx(it, en))
			}
			if rt := rs.Table; rt != nil {
				tp := sp + ".table"
				w := len(rt.Header)
				if w == 0 || w > maxTableWidth {
					return fail(tp+".header", "a table needs 1 to %d columns", maxTableWidth)
				}
				if len(rt.HeaderEN) != w {
					return fail(tp+".header_en", "header_en needs %d cells like header", w)
				}
				if len(rt.Rows) == 0 {
					return fail(tp+".rows", "a table needs rows")
				}
				if rt.RowsEN != nil && len(rt.RowsEN) != len(rt.Rows) {
					return fail(tp+".rows_en", "rows_en has %d rows, rows has %d", len(rt.RowsEN), len(rt.Rows))
				}
				tbl := &Table{}
				for k := range w {
					tbl.Header = append(tbl.Header, tx(rt.Header[k], rt.HeaderEN[k]))
				}
				for k, r := range rt.Rows {
					if len(r) != w {
						return fail(fmt.Sprintf("%s.rows[%d]", tp, k), "row %d has %d cells; the header has %d", k+1, len(r), w)
					}
					var en []string
					if rt.RowsEN != nil {
						en = rt.RowsEN[k]
						if len(en) != w {
							return fail(fmt.Sprintf("%s.rows_en[%d]", tp, k), "row %d has %d cells; the header has %d", k+1, len(en), w)
						}
					}
					cells := make([]bitext.Text, w)
					for x := range w {
						e := ""
						if en != nil {
							e = en[x]
						}
						cells[x] = tx(r[x], e)
					}
					tbl.Rows = append(tbl.Rows, cells)
				}
				sec.Table = tbl
			}
			if len(sec.Paragraphs) == 0 && len(sec.Items) == 0 && sec.Table == nil {
				return fail(sp, "section %q is empty: give text, items or a table", sec.Heading.ZH)
			}
			pg.Sections = append(pg.Sections, sec)
		}
		c.Pages = append(c.Pages, pg)
	}
	for i, ra := range raw.Access {
		p := fmt.Sprintf("access[%d]", i)
		a := Access{Area: tx(ra.Area, ra.AreaEN), Substation: tx(ra.Substation, ra.SubstationEN), Capacity: ra.Capacity, Status: ra.Status, Note: tx(ra.Note, ra.NoteEN)}
		if !both(a.Area) || !both(a.Substation) {
			return fail(p, "needs area, area_en, substation and substation_en")
		}
		if !capacityRE.MatchString(a.Capacity) {
			return fail(p+".capacity_mva", "%q is not a capacity in MVA (\"12.5\")", a.Capacity)
		}
		if _, ok := accessNames[a.Status]; !ok {
			return fail(p+".status", "%q is not a status; use %q, %q or %q", a.Status, AccessOpen, AccessLimited, AccessClosed)
		}
		if a.Status != AccessOpen && !both(a.Note) {
			return fail(p+".note", "a %s area needs note and note_en saying what is limited", a.Status)
		}
		c.Access = append(c.Access, a)
	}
	for i, rn := range raw.Notice {
		p := fmt.Sprintf("notice[%d]", i)
		n := Notice{ID: rn.ID, Kind: rn.Kind, Title: tx(rn.Title, rn.TitleEN), Area: tx(rn.Area, rn.AreaEN), Reason: tx(rn.Reason, rn.ReasonEN),
			Start: rn.Start.Time, End: rn.End.Time, Publish: rn.Publish.Time}
		if !noticeIDRE.MatchString(n.ID) {
			return fail(p+".id", "%q is not a notice ID (lower-case letters, digits, _ and -)", n.ID)
		}
		for _, o := range c.Notices {
			if o.ID == n.ID {
				return fail(p+".id", "notice %q is defined twice", n.ID)
			}
		}
		if n.Kind != NoticeOutage && n.Kind != NoticeMaintenance && n.Kind != NoticeGeneral {
			return fail(p+".kind", "%q is not a kind; use %q, %q or %q", n.Kind, NoticeOutage, NoticeMaintenance, NoticeGeneral)
		}
		if !both(n.Title) || !both(n.Area) {
			return fail(p, "notice %q needs title, title_en, area and area_en", n.ID)
		}
		if !pair(n.Reason) {
			return fail(p+".reason_en", "reason_en without reason")
		}
		if n.Start.IsZero() || n.End.IsZero() {
			return fail(p+".start", "notice %q needs start and end", n.ID)
		}
		if !n.End.After(n.Start) {
			return fail(p+".end", "notice %q ends (%s) before it starts (%s)", n.ID, n.End.Format(time.RFC3339), n.Start.Format(time.RFC3339))
		}
		if n.End.Sub(n.Start) > longestOutage {
			return fail(p+".end", "notice %q lasts %s; more than 30 days is not a planned outage", n.ID, n.End.Sub(n.Start))
		}
		if !n.Publish.IsZero() && !n.Publish.Before(n.End) {
			return fail(p+".publish", "notice %q would be published after it ends", n.ID)
		}
		c.Notices = append(c.Notices, n)
	}
	for i, rh := range raw.Hotline {
		p := fmt.Sprintf("hotline[%d]", i)
		h := Hotline{Number: rh.Number, Label: tx(rh.Label, rh.LabelEN), Hours: tx(rh.Hours, rh.HoursEN)}
		if h.Number == "" || strings.Trim(h.Number, "0123456789-") != "" {
			return fail(p+".number", "%q is not a telephone number", h.Number)
		}
		if !both(h.Label) || !both(h.Hours) {
			return fail(p, "a hotline needs label, label_en, hours and hours_en")
		}
		c.Hotlines = append(c.Hotlines, h)
	}
	if len(c.Hotlines) == 0 {
		return fail("hotline", "at least one [[hotline]] is required")
	}
	return c, nil
}

// paragraphs splits text at blank lines. Lines of a Chinese paragraph are joined without
// spaces, English ones with a space.
func paragraphs(text, sep string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		var lines []string
		for _, l := range strings.Split(p, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) > 0 {
			out = append(out, strings.Join(lines, sep))
		}
	}
	return out
}
