package theme

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"image/color"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	ft "fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"

	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/assets"
)

func bundledFace(t *testing.T) *font.Face {
	t.Helper()
	f, err := font.ParseTTF(bytes.NewReader(assets.Font))
	if err != nil {
		t.Fatalf("the bundled font does not parse: %v", err)
	}
	return f
}

// Every character of every UI string (both languages), of the shipped configuration,
// catalogue and public information, and of the screens' own literals must be in the
// bundled font; otherwise run scripts/build-font.sh.
func TestFontCoversUIStrings(t *testing.T) {
	face := bundledFace(t)
	tables, err := i18n.Tables()
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{
		"assets/kiosk.default.toml": string(assets.DefaultConfig),
		"assets/kiosk.example.toml": string(assets.ExampleConfig),
	}
	for lang, table := range tables {
		for k, v := range table {
			texts[fmt.Sprintf("%s:%s", lang, k)] = v
		}
	}
	for _, dir := range []string{"catalog", "info"} {
		files, err := filepath.Glob(filepath.Join("..", "..", "assets", dir, "*.toml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no assets/%s/*.toml (%v)", dir, err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			texts[f] = string(b)
		}
	}
	// The screens' own literals: symbols drawn beside the strings (a row's ›, a check).
	for where, lit := range screenLiterals(t) {
		texts[where] = lit
	}
	missing := map[rune][]string{}
	for where, s := range texts {
		for _, r := range s {
			if r == '\n' || r == '\t' || r == '\r' {
				continue
			}
			if _, ok := face.NominalGlyph(r); !ok {
				missing[r] = append(missing[r], where)
			}
		}
	}
	if len(missing) > 0 {
		var lines []string
		for r, where := range missing {
			sort.Strings(where)
			lines = append(lines, fmt.Sprintf("%q U+%04X in %s", r, r, strings.Join(where[:min(3, len(where))], ", ")))
		}
		sort.Strings(lines)
		t.Fatalf("the bundled font lacks %d characters (run scripts/build-font.sh):\n%s", len(missing), strings.Join(lines, "\n"))
	}
}

// screenLiterals returns the string literals of the screens' Go files (tests, the
// test harness and the tools' painter aside), by position.
func screenLiterals(t *testing.T) map[string]string {
	t.Helper()
	lits := map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "screentest" || d.Name() == "paint" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if b, ok := n.(*ast.BasicLit); ok && b.Kind == token.STRING {
				if v, err := strconv.Unquote(b.Value); err == nil {
					lits[fset.Position(b.Pos()).String()] = v
				}
			}
			return true
		})
		return nil
	})
	if err != nil || len(lits) == 0 {
		t.Fatalf("the screens' literals: %d (%v)", len(lits), err)
	}
	return lits
}

// All of GB2312 is bundled, and so are rare characters common in names.
func TestFontCoversGB2312AndNames(t *testing.T) {
	face := bundledFace(t)
	var lacking []rune
	for _, r := range "啊齄鑫淼垚喆堃昇镕珺玥赟犇燚" {
		if _, ok := face.NominalGlyph(r); !ok {
			lacking = append(lacking, r)
		}
	}
	if len(lacking) > 0 {
		t.Fatalf("missing %q", string(lacking))
	}
}

// Text and the backgrounds it is drawn on differ by at least 4.5:1 (WCAG AA).
func TestContrast(t *testing.T) {
	th := New(false)
	c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, ft.VariantLight) }
	for _, p := range []struct {
		fg, bg fyne.ThemeColorName
	}{
		{ft.ColorNameForeground, ft.ColorNameBackground},
		{ft.ColorNameForeground, ft.ColorNameButton},
		{ft.ColorNameForeground, ft.ColorNameInputBackground},
		{ft.ColorNameForeground, ColorNameTile},
		{ft.ColorNamePrimary, ft.ColorNameBackground},
		{ft.ColorNamePrimary, ColorNameTile},
		{ft.ColorNameForegroundOnPrimary, ft.ColorNamePrimary},
		{ft.ColorNameForegroundOnError, ft.ColorNameError},
		{ft.ColorNameForegroundOnSuccess, ft.ColorNameSuccess},
		{ft.ColorNameForegroundOnWarning, ft.ColorNameWarning},
		{ft.ColorNameDisabled, ft.ColorNameBackground},
		{ft.ColorNameDisabled, ft.ColorNameDisabledButton},
		{ft.ColorNamePlaceHolder, ft.ColorNameInputBackground},
		{ft.ColorNameError, ft.ColorNameBackground},
		{ft.ColorNameSuccess, ft.ColorNameBackground},
		{ColorNameOnBar, ColorNameBar},
		{ColorNameOnBadge, ColorNameBadge},
		{ColorNameMuted, ft.ColorNameBackground},
	} {
		if r := Contrast(c(p.fg), c(p.bg)); r < 4.5 {
			t.Errorf("%s on %s: contrast %.2f < 4.5", p.fg, p.bg, r)
		}
	}
}

// The OS dark/light setting does not change the kiosk, and a tap leaves no hover shade.
func TestFixedVariantNoHover(t *testing.T) {
	th := New(false)
	for _, n := range []fyne.ThemeColorName{ft.ColorNameBackground, ft.ColorNameForeground, ft.ColorNameButton, ColorNameBar} {
		if th.Color(n, ft.VariantDark) != th.Color(n, ft.VariantLight) {
			t.Errorf("%s changes with the variant", n)
		}
	}
	if _, _, _, a := th.Color(ft.ColorNameHover, ft.VariantLight).RGBA(); a != 0 {
		t.Error("hover colour is not transparent")
	}
	test.AssertAllColorNamesDefined(t, th, "kiosk")
}

func TestElderlySizes(t *testing.T) {
	n, e := New(false), New(true)
	if n.Size(SizeNameTarget) < 64 {
		t.Fatalf("target %v < 64", n.Size(SizeNameTarget))
	}
	for _, name := range []fyne.ThemeSizeName{ft.SizeNameText, ft.SizeNameHeadingText, ft.SizeNameSubHeadingText, ft.SizeNameCaptionText} {
		if r := e.Size(name) / n.Size(name); r < 1.5 {
			t.Errorf("%s grows %.2f× in elderly mode, want ≥ 1.5×", name, r)
		}
	}
	if r := e.Size(SizeNameTarget) / n.Size(SizeNameTarget); r < 1.25 {
		t.Errorf("targets grow %.2f×, want ≥ 1.25×", r)
	}
	if n.Size(ft.SizeNameText) < 18 {
		t.Error("normal text below 18")
	}
	// The gap between controls that do different things is a finger's, not the eyes':
	// the same in both modes.
	for _, th := range []*Kiosk{n, e} {
		if g := th.Size(SizeNameGap); g != MinGap {
			t.Errorf("elderly %v: the gap is %v, want %v", th.Elderly(), g, MinGap)
		}
	}
}

// Fyne parses its own default text font beside the theme's unless they are one resource.
func TestFyneParsesOneTextFont(t *testing.T) {
	if ft.DefaultTextFont() != Font {
		t.Fatal("Fyne's default text font is not the bundle: Fyne parses Noto Sans as well (3 MB)")
	}
	if !bytes.Equal(ft.DefaultTextFont().Content(), assets.Font) {
		t.Fatal("Fyne's default text font does not hold the bundle")
	}
}

func TestFontForStyles(t *testing.T) {
	th := New(false)
	if th.Font(fyne.TextStyle{}) != Font || th.Font(fyne.TextStyle{Bold: true}) != Font {
		t.Fatal("text styles must use the bundled CJK font")
	}
	if th.Font(fyne.TextStyle{Monospace: true}) == Font {
		t.Fatal("monospace must stay on Fyne's monospace font")
	}
}
