// Package leaktest finds personal data left where it should be gone: in the values
// reachable from a root (the kiosk, its shell, a widget) and in bytes (a database file,
// a log), in the encodings the kiosk writes text in. Only tests import it.
//
// The walk follows pointers, interfaces, slices, arrays, maps, struct fields (unexported
// ones too) and sync/atomic's Pointer and Value. It cannot look into what a closure
// captured, nor into a channel's buffer: a test that needs those gone checks the holder
// (the screen stack, the listeners) by other means.
package leaktest

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf16"
	"unsafe"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Hit is a needle found: where (a path of field names and indexes from the root) and
// which.
type Hit struct {
	Path   string
	Needle string
}

func (h Hit) String() string { return fmt.Sprintf("%q at %s", h.Needle, h.Path) }

// Walker searches values for needles.
type Walker struct {
	// Skip, if set, leaves values of a type unwalked: what holds personal data by its
	// nature and is not the kiosk's (the device emulators, the utilities' simulator), or
	// what is checked elsewhere (the database file's memory map).
	Skip func(reflect.Type) bool
	// Max is how many hits to report at most; 0: 20.
	Max int

	needles []string
	seen    map[visit]bool
	hits    []Hit
	steps   int
}

type visit struct {
	p uintptr
	t reflect.Type
}

// maxArray is the largest byte array searched: bbolt maps its file as a pointer to an
// array of 256 TiB, which the file check reads instead.
const maxArray = 1 << 24

// Find returns where any of needles is reachable from roots (named by their keys).
func (w *Walker) Find(roots map[string]any, needles ...string) []Hit {
	w.needles = nil
	for _, n := range needles {
		if n != "" {
			w.needles = append(w.needles, n)
		}
	}
	w.seen, w.hits = map[visit]bool{}, nil
	for name, r := range roots {
		w.walk(reflect.ValueOf(r), name, 0)
	}
	return w.hits
}

func (w *Walker) max() int {
	if w.Max > 0 {
		return w.Max
	}
	return 20
}

func (w *Walker) check(s, path string) {
	for _, n := range w.needles {
		if strings.Contains(s, n) && len(w.hits) < w.max() {
			w.hits = append(w.hits, Hit{Path: path, Needle: n})
		}
	}
}

func (w *Walker) walk(v reflect.Value, path string, depth int) {
	if !v.IsValid() || len(w.hits) >= w.max() || depth > 200 {
		return
	}
	w.steps++
	t := v.Type()
	if w.Skip != nil && w.Skip(t) {
		return
	}
	switch v.Kind() {
	case reflect.String:
		w.check(v.String(), path)
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if e := t.Elem(); e.Kind() == reflect.Array && e.Elem().Kind() == reflect.Uint8 && e.Len() > maxArray {
			return
		}
		key := visit{v.Pointer(), t}
		if w.seen[key] {
			return
		}
		w.seen[key] = true
		w.walk(v.Elem(), path, depth+1)
	case reflect.Interface:
		w.walk(v.Elem(), path, depth+1)
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		key := visit{v.Pointer(), t}
		if w.seen[key] && v.Len() > 0 {
			return
		}
		w.seen[key] = true
		w.sequence(v, path, depth)
	case reflect.Array:
		w.sequence(v, path, depth)
	case reflect.Map:
		if v.IsNil() {
			return
		}
		key := visit{v.Pointer(), t}
		if w.seen[key] {
			return
		}
		w.seen[key] = true
		it := v.MapRange()
		for it.Next() {
			k := it.Key()
			kp := fmt.Sprintf("%s[%v]", path, printable(k))
			w.walk(k, kp+"(key)", depth+1)
			w.walk(it.Value(), kp, depth+1)
		}
	case reflect.Struct:
		if w.atomic(v, path, depth) {
			return
		}
		for i := range v.NumField() {
			w.walk(v.Field(i), path+"."+t.Field(i).Name, depth+1)
		}
	}
}

// sequence walks a slice's or an array's elements; bytes and runes are searched as
// text.
func (w *Walker) sequence(v reflect.Value, path string, depth int) {
	switch v.Type().Elem().Kind() {
	case reflect.Uint8:
		if v.Kind() == reflect.Slice { // read in place: a field's may be large
			w.check(string(unsafe.Slice((*byte)(v.UnsafePointer()), v.Len())), path)
			return
		}
		b := make([]byte, v.Len())
		for i := range b {
			b[i] = byte(v.Index(i).Uint())
		}
		w.check(string(b), path)
		return
	case reflect.Int32:
		r := make([]rune, v.Len())
		for i := range r {
			r[i] = rune(v.Index(i).Int())
		}
		w.check(string(r), path)
		return
	}
	for i := range v.Len() {
		w.walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
	}
}

// atomic follows sync/atomic's Pointer[T] (an unsafe.Pointer inside) to its T.
func (w *Walker) atomic(v reflect.Value, path string, depth int) bool {
	t := v.Type()
	if t.PkgPath() != "sync/atomic" || !strings.HasPrefix(t.Name(), "Pointer[") {
		return false
	}
	load, ok := reflect.PointerTo(t).MethodByName("Load")
	if !ok {
		return false
	}
	f := v.FieldByName("v")
	if !f.IsValid() || f.Kind() != reflect.UnsafePointer {
		return false
	}
	p := f.UnsafePointer()
	if p == nil {
		return true
	}
	w.walk(reflect.NewAt(load.Type.Out(0).Elem(), p), path+".Load()", depth+1)
	return true
}

// printable is a map key as a path shows it.
func printable(k reflect.Value) string {
	switch k.Kind() {
	case reflect.String:
		return k.String()
	case reflect.Int, reflect.Int64, reflect.Int32:
		return fmt.Sprint(k.Int())
	}
	return k.Type().String()
}

// Encodings are s as the kiosk or a tool might write it: UTF-8, GB18030 (the
// printer's), UTF-16 in both byte orders.
func Encodings(s string) map[string][]byte {
	out := map[string][]byte{"utf-8": []byte(s)}
	if gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s)); err == nil {
		out["gb18030"] = gb
	}
	u := utf16.Encode([]rune(s))
	le, be := make([]byte, 2*len(u)), make([]byte, 2*len(u))
	for i, c := range u {
		le[2*i], le[2*i+1] = byte(c), byte(c>>8)
		be[2*i], be[2*i+1] = byte(c>>8), byte(c)
	}
	out["utf-16le"], out["utf-16be"] = le, be
	return out
}

// InBytes returns the needles found in data in any of their encodings, each as
// "needle (encoding) at offset".
func InBytes(data []byte, needles ...string) []string {
	var found []string
	for _, n := range needles {
		if n == "" {
			continue
		}
		for enc, b := range Encodings(n) {
			if i := bytes.Index(data, b); i >= 0 {
				found = append(found, fmt.Sprintf("%q (%s) at %d", n, enc, i))
			}
		}
	}
	return found
}
