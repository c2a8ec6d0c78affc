package outbox

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/liangzihu/kiosk/app/logging"
	"github.com/liangzihu/kiosk/app/mask"
	"github.com/liangzihu/kiosk/app/utility"
)

// personal says how each key of a request's body that holds the citizen's data is
// masked where a utility's words quote it.
var personal = map[string]func(string) string{
	"name":          mask.Name,
	"holder_name":   mask.Name,
	"id_number":     mask.IDNumber,
	"phone":         mask.Phone,
	"address":       mask.Address,
	"property_cert": mask.Certificate,
}

// hideAll hides every character of a value: an address's household part.
func hideAll(v string) string { return strings.Repeat("*", utf8.RuneCountInString(v)) }

// MaskOwnWords masks, in a refusal's message, what the request's body says of its
// citizen (the outbox does so for every refusal; the kiosk for a refusal it is given
// outside the outbox, a 过户 judged before it is submitted). A utility's refusal is shown in its own words on the citizen's screen and
// on the acceptance receipt, to whoever tracks the request by its number, and to staff
// (kioskctl outbox list); a utility's validation may quote what it refuses
// (申请人陈建国在金域花园1栋1单元101室已有在办申请), and the screens and paper show names
// and ID numbers only masked. ID and mobile numbers anywhere in it are masked as the
// log masks them. The error returned says the masked words; err itself is changed only
// where its utility.Error is wrapped in another (an error may be shared: a test's
// scripted utility gives two requests one).
func MaskOwnWords(err error, body []byte) error {
	var e *utility.Error
	if !errors.As(err, &e) || e.Message == "" {
		return err
	}
	var doc any
	_ = json.Unmarshal(body, &doc) // a body that is not JSON quotes nothing to look for
	var found []replacement
	collectPersonal(doc, &found)
	// The longest first: an address holds its own parts.
	sort.SliceStable(found, func(i, j int) bool { return len(found[i].from) > len(found[j].from) })
	msg := e.Message
	for _, r := range found {
		msg = strings.ReplaceAll(msg, r.from, r.to)
	}
	msg = logging.Scrub(msg)
	if msg == e.Message {
		return err
	}
	if top, ok := err.(*utility.Error); ok {
		masked := *top
		masked.Message = msg
		return &masked
	}
	e.Message = msg
	return err
}

type replacement struct{ from, to string }

// collectPersonal gathers the personal values of a decoded body with their masked
// forms; an address's household part (what follows its district, town or village:
// 金域花园1栋1单元101室) too, which a message may quote alone.
func collectPersonal(v any, out *[]replacement) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			s, ok := x.(string)
			if f := personal[k]; ok && f != nil && utf8.RuneCountInString(s) > 1 {
				*out = append(*out, replacement{s, f(s)})
				if k == "address" {
					for _, part := range householdParts(s) {
						*out = append(*out, replacement{part, hideAll(part)})
					}
				}
				continue
			}
			collectPersonal(x, out)
		}
	case []any:
		for _, x := range t {
			collectPersonal(x, out)
		}
	}
}

// householdParts are the ends of an address after each of its administrative levels
// (区, 县, 镇, 乡, 街道, 社区, 村), of 4 characters or more.
func householdParts(addr string) []string {
	var parts []string
	for i, r := range addr {
		if !strings.ContainsRune("区县镇乡道村", r) {
			continue
		}
		rest := addr[i+utf8.RuneLen(r):]
		if utf8.RuneCountInString(rest) >= 4 {
			parts = append(parts, rest)
		}
	}
	return parts
}
