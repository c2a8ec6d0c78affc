package leaktest

import (
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
)

type secret struct{ name string }

type holder struct {
	plain   string
	runes   []rune
	bytes   []byte
	byKey   map[string]int
	byValue map[int]any
	ptr     atomic.Pointer[secret]
	val     atomic.Value
	skipped *emulator
	self    *holder
}

type emulator struct{ card string }

// Every way a value may hold a string is searched: a field, runes (a keypad's buffer),
// bytes, a map's keys and values, behind an interface, an atomic pointer or value; a
// cycle ends; a skipped type is not entered.
func TestFind(t *testing.T) {
	cases := map[string]func(*holder){
		"plain":        func(h *holder) { h.plain = "x张三y" },
		"runes":        func(h *holder) { h.runes = []rune("张三") },
		"bytes":        func(h *holder) { h.bytes = []byte("..张三..") },
		"map key":      func(h *holder) { h.byKey = map[string]int{"张三": 1} },
		"map value":    func(h *holder) { h.byValue = map[int]any{1: &secret{"张三"}} },
		"atomic ptr":   func(h *holder) { h.ptr.Store(&secret{"张三"}) },
		"atomic value": func(h *holder) { h.val.Store(secret{"张三"}) },
	}
	for name, set := range cases {
		h := &holder{skipped: &emulator{card: "张三"}}
		h.self = h
		w := Walker{Skip: func(t reflect.Type) bool { return t == reflect.TypeFor[*emulator]() }}
		if hits := w.Find(map[string]any{"h": h}, "张三"); len(hits) != 0 {
			t.Fatalf("%s: found before it was set: %v", name, hits)
		}
		set(h)
		hits := w.Find(map[string]any{"h": h}, "张三")
		if len(hits) != 1 || !strings.HasPrefix(hits[0].Path, "h.") {
			t.Errorf("%s: %v", name, hits)
		}
	}
}

func TestInBytes(t *testing.T) {
	for enc, b := range Encodings("王淑芬 501") {
		data := append(append([]byte("head"), b...), "tail"...)
		found := InBytes(data, "王淑芬")
		if len(found) == 0 {
			t.Errorf("%s: not found", enc)
		}
	}
	if found := InBytes([]byte("nothing here"), "王淑芬", ""); len(found) != 0 {
		t.Errorf("found %v", found)
	}
}
