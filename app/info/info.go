// Package info is the kiosk's public information (信息公开): for each utility its tariffs
// with their tier tables (阶梯电价 / 水价 / 气价), fee items and standards, process guides,
// service commitments, the distribution network's access limits (接入容量), outage notices
// and hotlines. Each utility's content is one TOML file (assets/info/<utility>.toml),
// which the utility will later push as a signed bundle; Parse reads one from bytes.
//
// Screens show it page by page: Document turns a utility's content into Pages of
// Sections (a heading, paragraphs, a bulleted list, a table with header and rows), and
// leaves out outage notices that have expired or are not yet published.
package info

import (
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/app/bitext"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/workdays"
	"github.com/liangzihu/kiosk/assets"
)

// Content is one utility's public information.
type Content struct {
	Utility string // electricity, water, gas, broadband
	Title   bitext.Text
	Version string
	// Updated is the date the utility last revised the content.
	Updated  time.Time
	Tariffs  []Tariff
	Pages    []Page // the utility's own pages: fees, guides, commitments, …
	Access   []Access
	Notices  []Notice
	Hotlines []Hotline
	File     string
}

// Tariff is a price list, tiered (阶梯) or flat (one tier).
type Tariff struct {
	ID   string
	Name bitext.Text
	// Unit is the price unit (元/千瓦时); UsageUnit the unit of use (千瓦时); UsageName
	// what is measured (用电量).
	Unit, UsageUnit, UsageName bitext.Text
	// Period is "year" or "month": tier thresholds count use over that period.
	Period string
	Tiers  []Tier
	Note   bitext.Text
}

// Tier is one tier of a tariff. UpTo is the highest use in the tier (in UsageUnit per
// Period), 0 for the last tier; Price is in 1/10000 yuan (0.5580 元 is 5580) and PriceText
// the price as the file writes it ("0.5580", "2.10"), which is how it is shown.
type Tier struct {
	UpTo      int64
	Price     int64
	PriceText string
}

// Access is the state of one area's distribution network (接入容量, 受限区域).
type Access struct {
	Area, Substation bitext.Text
	// Capacity is the capacity still open to new connections, in MVA, as written ("12.5").
	Capacity string
	// Status is AccessOpen, AccessLimited or AccessClosed.
	Status string
	Note   bitext.Text
}

// Access statuses.
const (
	AccessOpen    = "open"    // 可开放
	AccessLimited = "limited" // 受限
	AccessClosed  = "closed"  // 暂停接入
)

// Notice is a dated notice: a planned outage (计划停电 / 停水 / 停气), network
// maintenance, or another announcement.
type Notice struct {
	ID     string
	Kind   string // NoticeOutage, NoticeMaintenance, NoticeGeneral
	Title  bitext.Text
	Area   bitext.Text
	Reason bitext.Text
	// Start and End bound the outage; the notice is shown from Publish (when set) until End.
	Start, End, Publish time.Time
}

// Notice kinds.
const (
	NoticeOutage      = "outage"
	NoticeMaintenance = "maintenance"
	NoticeGeneral     = "notice"
)

// Visible reports whether the notice is shown at now: published and not yet over.
func (n Notice) Visible(now time.Time) bool {
	return (n.Publish.IsZero() || !now.Before(n.Publish)) && now.Before(n.End)
}

// Hotline is a telephone number with what it is for and when it answers.
type Hotline struct {
	Number string
	Label  bitext.Text
	Hours  bitext.Text
}

// Page is one screenful-or-more of information with a title. Screens split long pages
// between sections.
type Page struct {
	ID       string
	Title    bitext.Text
	Sections []Section
}

// Section is a heading and its content: paragraphs, a bulleted list and a table, each
// optional but not all empty.
type Section struct {
	Heading    bitext.Text
	Paragraphs []bitext.Text
	Items      []bitext.Text
	Table      *Table
}

// Table is a header and rows of the same width.
type Table struct {
	Header []bitext.Text
	Rows   [][]bitext.Text
}

// Set is the public information of every utility. It is immutable.
type Set struct {
	Utilities []*Content // in display order
}

// File is one utility's information file.
type File struct {
	Name string
	Data []byte
}

// Default returns the information shipped with the kiosk (assets/info/).
func Default() (*Set, error) { return LoadFS(assets.Info) }

// LoadFS reads every *.toml file at the root of fsys.
func LoadFS(fsys fs.FS) (*Set, error) {
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, fmt.Errorf("info: %w", err)
	}
	var files []File
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("info: %w", err)
		}
		files = append(files, File{Name: n, Data: data})
	}
	return Load(files)
}

// Load parses one file per utility.
func Load(files []File) (*Set, error) {
	s := &Set{}
	for _, f := range files {
		c, err := Parse(f.Data, f.Name)
		if err != nil {
			return nil, err
		}
		if old, ok := s.Utility(c.Utility); ok {
			return nil, fmt.Errorf("info: %s: utility %q is already defined by %s", f.Name, c.Utility, old.File)
		}
		s.Utilities = append(s.Utilities, c)
	}
	if len(s.Utilities) == 0 {
		return nil, fmt.Errorf("info: no utility file")
	}
	s.sort()
	return s, nil
}

func (s *Set) sort() {
	sort.SliceStable(s.Utilities, func(i, j int) bool {
		return slices.Index(config.UtilityIDs, s.Utilities[i].Utility) < slices.Index(config.UtilityIDs, s.Utilities[j].Utility)
	})
}

// Utility returns a utility's content.
func (s *Set) Utility(id string) (*Content, bool) {
	for _, c := range s.Utilities {
		if c.Utility == id {
			return c, true
		}
	}
	return nil, false
}

// With returns a new set in which c replaces (or adds) its utility's content: how a
// utility's pushed bundle is taken in. The receiver is unchanged.
func (s *Set) With(c *Content) *Set {
	out := &Set{}
	for _, old := range s.Utilities {
		if old.Utility != c.Utility {
			out.Utilities = append(out.Utilities, old)
		}
	}
	out.Utilities = append(out.Utilities, c)
	out.sort()
	return out
}

// Hotlines returns every utility's hotlines, in utility order, each number once.
func (s *Set) Hotlines() []Hotline {
	var out []Hotline
	seen := map[string]bool{}
	for _, c := range s.Utilities {
		for _, h := range c.Hotlines {
			if !seen[h.Number] {
				seen[h.Number] = true
				out = append(out, h)
			}
		}
	}
	return out
}

// VisibleNotices returns the notices shown at now, soonest first.
func (c *Content) VisibleNotices(now time.Time) []Notice {
	var out []Notice
	for _, n := range c.Notices {
		if n.Visible(now) {
			out = append(out, n)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// Price writes a price in 1/10000 yuan with four decimals: 5580 → "0.5580".
func Price(p int64) string { return fmt.Sprintf("%d.%04d", p/10000, p%10000) }

var tierNames = []string{"第一档", "第二档", "第三档", "第四档", "第五档", "第六档"}

// Document is the utility's content as pages, in this order: tariffs (when there are
// any), the utility's own pages, access limits (when given), notices shown at now, and
// hotlines.
func (c *Content) Document(now time.Time) []Page {
	var pages []Page
	if len(c.Tariffs) > 0 {
		p := Page{ID: "tariffs", Title: tariffTitle(c.Utility)}
		for _, t := range c.Tariffs {
			p.Sections = append(p.Sections, t.section())
		}
		pages = append(pages, p)
	}
	pages = append(pages, c.Pages...)
	if len(c.Access) > 0 {
		t := &Table{Header: []bitext.Text{
			bitext.New("区域", "Area"), bitext.New("变电站", "Substation"),
			bitext.New("可开放容量（兆伏安）", "Open capacity (MVA)"), bitext.New("状态", "Status"), bitext.New("说明", "Note"),
		}}
		for _, a := range c.Access {
			t.Rows = append(t.Rows, []bitext.Text{a.Area, a.Substation, bitext.New(a.Capacity, a.Capacity), accessNames[a.Status], a.Note})
		}
		pages = append(pages, Page{ID: "access", Title: bitext.New("配电网接入容量", "Grid capacity for new connections"), Sections: []Section{{
			Heading:    bitext.New("各区域可开放容量与受限情况", "Open capacity and limits by area"),
			Paragraphs: []bitext.Text{bitext.New("受限区域新增大容量用电，须待配套电网工程完成；具体以现场勘查和供电方案为准。", "In limited areas large new loads wait for grid works; the site survey and supply plan decide.")},
			Table:      t,
		}}})
	}
	notices := Page{ID: "notices", Title: noticeTitle(c.Utility)}
	for _, n := range c.VisibleNotices(now) {
		heading := n.Title
		if !now.Before(n.Start) {
			// Under way: a citizen whose power is off now finds why at once.
			heading = bitext.New(n.Title.ZH+"（正在进行）", n.Title.In(i18n.EN)+" (now under way)")
		}
		sec := Section{Heading: heading, Items: []bitext.Text{
			bitext.New("时间："+span(n.Start, n.End, i18n.ZH), "When: "+span(n.Start, n.End, i18n.EN)),
			bitext.New("范围："+n.Area.ZH, "Where: "+n.Area.In(i18n.EN)),
		}}
		if n.Reason.ZH != "" {
			sec.Items = append(sec.Items, bitext.New("原因："+n.Reason.ZH, "Why: "+n.Reason.In(i18n.EN)))
		}
		notices.Sections = append(notices.Sections, sec)
	}
	if len(notices.Sections) == 0 {
		notices.Sections = []Section{{Heading: notices.Title, Paragraphs: []bitext.Text{noNotice(c.Utility)}}}
	}
	pages = append(pages, notices)
	hl := Page{ID: "hotlines", Title: bitext.New("服务热线", "Hotlines")}
	t := &Table{Header: []bitext.Text{bitext.New("电话", "Number"), bitext.New("用途", "For"), bitext.New("服务时间", "Hours")}}
	for _, h := range c.Hotlines {
		t.Rows = append(t.Rows, []bitext.Text{bitext.New(h.Number, h.Number), h.Label, h.Hours})
	}
	hl.Sections = []Section{{Heading: c.Title, Table: t}}
	return append(pages, hl)
}

var accessNames = map[string]bitext.Text{
	AccessOpen:    bitext.New("可开放", "open"),
	AccessLimited: bitext.New("受限", "limited"),
	AccessClosed:  bitext.New("暂停接入", "closed"),
}

// utilityWords are the titles of a utility's prices and notices pages, and what its
// notices page says with none to show.
var utilityWords = map[string]struct{ prices, notices, none bitext.Text }{
	"electricity": {bitext.New("电价", "Electricity prices"), bitext.New("停电通知", "Power cuts"),
		bitext.New("目前没有计划停电的通知。", "No planned power cuts at present.")},
	"water": {bitext.New("水价", "Water prices"), bitext.New("停水通知", "Water cuts"),
		bitext.New("目前没有计划停水的通知。", "No planned water cuts at present.")},
	"gas": {bitext.New("气价", "Gas prices"), bitext.New("停气通知", "Gas cuts"),
		bitext.New("目前没有计划停气的通知。", "No planned gas cuts at present.")},
	"broadband": {bitext.New("资费", "Prices"), bitext.New("维护通知", "Maintenance"),
		bitext.New("目前没有网络维护的通知。", "No network maintenance planned at present.")},
}

func tariffTitle(utility string) bitext.Text { return utilityWords[utility].prices }

func noticeTitle(utility string) bitext.Text { return utilityWords[utility].notices }

// noNotice is what a utility's notices page says when it has none to show.
func noNotice(utility string) bitext.Text { return utilityWords[utility].none }

// span writes a period: 2026年12月2日（周三）08:30 至 17:30, or with both dates when it
// runs over midnight.
func span(a, b time.Time, lang i18n.Lang) string {
	a, b = a.In(workdays.CST), b.In(workdays.CST)
	to := " 至 "
	if lang == i18n.EN {
		to = " to "
	}
	s := workdays.FormatDate(a, lang) + " " + a.Format("15:04") + to
	if a.Year() != b.Year() || a.YearDay() != b.YearDay() {
		s += workdays.FormatDate(b, lang) + " "
	}
	return s + b.Format("15:04")
}

func (t Tariff) section() Section {
	unit := "（" + t.Unit.ZH + "）"
	unitEN := " (" + t.Unit.In(i18n.EN) + ")"
	sec := Section{Heading: t.Name}
	if t.Note.ZH != "" {
		sec.Paragraphs = []bitext.Text{t.Note}
	}
	if len(t.Tiers) == 1 {
		sec.Table = &Table{
			Header: []bitext.Text{bitext.New("价格"+unit, "Price"+unitEN)},
			Rows:   [][]bitext.Text{{bitext.New(t.Tiers[0].PriceText, t.Tiers[0].PriceText)}},
		}
		return sec
	}
	per, perEN := "年", "year"
	if t.Period == "month" {
		per, perEN = "月", "month"
	}
	sec.Table = &Table{Header: []bitext.Text{
		bitext.New("档位", "Tier"),
		bitext.New(per+t.UsageName.ZH+"（"+t.UsageUnit.ZH+"）", t.UsageName.In(i18n.EN)+" per "+perEN+" ("+t.UsageUnit.In(i18n.EN)+")"),
		bitext.New("价格"+unit, "Price"+unitEN),
	}}
	from := int64(0)
	for i, tier := range t.Tiers {
		var rng bitext.Text
		switch {
		case tier.UpTo == 0:
			n := strconv.FormatInt(from, 10)
			rng = bitext.New(n+" 及以上", n+" and above")
		default:
			r := strconv.FormatInt(from, 10) + "–" + strconv.FormatInt(tier.UpTo, 10)
			rng = bitext.New(r, r)
		}
		p := tier.PriceText
		sec.Table.Rows = append(sec.Table.Rows, []bitext.Text{bitext.New(tierNames[i], "Tier "+strconv.Itoa(i+1)), rng, bitext.New(p, p)})
		from = tier.UpTo + 1
	}
	return sec
}

// Lines writes a page as plain text lines in one language (tables as rows of cells
// separated by " | "), for tests, logs and text-only displays.
func (p Page) Lines(lang i18n.Lang) []string {
	out := []string{p.Title.In(lang)}
	for _, s := range p.Sections {
		out = append(out, "## "+s.Heading.In(lang))
		for _, para := range s.Paragraphs {
			out = append(out, para.In(lang))
		}
		for _, it := range s.Items {
			out = append(out, "• "+it.In(lang))
		}
		if s.Table != nil {
			out = append(out, row(s.Table.Header, lang))
			for _, r := range s.Table.Rows {
				out = append(out, row(r, lang))
			}
		}
	}
	return out
}

func row(cells []bitext.Text, lang i18n.Lang) string {
	s := make([]string, len(cells))
	for i, c := range cells {
		s[i] = c.In(lang)
	}
	return strings.Join(s, " | ")
}
