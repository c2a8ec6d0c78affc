package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/liangzihu/kiosk/app/bitext"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/tomlpos"
	"github.com/liangzihu/kiosk/assets"
)

// Names of the catalogue's shared files; every other *.toml file is a utility's.
const (
	CommonFile    = "common.toml"
	AddressesFile = "addresses.toml"
)

// File is one catalogue file: its name (for messages) and its TOML text.
type File struct {
	Name string
	Data []byte
}

// Error is a broken catalogue definition. Its message names the file, the line, the
// service and the field (where they apply) and what is wrong.
type Error struct {
	File    string
	Line    int
	Service string
	Field   string
	// Item names what else is at fault: `rule "zero_cost"`, `category[2].tile`, ….
	Item string
	Msg  string
}

// Error writes "catalog: file:line: service …: field …: message".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("catalog: ")
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Service != "" {
		fmt.Fprintf(&b, ": service %q", e.Service)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %q", e.Field)
	}
	if e.Item != "" {
		fmt.Fprintf(&b, ": %s", e.Item)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Default returns the catalogue shipped with the kiosk (assets/catalog/).
func Default() (*Catalog, error) { return LoadFS(assets.Catalog) }

// LoadFS reads every *.toml file at the root of fsys.
func LoadFS(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	var files []File
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("catalog: %w", err)
		}
		files = append(files, File{Name: n, Data: data})
	}
	return Load(files)
}

// Load builds a catalogue from its files: common.toml, addresses.toml and one file per
// utility. A broken definition is refused with an *Error.
func Load(files []File) (*Catalog, error) {
	c := &Catalog{common: map[string]*Field{}, categories: map[string]*Category{}, Joints: map[string]*Joint{}}
	var common, addresses *File
	var utilities []File
	for i := range files {
		switch path.Base(files[i].Name) {
		case CommonFile:
			common = &files[i]
		case AddressesFile:
			addresses = &files[i]
		default:
			utilities = append(utilities, files[i])
		}
	}
	if common == nil {
		return nil, &Error{File: CommonFile, Msg: "the catalogue needs its common file"}
	}
	if addresses == nil {
		return nil, &Error{File: AddressesFile, Msg: "the catalogue needs its address lists"}
	}
	if len(utilities) == 0 {
		return nil, &Error{File: "catalog", Msg: "no utility file (electricity.toml, water.toml, …)"}
	}
	if err := c.loadCommon(*common); err != nil {
		return nil, err
	}
	a, err := loadAddresses(*addresses)
	if err != nil {
		return nil, err
	}
	c.Addresses = a
	files2 := map[string]string{}
	for _, f := range utilities {
		u, err := c.loadUtility(f)
		if err != nil {
			return nil, err
		}
		if other, ok := files2[u.ID]; ok {
			return nil, &Error{File: f.Name, Line: 1, Item: "utility", Msg: fmt.Sprintf("utility %q is already defined by %s", u.ID, other)}
		}
		files2[u.ID] = f.Name
		c.Utilities = append(c.Utilities, u)
	}
	sort.SliceStable(c.Utilities, func(i, j int) bool {
		return slices.Index(config.UtilityIDs, c.Utilities[i].ID) < slices.Index(config.UtilityIDs, c.Utilities[j].ID)
	})
	c.files = append([]File(nil), files...)
	return c, nil
}

// ReplaceUtility returns a new catalogue in which one utility's file is replaced (or
// added): how a utility's pushed catalogue is taken in. The receiver is unchanged, and
// nothing is replaced if the new file is refused.
func (c *Catalog) ReplaceUtility(f File) (*Catalog, error) {
	var raw struct {
		Utility string `toml:"utility"`
	}
	// Find which utility the file is for, leniently: Load checks it properly.
	_, _, _ = tomlpos.Decode(f.Data, f.Name, &raw)
	var files []File
	for _, old := range c.files {
		if u, ok := c.utilityOfFile(old.Name); ok && u == raw.Utility {
			continue
		}
		files = append(files, old)
	}
	return Load(append(files, f))
}

func (c *Catalog) utilityOfFile(name string) (string, bool) {
	for _, u := range c.Utilities {
		if u.File == name {
			return u.ID, true
		}
	}
	return "", false
}

var idRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// at builds errors for one file.
type at struct {
	file string
	ix   *tomlpos.Index
}

func (a at) err(path, service, field, item, format string, args ...any) *Error {
	return &Error{File: a.file, Line: a.ix.Line(path), Service: service, Field: field, Item: item, Msg: fmt.Sprintf(format, args...)}
}

func decodeErr(err error) error {
	var te *tomlpos.Error
	if errors.As(err, &te) {
		return &Error{File: te.File, Line: te.Line, Item: te.Key, Msg: te.Msg}
	}
	return fmt.Errorf("catalog: %w", err)
}

func text(zh, en string) bitext.Text {
	return bitext.New(strings.TrimSpace(zh), strings.TrimSpace(en))
}

// both reports whether both languages are given.
func both(t bitext.Text) bool { return t.ZH != "" && t.EN != "" }

type rawHotline struct {
	Number  string `toml:"number"`
	Label   string `toml:"label"`
	LabelEN string `toml:"label_en"`
}

func hotlines(a at, raw []rawHotline, prefix string) ([]Hotline, error) {
	var out []Hotline
	for i, h := range raw {
		p := fmt.Sprintf("%s[%d]", prefix, i)
		if h.Number == "" || strings.Trim(h.Number, "0123456789-") != "" {
			return nil, a.err(p+".number", "", "", p+".number", "%q is not a telephone number", h.Number)
		}
		t := text(h.Label, h.LabelEN)
		if !both(t) {
			return nil, a.err(p, "", "", p, "a hotline needs label and label_en")
		}
		out = append(out, Hotline{Number: h.Number, Label: t})
	}
	return out, nil
}

type rawCommon struct {
	Version string `toml:"version"`
	Joint   map[string]struct {
		Name          string `toml:"name"`
		NameEN        string `toml:"name_en"`
		Description   string `toml:"description"`
		DescriptionEN string `toml:"description_en"`
	} `toml:"joint"`
	Category []struct {
		ID            string `toml:"id"`
		Tile          string `toml:"tile"`
		Name          string `toml:"name"`
		NameEN        string `toml:"name_en"`
		Description   string `toml:"description"`
		DescriptionEN string `toml:"description_en"`
	} `toml:"category"`
	Form struct {
		CommonTitle   string `toml:"common_title"`
		CommonTitleEN string `toml:"common_title_en"`
		Materials     string `toml:"materials"`
		MaterialsEN   string `toml:"materials_en"`
	} `toml:"form"`
	Hotline []rawHotline `toml:"hotline"`
	Field   []rawField   `toml:"field"`
}

func (c *Catalog) loadCommon(f File) error {
	var raw rawCommon
	_, ix, err := tomlpos.Decode(f.Data, f.Name, &raw)
	if err != nil {
		return decodeErr(err)
	}
	a := at{f.Name, ix}
	c.Version = strings.TrimSpace(raw.Version)
	if c.Version == "" {
		return a.err("version", "", "", "version", "must not be empty")
	}
	for _, kind := range []string{JointConnection, JointTransfer} {
		j, ok := raw.Joint[kind]
		if !ok {
			return a.err("joint", "", "", "joint."+kind, "the joint application %q must be described", kind)
		}
		jt := &Joint{Kind: kind, Name: text(j.Name, j.NameEN), Description: text(j.Description, j.DescriptionEN)}
		if !both(jt.Name) || !both(jt.Description) {
			return a.err("joint."+kind, "", "", "joint."+kind, "needs name, name_en, description and description_en")
		}
		c.Joints[kind] = jt
	}
	for kind := range raw.Joint {
		if kind != JointConnection && kind != JointTransfer {
			return a.err("joint."+kind, "", "", "joint."+kind, "unknown joint application; known: %s, %s", JointConnection, JointTransfer)
		}
	}
	for i, rc := range raw.Category {
		p := fmt.Sprintf("category[%d]", i)
		cat := &Category{ID: rc.ID, Tile: rc.Tile, Name: text(rc.Name, rc.NameEN), Description: text(rc.Description, rc.DescriptionEN)}
		if !idRE.MatchString(cat.ID) {
			return a.err(p+".id", "", "", p+".id", "%q is not an ID (lower-case letters, digits and _)", cat.ID)
		}
		if _, dup := c.categories[cat.ID]; dup {
			return a.err(p+".id", "", "", p+".id", "category %q is defined twice", cat.ID)
		}
		if !slices.Contains(config.KnownTiles, cat.Tile) {
			return a.err(p+".tile", "", "", p+".tile", "unknown tile %q; known tiles: %s", cat.Tile, strings.Join(config.KnownTiles, ", "))
		}
		if !both(cat.Name) || !both(cat.Description) {
			return a.err(p, "", "", p, "a category needs name, name_en, description and description_en")
		}
		c.categories[cat.ID] = cat
		c.Categories = append(c.Categories, cat)
	}
	if len(c.Categories) == 0 {
		return a.err("category", "", "", "category", "at least one [[category]] is required")
	}
	c.CommonTitle = text(raw.Form.CommonTitle, raw.Form.CommonTitleEN)
	c.Materials = text(raw.Form.Materials, raw.Form.MaterialsEN)
	if !both(c.CommonTitle) || !both(c.Materials) {
		return a.err("form", "", "", "form", "needs common_title, common_title_en, materials and materials_en")
	}
	if c.Hotlines, err = hotlines(a, raw.Hotline, "hotline"); err != nil {
		return err
	}
	fields, err := c.fields(a, "", "field", raw.Field, nil)
	if err != nil {
		return err
	}
	c.Common = fields
	for _, fd := range fields {
		c.common[fd.ID] = fd
	}
	return nil
}

type rawUtility struct {
	Utility string       `toml:"utility"`
	Name    string       `toml:"name"`
	NameEN  string       `toml:"name_en"`
	Version string       `toml:"version"`
	Hotline []rawHotline `toml:"hotline"`
	Service []rawService `toml:"service"`
}

type rawService struct {
	ID            string   `toml:"id"`
	Name          string   `toml:"name"`
	NameEN        string   `toml:"name_en"`
	Description   string   `toml:"description"`
	DescriptionEN string   `toml:"description_en"`
	Category      string   `toml:"category"`
	Joint         string   `toml:"joint"`
	SettleFirst   bool     `toml:"settle_first"`
	Common        []string `toml:"common"`
	Days          int      `toml:"days"`
	Step          []struct {
		ID            string `toml:"id"`
		Name          string `toml:"name"`
		NameEN        string `toml:"name_en"`
		Description   string `toml:"description"`
		DescriptionEN string `toml:"description_en"`
	} `toml:"step"`
	Field  []rawField `toml:"field"`
	Rule   []rawRule  `toml:"rule"`
	Fee    []rawFee   `toml:"fee"`
	Notice struct {
		Next        string `toml:"next"`
		NextEN      string `toml:"next_en"`
		Note        string `toml:"note"`
		NoteEN      string `toml:"note_en"`
		Materials   string `toml:"materials"`
		MaterialsEN string `toml:"materials_en"`
	} `toml:"notice"`
}

// pathIndex reads the indices of "service[i]" and "service[i].field[j]" at a path's start.
var pathIndex = regexp.MustCompile(`^service\[(\d+)\](?:\.field\[(\d+)\])?`)

// named is the IDs of the service and the field that path (as tomlpos.LongText gives it)
// is in, where it is in one.
func (raw *rawUtility) named(path string) (service, field string) {
	m := pathIndex.FindStringSubmatch(path)
	if m == nil {
		return "", ""
	}
	i, _ := strconv.Atoi(m[1])
	s := raw.Service[i]
	if m[2] != "" {
		j, _ := strconv.Atoi(m[2])
		field = s.Field[j].ID
	}
	return s.ID, field
}

// MaxDays bounds a service's committed working days.
const MaxDays = 365

func (c *Catalog) loadUtility(f File) (*Utility, error) {
	var raw rawUtility
	_, ix, err := tomlpos.Decode(f.Data, f.Name, &raw)
	if err != nil {
		return nil, decodeErr(err)
	}
	a := at{f.Name, ix}
	if p, n, most := tomlpos.LongText(&raw, bitext.Limit); p != "" {
		service, field := raw.named(p)
		return nil, a.err(p, service, field, p, "%d characters, at most %d: a text this long cannot be shown on the kiosk's screen; shorten it", n, most)
	}
	u := &Utility{ID: raw.Utility, Name: text(raw.Name, raw.NameEN), Version: strings.TrimSpace(raw.Version), File: f.Name}
	if !slices.Contains(config.UtilityIDs, u.ID) {
		return nil, a.err("utility", "", "", "utility", "%q is not a utility; known: %s", u.ID, strings.Join(config.UtilityIDs, ", "))
	}
	if !both(u.Name) {
		return nil, a.err("name", "", "", "name", "a utility needs name and name_en")
	}
	if u.Version == "" {
		return nil, a.err("version", "", "", "version", "must not be empty")
	}
	if u.Hotlines, err = hotlines(a, raw.Hotline, "hotline"); err != nil {
		return nil, err
	}
	if len(u.Hotlines) == 0 {
		return nil, a.err("hotline", "", "", "hotline", "at least one [[hotline]] is required (the 一次性告知书 prints it)")
	}
	if len(raw.Service) == 0 {
		return nil, a.err("service", "", "", "service", "the utility has no [[service]]")
	}
	joints := map[string]string{}
	for i, rs := range raw.Service {
		s, err := c.service(a, fmt.Sprintf("service[%d]", i), rs, u)
		if err != nil {
			return nil, err
		}
		if _, dup := u.Service(s.ID); dup {
			return nil, a.err(fmt.Sprintf("service[%d].id", i), s.ID, "", "", "the service ID is used twice")
		}
		if s.Joint != "" {
			if other, ok := joints[s.Joint]; ok {
				return nil, a.err(fmt.Sprintf("service[%d].joint", i), s.ID, "", "", "service %q already takes part in the joint %q; a utility has one service per joint application", other, s.Joint)
			}
			joints[s.Joint] = s.ID
		}
		u.Services = append(u.Services, s)
	}
	return u, nil
}

func (c *Catalog) service(a at, p string, rs rawService, u *Utility) (*Service, error) {
	sid := rs.ID
	fail := func(path, field, item, format string, args ...any) (*Service, error) {
		return nil, a.err(path, sid, field, item, format, args...)
	}
	if !idRE.MatchString(sid) {
		return fail(p+".id", "", "", "%q is not a service ID (lower-case letters, digits and _)", sid)
	}
	s := &Service{ID: sid, Utility: u, Name: text(rs.Name, rs.NameEN), Description: text(rs.Description, rs.DescriptionEN),
		Joint: rs.Joint, SettleFirst: rs.SettleFirst, Days: rs.Days,
		Next: text(rs.Notice.Next, rs.Notice.NextEN), Note: text(rs.Notice.Note, rs.Notice.NoteEN),
		Materials: text(rs.Notice.Materials, rs.Notice.MaterialsEN)}
	if !both(s.Name) || !both(s.Description) {
		return fail(p, "", "", "a service needs name, name_en, description and description_en")
	}
	cat, ok := c.categories[rs.Category]
	if !ok {
		return fail(p+".category", "", "", "unknown category %q (categories are defined in %s)", rs.Category, CommonFile)
	}
	s.Category = cat
	if s.Joint != "" && s.Joint != JointConnection && s.Joint != JointTransfer {
		return fail(p+".joint", "", "", "unknown joint application %q; use %q, %q or leave it out", s.Joint, JointConnection, JointTransfer)
	}
	if len(rs.Step) == 0 {
		return fail(p+".step", "", "", "the service has no steps ([[service.step]])")
	}
	for i, rst := range rs.Step {
		sp := fmt.Sprintf("%s.step[%d]", p, i)
		st := &Step{ID: rst.ID, Name: text(rst.Name, rst.NameEN), Description: text(rst.Description, rst.DescriptionEN)}
		if !idRE.MatchString(st.ID) {
			return fail(sp+".id", "", fmt.Sprintf("step %q", st.ID), "not a step ID (lower-case letters, digits and _)")
		}
		if _, dup := s.Step(st.ID); dup {
			return fail(sp+".id", "", fmt.Sprintf("step %q", st.ID), "the step ID is used twice")
		}
		if !both(st.Name) {
			return fail(sp, "", fmt.Sprintf("step %q", st.ID), "a step needs name and name_en")
		}
		s.Steps = append(s.Steps, st)
	}
	if s.Days < 1 || s.Days > MaxDays {
		return fail(p+".days", "", "", "days = %d: the committed time is 1 to %d working days", s.Days, MaxDays)
	}
	if !both(s.Next) {
		return fail(p+".notice", "", "", "the 一次性告知书 needs [service.notice] next and next_en (what happens next)")
	}
	if (s.Note.ZH == "") != (s.Note.EN == "") || (s.Materials.ZH == "") != (s.Materials.EN == "") {
		return fail(p+".notice", "", "", "notice note and materials need both languages (note_en, materials_en)")
	}
	for i, id := range rs.Common {
		fd, ok := c.common[id]
		if !ok {
			return fail(fmt.Sprintf("%s.common[%d]", p, i), id, "", "unknown common field (common fields are defined in %s)", CommonFile)
		}
		if slices.Contains(s.Common, fd) {
			return fail(fmt.Sprintf("%s.common[%d]", p, i), id, "", "the common field is listed twice")
		}
		s.Common = append(s.Common, fd)
	}
	// Keep common.toml's order, so a joint form asks common fields in one order.
	sort.SliceStable(s.Common, func(i, j int) bool {
		return slices.Index(c.Common, s.Common[i]) < slices.Index(c.Common, s.Common[j])
	})
	fields, err := c.fields(a, sid, p+".field", rs.Field, s.Common)
	if err != nil {
		return nil, err
	}
	s.Fields = fields
	roles := map[Role]string{}
	for _, fd := range append(slices.Clone(s.Common), s.Fields...) {
		if fd.Role == "" {
			continue
		}
		if other, dup := roles[fd.Role]; dup {
			return fail(p, fd.ID, "", "role %q is already the role of field %q", fd.Role, other)
		}
		roles[fd.Role] = fd.ID
	}
	if roles[RoleName] == "" || roles[RoleIDNumber] == "" {
		return fail(p+".common", "", "", "the service must ask for the applicant: a field with role \"name\" and one with role \"id_number\" (usually the common applicant_name and id_number)")
	}
	if (s.SettleFirst || s.Joint == JointTransfer) && roles[RoleAccount] == "" {
		return fail(p+".field", "", "", "a transfer (or settle_first) service needs an account field (role \"account\")")
	}
	sc := scope(s.Common, s.Fields)
	for i, rr := range rs.Rule {
		r, err := s.rule(a, fmt.Sprintf("%s.rule[%d]", p, i), rr, sc)
		if err != nil {
			return nil, err
		}
		s.Rules = append(s.Rules, r)
	}
	// A date that starts at the end of the time limit needs a day to offer whatever the
	// rules make the limit.
	for i, fd := range s.Fields {
		if fd.Earliest != EarliestTimeLimit {
			continue
		}
		longest := s.Days
		for _, r := range s.Rules {
			longest = max(longest, r.Days)
		}
		if float64(longest) > *fd.Max {
			return fail(fmt.Sprintf("%s.field[%d].max", p, i), fd.ID, "", "max = %v: the time limit the dates start from may be %d working days (the service's days or a rule's), so max must be at least that", *fd.Max, longest)
		}
	}
	for i, rf := range rs.Fee {
		fe, err := s.fee(a, fmt.Sprintf("%s.fee[%d]", p, i), rf, sc)
		if err != nil {
			return nil, err
		}
		s.Fees = append(s.Fees, fe)
	}
	return s, nil
}

func scope(lists ...[]*Field) map[string]*Field {
	m := map[string]*Field{}
	for _, l := range lists {
		for _, f := range l {
			m[f.ID] = f
		}
	}
	return m
}

type rawRule struct {
	ID        string         `toml:"id"`
	When      []rawCondition `toml:"when"`
	Steps     []string       `toml:"steps"`
	Days      int            `toml:"days"`
	ZeroCost  bool           `toml:"zero_cost"`
	Message   string         `toml:"message"`
	MessageEN string         `toml:"message_en"`
}

func (s *Service) rule(a at, p string, rr rawRule, sc map[string]*Field) (*Rule, error) {
	item := fmt.Sprintf("rule %q", rr.ID)
	fail := func(path, format string, args ...any) (*Rule, error) {
		return nil, a.err(path, s.ID, "", item, format, args...)
	}
	if !idRE.MatchString(rr.ID) {
		return fail(p+".id", "not a rule ID (lower-case letters, digits and _)")
	}
	for _, r := range s.Rules {
		if r.ID == rr.ID {
			return fail(p+".id", "the rule ID is used twice")
		}
	}
	r := &Rule{ID: rr.ID, Days: rr.Days, ZeroCost: rr.ZeroCost, Message: text(rr.Message, rr.MessageEN)}
	if len(rr.When) == 0 {
		return fail(p+".when", "a rule needs conditions (when = [...]); put unconditional values on the service itself")
	}
	conds, err := conditions(a, p+".when", rr.When, sc, s.ID, item, "")
	if err != nil {
		return nil, err
	}
	r.When = conds
	for i, id := range rr.Steps {
		st, ok := s.Step(id)
		if !ok {
			return fail(fmt.Sprintf("%s.steps[%d]", p, i), "names step %q, which the service does not have", id)
		}
		if slices.Contains(r.Steps, st) {
			return fail(fmt.Sprintf("%s.steps[%d]", p, i), "step %q is listed twice", id)
		}
		r.Steps = append(r.Steps, st)
	}
	if rr.Steps != nil && len(rr.Steps) == 0 {
		return fail(p+".steps", "steps = [] leaves the service without steps")
	}
	if r.Days < 0 || r.Days > MaxDays {
		return fail(p+".days", "days = %d: the committed time is 1 to %d working days", r.Days, MaxDays)
	}
	if (r.Message.ZH == "") != (r.Message.EN == "") {
		return fail(p+".message", "a message needs both message and message_en")
	}
	if r.Steps == nil && r.Days == 0 && !r.ZeroCost && r.Message.ZH == "" {
		return fail(p, "the rule has no effect: give steps, days, zero_cost or a message")
	}
	return r, nil
}

type rawFee struct {
	ID         string         `toml:"id"`
	Name       string         `toml:"name"`
	NameEN     string         `toml:"name_en"`
	Amount     *string        `toml:"amount"`
	Free       bool           `toml:"free"`
	Standard   string         `toml:"standard"`
	StandardEN string         `toml:"standard_en"`
	Unit       string         `toml:"unit"`
	UnitEN     string         `toml:"unit_en"`
	When       []rawCondition `toml:"when"`
}

var amountRE = regexp.MustCompile(`^(\d{1,9})(\.(\d{1,2}))?$`)

func (s *Service) fee(a at, p string, rf rawFee, sc map[string]*Field) (*Fee, error) {
	item := fmt.Sprintf("fee %q", rf.ID)
	fail := func(path, format string, args ...any) (*Fee, error) {
		return nil, a.err(path, s.ID, "", item, format, args...)
	}
	if !idRE.MatchString(rf.ID) {
		return fail(p+".id", "not a fee ID (lower-case letters, digits and _)")
	}
	for _, f := range s.Fees {
		if f.ID == rf.ID {
			return fail(p+".id", "the fee ID is used twice")
		}
	}
	fe := &Fee{ID: rf.ID, Name: text(rf.Name, rf.NameEN), Free: rf.Free, Standard: text(rf.Standard, rf.StandardEN), Unit: text(rf.Unit, rf.UnitEN)}
	if !both(fe.Name) {
		return fail(p, "a fee needs name and name_en")
	}
	kinds := 0
	if rf.Amount != nil {
		kinds++
		m := amountRE.FindStringSubmatch(*rf.Amount)
		if m == nil {
			return fail(p+".amount", "%q is not an amount in yuan (write it like \"120.00\")", *rf.Amount)
		}
		yuan, _ := strconv.ParseInt(m[1], 10, 64)
		fen := int64(0)
		if m[3] != "" {
			fen, _ = strconv.ParseInt((m[3] + "0")[:2], 10, 64)
		}
		fe.Amount = yuan*100 + fen
	}
	if rf.Free {
		kinds++
	}
	if fe.Standard.ZH != "" {
		kinds++
		if fe.Standard.EN == "" {
			return fail(p+".standard", "a standard needs standard_en too")
		}
	}
	if kinds != 1 {
		return fail(p, "give exactly one of amount (\"120.00\"), free = true or standard (a rule such as \"按实际工程量核算\")")
	}
	conds, err := conditions(a, p+".when", rf.When, sc, s.ID, item, "")
	if err != nil {
		return nil, err
	}
	fe.When = conds
	return fe, nil
}

type rawCondition struct {
	Field    string   `toml:"field"`
	Is       *string  `toml:"is"`
	In       []string `toml:"in"`
	Not      *string  `toml:"not"`
	Min      *float64 `toml:"min"`
	Max      *float64 `toml:"max"`
	Above    *float64 `toml:"above"`
	Below    *float64 `toml:"below"`
	Answered *bool    `toml:"answered"`
}

// conditions checks conditions against the fields in scope. self is the field whose
// show_if they are ("" for rules and fees).
func conditions(a at, p string, raw []rawCondition, sc map[string]*Field, service, item, self string) ([]Condition, error) {
	var out []Condition
	for i, rc := range raw {
		cp := fmt.Sprintf("%s[%d]", p, i)
		fail := func(path, format string, args ...any) ([]Condition, error) {
			field := self
			if field == "" {
				field = rc.Field
			}
			return nil, a.err(path, service, field, item, format, args...)
		}
		fd, ok := sc[rc.Field]
		if !ok {
			what := "the service"
			if service == "" {
				what = "the common fields"
			}
			return fail(cp+".field", "the condition names field %q, which %s does not have", rc.Field, what)
		}
		if rc.Field == self {
			return fail(cp+".field", "a field cannot be shown depending on itself")
		}
		strOps := rc.Is != nil || rc.In != nil || rc.Not != nil
		numOps := rc.Min != nil || rc.Max != nil || rc.Above != nil || rc.Below != nil
		if !strOps && !numOps && rc.Answered == nil {
			return fail(cp, "the condition on %q tests nothing: give is, in, not, min, max, above, below or answered", rc.Field)
		}
		if strOps {
			var values []string
			if rc.Is != nil {
				values = append(values, *rc.Is)
			}
			if rc.Not != nil {
				values = append(values, *rc.Not)
			}
			values = append(values, rc.In...)
			switch fd.Type {
			case TypeChoice:
				for _, v := range values {
					if _, ok := fd.Option(v); !ok {
						return fail(cp, "%q is not an option of %q", v, rc.Field)
					}
				}
			case TypeYesNo:
				for _, v := range values {
					if v != "yes" && v != "no" {
						return fail(cp, "%q is not an answer of yes/no field %q; use \"yes\" or \"no\"", v, rc.Field)
					}
				}
			case TypeText, TypeDigits, TypeAccount:
			default:
				return fail(cp, "is, in and not do not apply to %s field %q", fd.Type, rc.Field)
			}
			if rc.In != nil && len(rc.In) == 0 {
				return fail(cp+".in", "in = [] can never hold")
			}
		}
		if numOps {
			if fd.Type != TypeNumber {
				return fail(cp, "min, max, above and below apply to number fields; %q is a %s field", rc.Field, fd.Type)
			}
			lo, hi := rc.Min, rc.Max
			if rc.Above != nil && (lo == nil || *rc.Above > *lo) {
				lo = rc.Above
			}
			if rc.Below != nil && (hi == nil || *rc.Below < *hi) {
				hi = rc.Below
			}
			if lo != nil && hi != nil && *lo > *hi {
				return fail(cp, "the condition on %q can never hold (lower bound %v is above upper bound %v)", rc.Field, *lo, *hi)
			}
		}
		out = append(out, Condition(rc))
	}
	return out, nil
}

type rawField struct {
	ID           string         `toml:"id"`
	Label        string         `toml:"label"`
	LabelEN      string         `toml:"label_en"`
	Help         string         `toml:"help"`
	HelpEN       string         `toml:"help_en"`
	Type         string         `toml:"type"`
	Required     bool           `toml:"required"`
	Role         string         `toml:"role"`
	Source       string         `toml:"source"`
	Options      []rawOption    `toml:"options"`
	Multi        bool           `toml:"multi"`
	Min          *float64       `toml:"min"`
	Max          *float64       `toml:"max"`
	Earliest     string         `toml:"earliest"`
	Decimals     int            `toml:"decimals"`
	Unit         string         `toml:"unit"`
	UnitEN       string         `toml:"unit_en"`
	MinLen       int            `toml:"min_len"`
	MaxLen       int            `toml:"max_len"`
	Pattern      string         `toml:"pattern"`
	PatternMsg   string         `toml:"pattern_msg"`
	PatternMsgEN string         `toml:"pattern_msg_en"`
	DownTo       string         `toml:"down_to"`
	Default      string         `toml:"default"`
	ShowIf       []rawCondition `toml:"show_if"`
}

type rawOption struct {
	Value   string `toml:"value"`
	Label   string `toml:"label"`
	LabelEN string `toml:"label_en"`
	Hint    string `toml:"hint"`
	HintEN  string `toml:"hint_en"`
}

// Limits of field definitions.
const (
	maxLen      = 64
	maxDecimals = 4
	maxDateDays = 60
)

var optionRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// fields checks a list of field definitions. service is "" for the common fields; common
// are the common fields the service uses (their IDs must not be reused).
func (c *Catalog) fields(a at, service, p string, raw []rawField, common []*Field) ([]*Field, error) {
	var out []*Field
	for i, rf := range raw {
		fp := fmt.Sprintf("%s[%d]", p, i)
		fid := rf.ID
		fail := func(path, format string, args ...any) ([]*Field, error) {
			return nil, a.err(path, service, fid, "", format, args...)
		}
		if !idRE.MatchString(fid) {
			return fail(fp+".id", "not a field ID (lower-case letters, digits and _)")
		}
		for _, o := range out {
			if o.ID == fid {
				return fail(fp+".id", "the field ID is used twice")
			}
		}
		if service != "" {
			if _, clash := c.common[fid]; clash {
				return fail(fp+".id", "the ID is a common field's; give the service's own field another ID")
			}
		}
		fd := &Field{ID: fid, Label: text(rf.Label, rf.LabelEN), Help: text(rf.Help, rf.HelpEN), Type: Type(rf.Type),
			Required: rf.Required, Role: Role(rf.Role), Source: rf.Source, Multi: rf.Multi, Min: rf.Min, Max: rf.Max, Earliest: rf.Earliest,
			Decimals: rf.Decimals, Unit: text(rf.Unit, rf.UnitEN), MinLen: rf.MinLen, MaxLen: rf.MaxLen,
			PatternMsg: text(rf.PatternMsg, rf.PatternMsgEN), Default: rf.Default, DownTo: LevelRoom}
		if !both(fd.Label) {
			return fail(fp+".label", "a field needs label and label_en")
		}
		if (fd.Help.ZH == "") != (fd.Help.EN == "") {
			return fail(fp+".help", "help needs both help and help_en")
		}
		if !slices.Contains(types, fd.Type) {
			names := make([]string, len(types))
			for i, t := range types {
				names[i] = string(t)
			}
			return fail(fp+".type", "unknown field type %q; known types: %s", rf.Type, strings.Join(names, ", "))
		}
		if fd.Role != "" && !slices.Contains(roles, fd.Role) {
			names := make([]string, len(roles))
			for i, r := range roles {
				names[i] = string(r)
			}
			return fail(fp+".role", "unknown role %q; known roles: %s", rf.Role, strings.Join(names, ", "))
		}
		// Attributes of one type set on another are mistakes, not decoration.
		for _, x := range []struct {
			set   bool
			key   string
			types []Type
		}{
			{rf.Source != "", "source", []Type{TypeIDCard}},
			{rf.Options != nil, "options", []Type{TypeChoice}},
			{rf.Multi, "multi", []Type{TypeChoice}},
			{rf.Min != nil || rf.Max != nil, "min/max", []Type{TypeNumber, TypeDate}},
			{rf.Earliest != "", "earliest", []Type{TypeDate}},
			{rf.Decimals != 0, "decimals", []Type{TypeNumber}},
			{rf.Unit != "" || rf.UnitEN != "", "unit", []Type{TypeNumber}},
			{rf.MinLen != 0 || rf.MaxLen != 0, "min_len/max_len", []Type{TypeText, TypeDigits, TypeAccount}},
			{rf.Pattern != "", "pattern", []Type{TypeText, TypeDigits, TypeAccount}},
			{rf.DownTo != "", "down_to", []Type{TypeAddress}},
		} {
			if x.set && !slices.Contains(x.types, fd.Type) {
				return fail(fp+"."+strings.Split(x.key, "/")[0], "%s does not apply to a %s field", x.key, fd.Type)
			}
		}
		switch fd.Type {
		case TypeIDCard:
			if fd.Source != SourceName && fd.Source != SourceIDNumber {
				return fail(fp+".source", "an idcard field needs source = %q or %q", SourceName, SourceIDNumber)
			}
			if fd.Default != "" {
				return fail(fp+".default", "an idcard field is read from the card; it has no default")
			}
			fd.Required = true
		case TypeChoice:
			if len(rf.Options) < 2 {
				return fail(fp+".options", "a choice needs at least two options (it has %d)", len(rf.Options))
			}
			for j, ro := range rf.Options {
				op := fmt.Sprintf("%s.options[%d]", fp, j)
				o := Option{Value: ro.Value, Label: text(ro.Label, ro.LabelEN), Hint: text(ro.Hint, ro.HintEN)}
				if !optionRE.MatchString(o.Value) {
					return fail(op+".value", "option value %q must be letters, digits, _ or -", o.Value)
				}
				if _, dup := fd.Option(o.Value); dup {
					return fail(op+".value", "option value %q is used twice", o.Value)
				}
				if !both(o.Label) {
					return fail(op, "option %q needs label and label_en", o.Value)
				}
				if (o.Hint.ZH == "") != (o.Hint.EN == "") {
					return fail(op, "option %q: hint needs both hint and hint_en", o.Value)
				}
				fd.Options = append(fd.Options, o)
			}
		case TypeNumber:
			if fd.Min != nil && fd.Max != nil && *fd.Min > *fd.Max {
				return fail(fp+".min", "min %v is greater than max %v", *fd.Min, *fd.Max)
			}
			if fd.Decimals < 0 || fd.Decimals > maxDecimals {
				return fail(fp+".decimals", "decimals = %d: use 0 to %d", fd.Decimals, maxDecimals)
			}
			if fd.Min != nil && *fd.Min < 0 {
				return fail(fp+".min", "numbers are typed on a keypad without a minus sign; min must be ≥ 0")
			}
		case TypeDate:
			switch {
			case fd.Earliest != "" && fd.Earliest != EarliestTimeLimit:
				return fail(fp+".earliest", "earliest = %q: the only one is %q (the day the service's committed time limit ends)", fd.Earliest, EarliestTimeLimit)
			case fd.Earliest != "" && service == "":
				return fail(fp+".earliest", "a common field belongs to no service, so it has no time limit to start from")
			case fd.Earliest != "" && fd.Min != nil:
				return fail(fp+".min", "min and earliest both say where the dates start: give one")
			case fd.Earliest != "" && fd.Max == nil:
				return fail(fp+".max", "a date field needs max (working days from today)")
			case fd.Earliest != "":
				if *fd.Max > maxDateDays || *fd.Max != float64(int(*fd.Max)) {
					return fail(fp+".max", "max is whole working days from today, at most %d", maxDateDays)
				}
			case fd.Min == nil || fd.Max == nil:
				return fail(fp+".min", "a date field needs min and max (working days from today), or earliest = %q and max", EarliestTimeLimit)
			case *fd.Min < 0 || *fd.Max > maxDateDays || *fd.Min > *fd.Max || *fd.Min != float64(int(*fd.Min)) || *fd.Max != float64(int(*fd.Max)):
				return fail(fp+".min", "min and max are whole working days from today, 0 ≤ min ≤ max ≤ %d", maxDateDays)
			}
		case TypeText, TypeDigits, TypeAccount:
			if fd.MinLen < 0 || fd.MaxLen < 0 || fd.MaxLen > maxLen {
				return fail(fp+".max_len", "lengths are 0 to %d", maxLen)
			}
			if fd.MaxLen > 0 && fd.MinLen > fd.MaxLen {
				return fail(fp+".min_len", "min_len %d is greater than max_len %d", fd.MinLen, fd.MaxLen)
			}
			if rf.Pattern != "" {
				re, err := regexp.Compile(`^(?:` + rf.Pattern + `)$`)
				if err != nil {
					return fail(fp+".pattern", "the pattern does not compile: %v", err)
				}
				fd.Pattern = re
			}
			if (fd.PatternMsg.ZH == "") != (fd.PatternMsg.EN == "") {
				return fail(fp+".pattern_msg", "pattern_msg needs both pattern_msg and pattern_msg_en")
			}
		case TypeAddress:
			if rf.DownTo != "" {
				l, ok := parseLevel(rf.DownTo)
				if !ok || l < LevelCommunity {
					return fail(fp+".down_to", "down_to = %q: use \"community\", \"building\", \"unit\" or \"room\"", rf.DownTo)
				}
				fd.DownTo = l
			}
		}
		if rf.PatternMsg != "" && rf.Pattern == "" {
			return fail(fp+".pattern_msg", "pattern_msg without a pattern")
		}
		out = append(out, fd)
	}
	// Conditions and defaults once every field of the list is known.
	sc := scope(common, out)
	for i, fd := range out {
		fp := fmt.Sprintf("%s[%d]", p, i)
		conds, err := conditions(a, fp+".show_if", raw[i].ShowIf, sc, service, "show_if", fd.ID)
		if err != nil {
			return nil, err
		}
		fd.ShowIf = conds
		switch {
		case fd.Default == "":
		case fd.Type == TypeAddress || fd.Type == TypeDate:
			return nil, a.err(fp+".default", service, fd.ID, "", "a %s field has no default", fd.Type)
		default:
			if pr := checkValue(fd, fd.Default, nil); pr != nil {
				return nil, a.err(fp+".default", service, fd.ID, "", "default %q is not a valid answer: %s", fd.Default, pr.Msg.EN)
			}
		}
	}
	if i, cycle := showIfCycle(out); cycle != "" {
		return nil, a.err(fmt.Sprintf("%s[%d].show_if", p, i), service, out[i].ID, "", "show_if conditions go round in a circle (%s): none of these fields could ever be shown", cycle)
	}
	return out, nil
}

// showIfCycle finds fields whose show_if conditions depend on each other in a circle.
func showIfCycle(fields []*Field) (int, string) {
	index := map[string]int{}
	for i, f := range fields {
		index[f.ID] = i
	}
	state := make([]int, len(fields)) // 0 new, 1 on the path, 2 done
	var path []string
	var visit func(i int) bool
	visit = func(i int) bool {
		state[i] = 1
		path = append(path, fields[i].ID)
		for _, c := range fields[i].ShowIf {
			j, ok := index[c.Field]
			if !ok {
				continue
			}
			if state[j] == 1 || (state[j] == 0 && visit(j)) {
				return true
			}
		}
		state[i] = 2
		path = path[:len(path)-1]
		return false
	}
	for i := range fields {
		if state[i] == 0 && visit(i) {
			return index[path[0]], strings.Join(append(path, path[0]), " → ")
		}
	}
	return 0, ""
}
