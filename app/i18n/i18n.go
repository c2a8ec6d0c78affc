// Package i18n holds the kiosk's UI strings: Simplified Chinese first, English complete.
// Strings live in assets/i18n/*.toml as key = text, with {0}, {1} … for arguments.
package i18n

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"

	"github.com/liangzihu/kiosk/assets"
)

// Lang is a UI language.
type Lang string

// The languages the kiosk speaks.
const (
	ZH Lang = "zh"
	EN Lang = "en"
)

// Catalog is the set of strings for every language plus the current language.
// It is safe for concurrent use.
type Catalog struct {
	mu      sync.RWMutex
	lang    Lang
	strings map[Lang]map[string]string
	terms   map[string]string
}

var (
	loadOnce sync.Once
	loaded   map[Lang]map[string]string
	terms    map[string]string
	loadErr  error
)

// Tables returns the embedded string tables, parsed once.
func Tables() (map[Lang]map[string]string, error) {
	loadOnce.Do(func() {
		loaded = map[Lang]map[string]string{}
		for lang, data := range map[Lang][]byte{ZH: assets.StringsZH, EN: assets.StringsEN} {
			m := map[string]string{}
			if _, err := toml.Decode(string(data), &m); err != nil {
				loadErr = fmt.Errorf("i18n: %s strings: %w", lang, err)
				return
			}
			loaded[lang] = m
		}
		terms = map[string]string{}
		if _, err := toml.Decode(string(assets.Terms), &terms); err != nil {
			loadErr = fmt.Errorf("i18n: terms: %w", err)
		}
	})
	return loaded, loadErr
}

// New returns a catalog of the embedded strings in the given language.
func New(lang Lang) (*Catalog, error) {
	t, err := Tables()
	if err != nil {
		return nil, err
	}
	c := &Catalog{strings: t, terms: terms}
	if err := c.SetLang(lang); err != nil {
		return nil, err
	}
	return c, nil
}

// Lang returns the current language.
func (c *Catalog) Lang() Lang {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.lang
}

// SetLang switches the current language.
func (c *Catalog) SetLang(l Lang) error {
	if _, ok := c.strings[l]; !ok {
		return fmt.Errorf("i18n: unknown language %q", l)
	}
	c.mu.Lock()
	c.lang = l
	c.mu.Unlock()
	return nil
}

// T returns the text for key in the current language with {n} replaced by args[n], and
// {n:one|other} by one when args[n] is 1 and by other otherwise (English plurals:
// "{0} {0:bill|bills}"). A missing key yields the key itself in brackets, which tests
// catch.
func (c *Catalog) T(key string, args ...any) string {
	c.mu.RLock()
	s, ok := c.strings[c.lang][key]
	c.mu.RUnlock()
	if !ok {
		return "[" + key + "]"
	}
	return format(s, args)
}

// In returns the text for key in the given language, whatever the current one: receipts
// are official records and print in Chinese.
func (c *Catalog) In(l Lang, key string, args ...any) string {
	c.mu.RLock()
	s, ok := c.strings[l][key]
	c.mu.RUnlock()
	if !ok {
		return "[" + key + "]"
	}
	return format(s, args)
}

// Has reports whether key exists in the current language.
func (c *Catalog) Has(key string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.HasIn(c.lang, key)
}

// HasIn reports whether key exists in language l: for keys made from what a utility
// sends (a state, a step's status), which may be new to the kiosk.
func (c *Catalog) HasIn(l Lang, key string) bool {
	_, ok := c.strings[l][key]
	return ok
}

// Pick returns zh when the current language is Chinese and en otherwise, falling back
// to zh when en is empty. It serves texts that come from configuration.
func (c *Catalog) Pick(zh, en string) string {
	if c.Lang() == EN && en != "" {
		return en
	}
	return zh
}

// Term is a word a utility sent in Chinese, in the current language: in English its
// entry in assets/i18n/terms.toml when the whole text is listed there, else the text as
// it came.
func (c *Catalog) Term(zh string) string {
	if c.Lang() == EN {
		if en, ok := c.terms[zh]; ok {
			return en
		}
	}
	return zh
}

// plural is a word that agrees with an argument: {0:bill|bills}.
var plural = regexp.MustCompile(`\{(\d):([^{}|]*)\|([^{}|]*)\}`)

func format(s string, args []any) string {
	if len(args) == 0 || !strings.Contains(s, "{") {
		return s
	}
	if strings.Contains(s, ":") {
		s = plural.ReplaceAllStringFunc(s, func(m string) string {
			p := plural.FindStringSubmatch(m)
			n, _ := strconv.Atoi(p[1])
			if n >= len(args) {
				return m
			}
			if fmt.Sprint(args[n]) == "1" {
				return p[2]
			}
			return p[3]
		})
	}
	for i, a := range args {
		s = strings.ReplaceAll(s, "{"+strconv.Itoa(i)+"}", fmt.Sprint(a))
	}
	return s
}

// Keys returns the sorted keys of a language's table.
func Keys(t map[string]string) []string {
	k := make([]string, 0, len(t))
	for key := range t {
		k = append(k, key)
	}
	sort.Strings(k)
	return k
}
