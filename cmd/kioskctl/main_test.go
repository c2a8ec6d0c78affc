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
		{[]string{"--version"}, 0, "github.com/liangzihu/kiosk", ""},
		// Help at every level is asked for: on stdout, exit 0.
		{[]string{"--help"}, 0, "usage: kioskctl", ""},
		{[]string{"idcard", "--help"}, 0, "kioskctl idcard decode", ""},
		{[]string{"outbox", "list", "--help"}, 0, "-state string", ""},
		{[]string{"receipt", "sample", "-h"}, 0, "--escpos FILE", ""},
		// A mistake says what it is, then how to call: on stderr, exit 2.
		{[]string{"outbox", "list", "--limit", "abc"}, 2, "", `invalid value "abc" for flag -limit`},
		{[]string{"outbox", "list", "--state", "bogus"}, 2, "", `no state "bogus"`},
		{[]string{"outbox", "retry"}, 2, "", "--actor is required"},
		{[]string{"kiosk", "screen", "--out", "x.png"}, 2, "", "--actor is required"},
		{[]string{"kiosk", "restart"}, 2, "", "--actor is required"},
		{[]string{"receipt", "sample", "bogus", "--png", "x.png"}, 2, "", `unknown sample "bogus"`},
		{[]string{"receipt", "sample", "payment", "--png", "x.png", "--profile", "57mm"}, 2, "", "57mm"},
		{[]string{"receipt", "print", "--port", "/nonexistent", "--sample", "payment", "--cut", "half"}, 2, "", `"half" is not a cut mode`},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, strings.NewReader(""), &out, &errb)
		if code != tc.code || !strings.Contains(out.String(), tc.out) || !strings.Contains(errb.String(), tc.err) {
			t.Errorf("%v: code %d, stdout %q, stderr %q", tc.args, code, out.String(), errb.String())
		}
	}
}
