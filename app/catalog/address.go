package catalog

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/liangzihu/kiosk/app/bitext"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/mask"
	"github.com/liangzihu/kiosk/app/tomlpos"
)

// Level is a level of an address.
type Level int

// Address levels, from the top. Rural houses have no unit: a village group's houses are
// numbered (5组17号).
const (
	LevelDistrict  Level = iota
	LevelStreet          // 街道 / 乡镇
	LevelCommunity       // 社区 / 村
	LevelBuilding        // 楼栋 / 村民小组
	LevelUnit            // 单元
	LevelRoom            // 室 / 门牌号
)

var levelNames = []string{"district", "street", "community", "building", "unit", "room"}

var levelPrompts = []bitext.Text{
	{ZH: "请选择区", EN: "Choose the district"},
	{ZH: "请选择街道（乡镇）", EN: "Choose the town or subdistrict"},
	{ZH: "请选择社区（村）", EN: "Choose the community or village"},
	{ZH: "请选择楼栋（村民小组）", EN: "Choose the building or village group"},
	{ZH: "请选择单元", EN: "Choose the unit"},
	{ZH: "请选择房号（门牌号）", EN: "Choose the room or house number"},
}

// String is the level's name as data files write it (district, street, …).
func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l]
}

func parseLevel(s string) (Level, bool) {
	for i, n := range levelNames {
		if n == s {
			return Level(i), true
		}
	}
	return 0, false
}

// Addresses are the lists an address is picked from, level by level, so that nobody types
// Chinese. Rooms are not listed one by one: a building gives its units, floors and rooms
// per floor (or, in a village, its number of houses) and the rooms are generated.
type Addresses struct {
	Districts []*Place
}

// Place is a district, street, community or building.
type Place struct {
	ID       string
	Name     bitext.Text
	Level    Level
	Children []*Place // streets, communities, buildings; nil for a building
	// A building has Units (0: no unit level), Floors and RoomsPerFloor, or Houses.
	Units, Floors, RoomsPerFloor, Houses int
}

// Sep separates the IDs of an address answer: "lzh/taihe/zhengjie/wt1/2/602".
const Sep = "/"

// Address is a resolved address answer.
type Address struct {
	Path []string
	// Names are the names of the levels picked, from the district down.
	Names  []bitext.Text
	Levels []Level
}

// Resolve checks an address answer and names its levels. It fails on an unknown ID at
// any level, and on more levels than the building has.
func (a *Addresses) Resolve(value string) (Address, error) {
	if value == "" {
		return Address{}, nil
	}
	out := Address{Path: strings.Split(value, Sep)}
	places := a.Districts
	var b *Place // the building, once reached
	for i, id := range out.Path {
		if b == nil {
			p := find(places, id)
			if p == nil {
				return Address{}, fmt.Errorf("no %s %q", Level(i), id)
			}
			out.Names = append(out.Names, p.Name)
			out.Levels = append(out.Levels, p.Level)
			if p.Level == LevelBuilding {
				b = p
			}
			places = p.Children
			continue
		}
		if i >= b.depth() {
			return Address{}, fmt.Errorf("the address has more levels than building %q", b.ID)
		}
		level := b.subLevel(i)
		o, ok := findOption(b.options(level), id)
		if !ok {
			return Address{}, fmt.Errorf("no %s %q in building %q", level, id, b.ID)
		}
		out.Names = append(out.Names, o.Label)
		out.Levels = append(out.Levels, level)
	}
	return out, nil
}

func findOption(os []Option, v string) (Option, bool) {
	for _, o := range os {
		if o.Value == v {
			return o, true
		}
	}
	return Option{}, false
}

func find(ps []*Place, id string) *Place {
	for _, p := range ps {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// depth is the length of a full address ending in this building's rooms.
func (b *Place) depth() int {
	if b.Units > 0 {
		return int(LevelRoom) + 1
	}
	return int(LevelRoom)
}

// subLevel is the level of path element i below building b.
func (b *Place) subLevel(i int) Level {
	if i == int(LevelUnit) && b.Units > 0 {
		return LevelUnit
	}
	return LevelRoom
}

// options lists a building's units or rooms.
func (b *Place) options(level Level) []Option {
	var out []Option
	switch {
	case level == LevelUnit:
		for u := 1; u <= b.Units; u++ {
			v := strconv.Itoa(u)
			out = append(out, Option{Value: v, Label: bitext.New(v+"单元", "Unit "+v)})
		}
	case b.Houses > 0:
		for h := 1; h <= b.Houses; h++ {
			v := strconv.Itoa(h)
			out = append(out, Option{Value: v, Label: bitext.New(v+"号", "No. "+v)})
		}
	default:
		for f := 1; f <= b.Floors; f++ {
			for r := 1; r <= b.RoomsPerFloor; r++ {
				v := fmt.Sprintf("%d%02d", f, r)
				out = append(out, Option{Value: v, Label: bitext.New(v+"室", "Room "+v)})
			}
		}
	}
	return out
}

// Next returns the level and options that follow a partial address answer, and whether the
// answer is already a full address (a room or house). It fails on an unknown ID.
func (a *Addresses) Next(value string) (Level, []Option, bool, error) {
	ad, err := a.Resolve(value)
	if err != nil {
		return 0, nil, false, err
	}
	n := len(ad.Path)
	if n == 0 {
		return LevelDistrict, placeOptions(a.Districts), false, nil
	}
	places := a.Districts
	var p *Place
	for i := 0; i < n && i <= int(LevelBuilding); i++ {
		p = find(places, ad.Path[i])
		places = p.Children
	}
	if p.Level < LevelBuilding {
		return p.Level + 1, placeOptions(p.Children), false, nil
	}
	if n >= p.depth() {
		return LevelRoom, nil, true, nil
	}
	level := p.subLevel(n)
	return level, p.options(level), false, nil
}

func placeOptions(ps []*Place) []Option {
	out := make([]Option, len(ps))
	for i, p := range ps {
		out[i] = Option{Value: p.ID, Label: p.Name}
	}
	return out
}

// Complete reports whether an address is picked down to level at least, or is full.
func (ad Address) Complete(level Level) bool {
	if len(ad.Levels) == 0 {
		return false
	}
	last := ad.Levels[len(ad.Levels)-1]
	return last >= level || last == LevelRoom
}

// Label writes the address: 梁子湖区太和镇正街社区梧桐苑1栋2单元602室, or in English from
// the room up.
func (ad Address) Label(lang i18n.Lang) string {
	if lang == i18n.EN {
		parts := make([]string, len(ad.Names))
		for i, n := range ad.Names {
			parts[len(parts)-1-i] = n.In(lang)
		}
		return strings.Join(parts, ", ")
	}
	var b strings.Builder
	for _, n := range ad.Names {
		b.WriteString(n.ZH)
	}
	return b.String()
}

// Household splits the address into its place, the district down to the building, a
// name a level (梁子湖区, 太和镇, 正街社区, 金域花园1栋), and the household's unit and room
// (2单元, 602室; a village house, 17号, is a room), "" where not picked or none.
func (ad Address) Household(lang i18n.Lang) (place []string, unit, room string) {
	for i, n := range ad.Names {
		switch ad.Levels[i] {
		case LevelUnit:
			unit = n.In(lang)
		case LevelRoom:
			room = n.In(lang)
		default:
			place = append(place, n.In(lang))
		}
	}
	return place, unit, room
}

// Masked writes the address for screens and paper as app/mask's rule for an address
// picked level by level has it: the place down to the building, the unit's and room's
// numbers hidden (梁子湖区太和镇正街社区金域花园1栋*单元***室; in English from the room up).
func (ad Address) Masked(lang i18n.Lang) string {
	place, unit, room := ad.Household(lang)
	parts := place
	for _, p := range []string{mask.Unit(unit), mask.Room(room)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if lang == i18n.EN {
		slices.Reverse(parts)
		return strings.Join(parts, ", ")
	}
	return strings.Join(parts, "")
}

type rawAddresses struct {
	District []struct {
		ID     string `toml:"id"`
		Name   string `toml:"name"`
		NameEN string `toml:"name_en"`
	} `toml:"district"`
	Street []struct {
		ID       string `toml:"id"`
		District string `toml:"district"`
		Name     string `toml:"name"`
		NameEN   string `toml:"name_en"`
	} `toml:"street"`
	Community []struct {
		ID        string `toml:"id"`
		Street    string `toml:"street"`
		Name      string `toml:"name"`
		NameEN    string `toml:"name_en"`
		Buildings []struct {
			ID            string `toml:"id"`
			Name          string `toml:"name"`
			NameEN        string `toml:"name_en"`
			Units         int    `toml:"units"`
			Floors        int    `toml:"floors"`
			RoomsPerFloor int    `toml:"rooms_per_floor"`
			Houses        int    `toml:"houses"`
		} `toml:"buildings"`
	} `toml:"community"`
}

// Bounds of generated addresses.
const (
	maxUnits         = 12
	maxFloors        = 60
	maxRoomsPerFloor = 20
	maxHouses        = 500
)

var placeIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func loadAddresses(f File) (*Addresses, error) {
	var raw rawAddresses
	_, ix, err := tomlpos.Decode(f.Data, f.Name, &raw)
	if err != nil {
		return nil, decodeErr(err)
	}
	a := at{f.Name, ix}
	fail := func(path, format string, args ...any) (*Addresses, error) {
		return nil, a.err(path, "", "", path, format, args...)
	}
	out := &Addresses{}
	byID := map[string]*Place{} // "level:id" → district, street or community
	add := func(p, parentKey string, level Level, id, zh, en, parent string) (*Place, error) {
		pl := &Place{ID: id, Name: text(zh, en), Level: level}
		if !placeIDRE.MatchString(id) {
			_, err := fail(p+".id", "%q is not an ID (letters, digits, _ and -)", id)
			return nil, err
		}
		if !both(pl.Name) {
			_, err := fail(p, "a %s needs name and name_en", level)
			return nil, err
		}
		key := level.String() + ":" + id
		if _, dup := byID[key]; dup {
			_, err := fail(p+".id", "%s %q is defined twice", level, id)
			return nil, err
		}
		byID[key] = pl
		if level == LevelDistrict {
			out.Districts = append(out.Districts, pl)
			return pl, nil
		}
		up, ok := byID[(level-1).String()+":"+parent]
		if !ok {
			_, err := fail(p+"."+parentKey, "%s %q belongs to unknown %s %q", level, id, level-1, parent)
			return nil, err
		}
		up.Children = append(up.Children, pl)
		return pl, nil
	}
	for i, d := range raw.District {
		if _, err := add(fmt.Sprintf("district[%d]", i), "", LevelDistrict, d.ID, d.Name, d.NameEN, ""); err != nil {
			return nil, err
		}
	}
	if len(out.Districts) == 0 {
		return fail("district", "at least one [[district]] is required")
	}
	for i, s := range raw.Street {
		p := fmt.Sprintf("street[%d]", i)
		if _, err := add(p, "district", LevelStreet, s.ID, s.Name, s.NameEN, s.District); err != nil {
			return nil, err
		}
	}
	for i, c := range raw.Community {
		p := fmt.Sprintf("community[%d]", i)
		com, err := add(p, "street", LevelCommunity, c.ID, c.Name, c.NameEN, c.Street)
		if err != nil {
			return nil, err
		}
		if len(c.Buildings) == 0 {
			return fail(p+".buildings", "community %q has no buildings", c.ID)
		}
		for j, b := range c.Buildings {
			bp := fmt.Sprintf("%s.buildings[%d]", p, j)
			pl := &Place{ID: b.ID, Name: text(b.Name, b.NameEN), Level: LevelBuilding, Units: b.Units, Floors: b.Floors, RoomsPerFloor: b.RoomsPerFloor, Houses: b.Houses}
			if !placeIDRE.MatchString(pl.ID) {
				return fail(bp+".id", "%q is not an ID (letters, digits, _ and -)", pl.ID)
			}
			if find(com.Children, pl.ID) != nil {
				return fail(bp+".id", "building %q is defined twice in community %q", pl.ID, c.ID)
			}
			if !both(pl.Name) {
				return fail(bp, "building %q needs name and name_en", pl.ID)
			}
			switch {
			case pl.Houses > 0:
				if pl.Houses > maxHouses || pl.Units != 0 || pl.Floors != 0 || pl.RoomsPerFloor != 0 {
					return fail(bp, "building %q: a village group has houses = 1 to %d and no units, floors or rooms_per_floor", pl.ID, maxHouses)
				}
			case pl.Floors > 0:
				if pl.Floors > maxFloors || pl.RoomsPerFloor < 1 || pl.RoomsPerFloor > maxRoomsPerFloor || pl.Units < 0 || pl.Units > maxUnits {
					return fail(bp, "building %q: floors 1 to %d, rooms_per_floor 1 to %d, units 0 to %d", pl.ID, maxFloors, maxRoomsPerFloor, maxUnits)
				}
			default:
				return fail(bp, "building %q needs floors and rooms_per_floor (a block of flats) or houses (a village group)", pl.ID)
			}
			com.Children = append(com.Children, pl)
		}
	}
	for _, d := range out.Districts {
		if len(d.Children) == 0 {
			return fail("district", "district %q has no streets", d.ID)
		}
		for _, s := range d.Children {
			if len(s.Children) == 0 {
				return fail("street", "street %q has no communities", s.ID)
			}
		}
	}
	return out, nil
}
