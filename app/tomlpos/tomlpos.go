// Package tomlpos decodes TOML strictly and locates keys in TOML text, so that data files
// pushed by people (the service catalogue, public information, the holiday calendar) are
// refused with a message that names the file, the line and the key, in the style of
// app/config.
//
// Keys are named by paths with the index of every array element:
// `service[2].field[0].type` is the type of the first [[service.field]] of the third
// [[service]]; `when[1].field` is a key of the second inline table of the array `when`.
package tomlpos

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// Error is a problem in a TOML file. Its message names the file, the line and the key.
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
}

// Error writes "file:line: key: message".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Key != "" {
		fmt.Fprintf(&b, ": %s", e.Key)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Decode decodes data into v and refuses what a typo would produce: text that is not
// UTF-8, TOML syntax errors, wrong types and keys that v does not have. Errors are
// *Error values naming file and, where it can tell, the line and the key.
func Decode(data []byte, file string, v any) (toml.MetaData, *Index, error) {
	if !utf8.Valid(data) {
		return toml.MetaData{}, nil, &Error{File: file, Msg: "the file is not UTF-8 text"}
	}
	ix := Build(data)
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(v)
	if err != nil {
		return md, ix, decodeError(file, ix, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := []string(und[0])
		msg := "unknown key"
		if md.Type(k...) == "Hash" || md.Type(k...) == "ArrayHash" {
			msg = "unknown table"
		}
		return md, ix, &Error{File: file, Key: strings.Join(k, "."), Line: ix.LineOfKey(k), Msg: msg}
	}
	return md, ix, nil
}

var lineRE = regexp.MustCompile(`line (\d+) \(last key "([^"]*)"\)`)

func decodeError(file string, ix *Index, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := strings.Replace(pe.Message, "incompatible types: ", "wrong type: ", 1)
		return &Error{File: file, Line: pe.Position.Line, Key: pe.LastKey, Msg: msg}
	}
	// Type mismatches on struct fields come back as plain errors of the form
	// `toml: line N (last key "a.b"): incompatible types: ...`.
	msg := strings.TrimPrefix(err.Error(), "toml: ")
	e := &Error{File: file, Msg: msg}
	if m := lineRE.FindStringSubmatchIndex(msg); m != nil {
		e.Line, _ = strconv.Atoi(msg[m[2]:m[3]])
		e.Key = msg[m[4]:m[5]]
		e.Msg = strings.TrimPrefix(strings.TrimSpace(msg[m[1]:]), ": ")
	} else if i := strings.Index(msg, `(last key "`); i >= 0 {
		rest := msg[i+len(`(last key "`):]
		if j := strings.Index(rest, `")`); j >= 0 {
			e.Key = rest[:j]
			e.Msg = strings.TrimPrefix(strings.TrimSpace(rest[j+2:]), ": ")
			e.Line = ix.LineOfKey(strings.Split(e.Key, "."))
		}
	}
	e.Msg = strings.Replace(e.Msg, "incompatible types: ", "wrong type: ", 1)
	return e
}
