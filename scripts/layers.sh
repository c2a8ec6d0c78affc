#!/usr/bin/env bash
# The floors of ../shared/DESIGN.md hold, tests included: devices imports neither app,
# screens, cmd nor Fyne; app imports neither screens, cmd nor Fyne; screens does not
# import cmd. Prints each import that breaks them and fails.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
module=$(go list -m)
# shellcheck disable=SC2016
go list -tags "$TEST_TAGS" -f '{{.ImportPath}} {{join .Imports " "}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... |
  awk -v m="$module" '
    function under(p, dir) { return p == m "/" dir || index(p, m "/" dir "/") == 1 }
    {
      floor = ""
      if (under($1, "devices")) floor = "devices"
      else if (under($1, "app")) floor = "app"
      else if (under($1, "screens")) floor = "screens"
      if (floor == "") next
      for (i = 2; i <= NF; i++) {
        q = $i
        bad = under(q, "cmd")
        if (floor != "screens" && (under(q, "screens") || index(q, "fyne.io/") == 1)) bad = 1
        if (floor == "devices" && under(q, "app")) bad = 1
        if (bad) { print $1 " imports " q; n++ }
      }
    }
    END { if (n) { print n " imports against the floors of DESIGN.md"; exit 1 } }'
