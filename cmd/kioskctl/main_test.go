package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestDispatch(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		code     int
		out, err string
	}{
		{nil, 0, "usage: kioskctl", ""},
		{[]string{"version", "show"}, 0, "github.com/liangzihu/kiosk", ""},
		{[]string{"nope"}, 2, "", `unknown command "nope"`},
		{[]string{"version"}, 2, "", "kioskctl version show"},
		{[]string{"version", "bogus"}, 2, "", `unknown subcommand "bogus"`},
		{[]string{"version", "show", "extra"}, 2, "", "usage: kioskctl version show"},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, strings.NewReader(""), &out, &errb)
		if code != tc.code || !strings.Contains(out.String(), tc.out) || !strings.Contains(errb.String(), tc.err) {
			t.Errorf("%v: code %d, stdout %q, stderr %q", tc.args, code, out.String(), errb.String())
		}
	}
}
