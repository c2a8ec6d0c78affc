// Package theme is the kiosk's Fyne theme: touch-first sizes, high-contrast colours
// that the OS dark/light setting cannot flip, the bundled CJK font, and 大字模式.
package theme

import (
	"image/color"
	"math"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/liangzihu/kiosk/assets"
)

// Size names of our own, looked up like Fyne's.
const (
	// SizeNameTarget is the smallest side of anything a finger taps.
	SizeNameTarget fyne.ThemeSizeName = "kioskTarget"
	// SizeNameTile is the height of a home-screen service tile.
	SizeNameTile fyne.ThemeSizeName = "kioskTile"
	// SizeNameDisplayText is the size of big numbers (countdowns, amounts).
	SizeNameDisplayText fyne.ThemeSizeName = "kioskDisplayText"
	// SizeNameBarText is the text size of the header and footer bars.
	SizeNameBarText fyne.ThemeSizeName = "kioskBarText"
	// SizeNameStatusText is the size of an outcome line (缴费成功, 已过期 …).
	SizeNameStatusText fyne.ThemeSizeName = "kioskStatusText"
	// SizeNameGap is the clear space between the controls on a screen (one list's
	// 下一页 and the next list's 上一页, a pager's 下一页 and the screen's main action,
	// a keypad's 确定 and its other keys, the footer's 大字模式 and English, the
	// header's 返回 and 首页, a result page's buttons, 好差评's levels); a list's rows
	// and a keypad's character keys keep the padding (screentest's AssertGaps says
	// why): MinGap, in 大字模式 too.
	SizeNameGap fyne.ThemeSizeName = "kioskGap"
)

// MinGap is SizeNameGap: a fingertip is some 10 mm wide and lands a few millimetres off
// where it aims, more so in a trembling hand, and the theme's padding (8, 10 in
// 大字模式) left a slip onto the neighbour. 大字模式 keeps it: the finger is the same,
// and its pages have no room to spare.
const MinGap = 24

// Colour names of our own.
const (
	ColorNameBar        fyne.ThemeColorName = "kioskBar"
	ColorNameOnBar      fyne.ThemeColorName = "kioskOnBar"
	ColorNameBadge      fyne.ThemeColorName = "kioskBadge"
	ColorNameOnBadge    fyne.ThemeColorName = "kioskOnBadge"
	ColorNameTile       fyne.ThemeColorName = "kioskTile"
	ColorNameTileBorder fyne.ThemeColorName = "kioskTileBorder"
	ColorNameMuted      fyne.ThemeColorName = "kioskMuted"
)

// Scale factors of 大字模式 (elderly mode): text at least 1.5×, targets at least 1.25×.
const (
	ElderlyTextScale   = 1.5
	ElderlyTargetScale = 1.25
)

// Base sizes at scale 1, in Fyne units (pixels at scale 1).
var base = map[fyne.ThemeSizeName]float32{
	theme.SizeNameText:               22,
	theme.SizeNameHeadingText:        36,
	theme.SizeNameSubHeadingText:     28,
	theme.SizeNameCaptionText:        18,
	theme.SizeNameInlineIcon:         32,
	theme.SizeNamePadding:            8,
	theme.SizeNameInnerPadding:       10,
	theme.SizeNameLineSpacing:        6,
	theme.SizeNameSeparatorThickness: 2,
	theme.SizeNameInputBorder:        2,
	theme.SizeNameInputRadius:        8,
	theme.SizeNameSelectionRadius:    4,
	theme.SizeNameScrollBar:          24,
	theme.SizeNameScrollBarSmall:     12,
	SizeNameTarget:                   64,
	SizeNameTile:                     148,
	SizeNameDisplayText:              96,
	SizeNameBarText:                  22,
	SizeNameStatusText:               46,
	SizeNameGap:                      MinGap,
}

// Sizes scaled with the text in 大字模式; the rest scale with the targets.
var textSizes = map[fyne.ThemeSizeName]bool{
	theme.SizeNameText: true, theme.SizeNameHeadingText: true, theme.SizeNameSubHeadingText: true,
	theme.SizeNameCaptionText: true, theme.SizeNameInlineIcon: true, theme.SizeNameLineSpacing: true,
	SizeNameDisplayText: true, SizeNameBarText: true, SizeNameStatusText: true,
}

// Palette: dark text on white, white text on a deep blue bar; every pair used together
// has a contrast ratio of at least 4.5:1 (TestContrast checks them).
var palette = map[fyne.ThemeColorName]color.NRGBA{
	theme.ColorNameBackground:          {0xFF, 0xFF, 0xFF, 0xFF},
	theme.ColorNameForeground:          {0x14, 0x14, 0x14, 0xFF},
	theme.ColorNameButton:              {0xE4, 0xEC, 0xF5, 0xFF},
	theme.ColorNameDisabledButton:      {0xEE, 0xEE, 0xEE, 0xFF},
	theme.ColorNameDisabled:            {0x5C, 0x5C, 0x5C, 0xFF},
	theme.ColorNamePrimary:             {0x0A, 0x4F, 0x9A, 0xFF},
	theme.ColorNameForegroundOnPrimary: {0xFF, 0xFF, 0xFF, 0xFF},
	theme.ColorNameError:               {0xB0, 0x1E, 0x1E, 0xFF},
	theme.ColorNameForegroundOnError:   {0xFF, 0xFF, 0xFF, 0xFF},
	theme.ColorNameSuccess:             {0x17, 0x6B, 0x2C, 0xFF},
	theme.ColorNameForegroundOnSuccess: {0xFF, 0xFF, 0xFF, 0xFF},
	theme.ColorNameWarning:             {0x8A, 0x4B, 0x00, 0xFF},
	theme.ColorNameForegroundOnWarning: {0xFF, 0xFF, 0xFF, 0xFF},
	theme.ColorNameFocus:               {0x0A, 0x4F, 0x9A, 0x60},
	// No hover colour: on a touchscreen the pointer stays where the finger lifted, and a
	// hover shade would stick to the last button tapped.
	theme.ColorNameHover:               {0, 0, 0, 0},
	theme.ColorNamePressed:             {0x0A, 0x4F, 0x9A, 0x40},
	theme.ColorNameHyperlink:           {0x0A, 0x4F, 0x9A, 0xFF},
	theme.ColorNameInputBackground:     {0xF4, 0xF6, 0xF9, 0xFF},
	theme.ColorNameInputBorder:         {0x5C, 0x5C, 0x5C, 0xFF},
	theme.ColorNamePlaceHolder:         {0x5C, 0x5C, 0x5C, 0xFF},
	theme.ColorNameSelection:           {0x0A, 0x4F, 0x9A, 0x40},
	theme.ColorNameSeparator:           {0xB8, 0xC2, 0xCC, 0xFF},
	theme.ColorNameShadow:              {0, 0, 0, 0x40},
	theme.ColorNameOverlayBackground:   {0xFF, 0xFF, 0xFF, 0xFF},
	theme.ColorNameMenuBackground:      {0xFF, 0xFF, 0xFF, 0xFF},
	theme.ColorNameHeaderBackground:    {0xE4, 0xEC, 0xF5, 0xFF},
	theme.ColorNameScrollBar:           {0x5C, 0x5C, 0x5C, 0xFF},
	theme.ColorNameScrollBarBackground: {0xEE, 0xEE, 0xEE, 0xFF},
	ColorNameBar:                       {0x0A, 0x3D, 0x7A, 0xFF},
	ColorNameOnBar:                     {0xFF, 0xFF, 0xFF, 0xFF},
	ColorNameBadge:                     {0xFF, 0xD4, 0x00, 0xFF},
	ColorNameOnBadge:                   {0x14, 0x14, 0x14, 0xFF},
	ColorNameTile:                      {0xF2, 0xF6, 0xFB, 0xFF},
	ColorNameTileBorder:                {0x0A, 0x4F, 0x9A, 0xFF},
	ColorNameMuted:                     {0x4A, 0x4A, 0x4A, 0xFF},
}

// Font is the bundled CJK font as a Fyne resource: Fyne's own default text font
// resource, refilled with the bundle. Fyne parses a style's theme font and then its own
// default text font as the style's first fallback, unless the two are the same resource
// (internal/painter/font.go, lookupFaces); Noto Sans would cost 3 MB of parsed tables
// for no character the bundle lacks (a test checks the UI strings against the bundle,
// and rarer characters still fall back to system fonts one by one). Should a later Fyne
// hand out another kind of resource, Font is a resource of its own and Fyne parses both.
var Font = asFynesTextFont("KioskSansSC-Regular.otf", assets.Font)

func asFynesTextFont(name string, content []byte) fyne.Resource {
	if r, ok := theme.DefaultTextFont().(*fyne.StaticResource); ok {
		r.StaticName, r.StaticContent = name, content
		return r
	}
	return fyne.NewStaticResource(name, content)
}

// Kiosk is the theme. An app keeps one and switches it between normal mode and 大字模式
// with SetElderly, then lays its screens out again. Handing Fyne a new theme instead
// (Settings.SetTheme) makes it parse the fonts again, and Fyne 2.8.1 keeps every parse
// for good: its one text shaper caches a shaping plan per font face, never dropped
// (≈ 2.3 MB of the bundled font a switch; docs/benchmarks.md, Long run).
type Kiosk struct {
	elderly atomic.Bool
}

// New returns a theme in the given mode.
func New(elderly bool) *Kiosk {
	k := &Kiosk{}
	k.elderly.Store(elderly)
	return k
}

// Elderly reports whether the theme is in 大字模式.
func (k *Kiosk) Elderly() bool { return k.elderly.Load() }

// SetElderly switches the mode and reports whether it changed. Sizes change at once;
// what is already laid out keeps its size until it is refreshed.
func (k *Kiosk) SetElderly(on bool) bool { return k.elderly.Swap(on) != on }

// Color ignores the variant: the OS dark/light setting must not change a kiosk.
func (k *Kiosk) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	if c, ok := palette[n]; ok {
		return c
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

// Font returns the bundled CJK font for text; monospace and symbols stay on Fyne's fonts.
// The bundle has one weight, and Fyne does not embolden: bold text would look the same
// yet make Fyne parse the bundled font a second time (megabytes of memory), as it caches
// faces by text style. Screens therefore never ask for bold; emphasis is size and colour.
func (k *Kiosk) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace || s.Symbol {
		return theme.DefaultTheme().Font(s)
	}
	return Font
}

// Icon returns Fyne's icons (coloured by our palette).
func (k *Kiosk) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

// Size returns the size for the mode: text ×1.5 and targets ×1.25 in 大字模式, the gap
// between controls as it is.
func (k *Kiosk) Size(n fyne.ThemeSizeName) float32 {
	v, ok := base[n]
	if !ok {
		v = theme.DefaultTheme().Size(n)
	}
	if !k.Elderly() || n == SizeNameGap {
		return v
	}
	if textSizes[n] {
		return v * ElderlyTextScale
	}
	return v * ElderlyTargetScale
}

// Contrast returns the WCAG contrast ratio of two opaque colours (1 to 21).
func Contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	ch := func(v uint32) float64 {
		s := float64(v) / 0xFFFF
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(b)
}
