// Package startup is how a kiosk window starts: the settings that keep Fyne's and Mesa's
// memory down (docs/benchmarks.md, Start-up) and when the process began, for the
// start-up figure. The kiosk and cmd/fynefloor, the least window that starts this way,
// share it, so that the two can be measured side by side.
package startup

import (
	"os"
	"runtime/debug"
	"time"
)

// Locale tells Fyne a messages language. Fyne parses, for every text style, the system
// font that best covers the language of the process locale, although the bundled font
// already covers the UI: under zh_CN the 19 MB Noto CJK collection (some 40 MB of heap),
// under English DejaVu Sans (5 MB of PSS and 25 ms of start-up). Citizen text is
// translated by app/i18n, not by the locale, so Fyne is told a messages language that
// the fonts of a kiosk are not made for (Cherokee): it finds none (or, with
// fonts-noto-core, one small font) and parses nothing. Its own few strings fall back to
// English; rare characters still fall back to system fonts one rune at a time (by
// script, not by language). Call it before the Fyne app is made.
func Locale() { os.Setenv("LANGUAGE", "chr") }

// FixedTheme tells Fyne that the theme's variant is fixed (FYNE_THEME=light), so that it
// neither asks the desktop for its colour scheme nor watches it over D-Bus: the kiosk's
// theme has one variant whatever the desktop says, and a kiosk's bare X session has no
// session bus (Fyne logged an error for it at every start). Call it before the Fyne app
// is made.
func FixedTheme() { os.Setenv("FYNE_THEME", "light") }

// Trim hands the pages of start-up's garbage back to the OS in a second: parsing fonts
// and the first layout leave megabytes of it, which the background scavenger would
// return only slowly. Call it once the first frame is painted.
func Trim() { time.AfterFunc(time.Second, debug.FreeOSMemory) }
