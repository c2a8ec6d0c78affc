// Package assets holds what the kiosk binary carries with it: the bundled CJK font and
// its licence, the icon, the default configuration and the UI strings.
package assets

import (
	"embed"
	"io/fs"
)

// DefaultConfig is the embedded default configuration (TOML).
//
//go:embed kiosk.default.toml
var DefaultConfig []byte

// ExampleConfig is the annotated example configuration shipped to operators.
//
//go:embed kiosk.example.toml
var ExampleConfig []byte

// Font is the bundled CJK font: a subset of Noto Sans CJK SC (SIL OFL 1.1) covering
// ASCII, all of GB2312, every character of the UI strings and common rare name
// characters. scripts/build-font.sh rebuilds it from Debian's fonts-noto-cjk.
//
//go:embed fonts/KioskSansSC-Regular.otf
var Font []byte

// FontLicense is the font's licence text.
//
//go:embed fonts/LICENSE-OFL.txt
var FontLicense []byte

// Icon is the application icon (PNG).
//
//go:embed icon.png
var Icon []byte

// StringsZH and StringsEN are the UI strings, one TOML table of key = text per language.
//
//go:embed i18n/zh.toml
var StringsZH []byte

//go:embed i18n/en.toml
var StringsEN []byte

// Terms is the English of words utilities send in Chinese (Chinese = English).
//
//go:embed i18n/terms.toml
var Terms []byte

// CardReaderSVG is the picture on the home screen: an ID card placed on the reader.
//
//go:embed img/card-reader.svg
var CardReaderSVG []byte

// CardTakeSVG is the same while a card lies on the reader with no visit open: the arrow
// says to take it.
//
//go:embed img/card-take.svg
var CardTakeSVG []byte

// Calendar is the working-day calendar: public holidays and make-up workdays (TOML,
// read by app/workdays).
//
//go:embed calendar.toml
var Calendar []byte

//go:embed catalog/*.toml
var catalogFS embed.FS

// Catalog is the service catalogue (read by app/catalog): common.toml, addresses.toml and
// one file per utility, at the root of the file system.
var Catalog = sub(catalogFS, "catalog")

//go:embed info/*.toml
var infoFS embed.FS

// Info is the public information (信息公开, read by app/info): one file per utility, at the
// root of the file system.
var Info = sub(infoFS, "info")

func sub(f embed.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		// fs.Sub fails only on an invalid path, and dir is a constant.
		panic(err)
	}
	return s
}
