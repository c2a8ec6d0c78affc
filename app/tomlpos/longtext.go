package tomlpos

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"
)

// LongText finds, in v (what Decode decoded: structs with toml tags, slices, maps,
// pointers), the first text longer than limit says for its key (the last name of its
// path, without indices): its path as Index takes it ("service[2].name",
// "page[0].section[1].items[3]"), its length in characters and the limit. path is ""
// when every text is within its limit.
func LongText(v any, limit func(key string) int) (path string, n, most int) {
	var walk func(rv reflect.Value, path, key string) bool
	walk = func(rv reflect.Value, p, key string) bool {
		switch rv.Kind() {
		case reflect.Pointer, reflect.Interface:
			return !rv.IsNil() && walk(rv.Elem(), p, key)
		case reflect.String:
			if c := utf8.RuneCountInString(rv.String()); c > limit(key) {
				path, n, most = p, c, limit(key)
				return true
			}
		case reflect.Slice, reflect.Array:
			for i := range rv.Len() {
				if walk(rv.Index(i), fmt.Sprintf("%s[%d]", p, i), key) {
					return true
				}
			}
		case reflect.Map:
			keys := rv.MapKeys()
			slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
			for _, k := range keys {
				if walk(rv.MapIndex(k), join(p, k.String()), k.String()) {
					return true
				}
			}
		case reflect.Struct:
			for i := range rv.NumField() {
				name, _, _ := strings.Cut(rv.Type().Field(i).Tag.Get("toml"), ",")
				if name == "" || name == "-" {
					continue // not read from the file (time.Time's insides)
				}
				if walk(rv.Field(i), join(p, name), name) {
					return true
				}
			}
		}
		return false
	}
	walk(reflect.ValueOf(v), "", "")
	return path, n, most
}
