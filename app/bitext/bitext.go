// Package bitext holds text that data files give in two languages: Simplified Chinese,
// always, and English, where given. Screens and receipts pick one with In.
package bitext

import (
	"strings"

	"github.com/liangzihu/kiosk/app/i18n"
)

// Text is a piece of citizen-facing text in Chinese and English.
type Text struct {
	ZH string
	EN string
}

// New returns a Text.
func New(zh, en string) Text { return Text{ZH: zh, EN: en} }

// In returns the text in lang; English falls back to Chinese when it is missing.
func (t Text) In(lang i18n.Lang) string {
	if lang == i18n.EN && t.EN != "" {
		return t.EN
	}
	return t.ZH
}

// String is the Chinese text.
func (t Text) String() string { return t.ZH }

// IsZero reports whether both languages are empty.
func (t Text) IsZero() bool { return t.ZH == "" && t.EN == "" }

// The most characters a text in a data file may have (the utilities' catalogues and
// public information, which their signed bundles replace): a heading, a name, a label
// or a cell is a line (MaxLine), a description, note or paragraph a few lines
// (MaxParagraph); a page section's text of several paragraphs MaxSection, each of them
// MaxParagraph. A text past them cannot be shown on a screen, or on a page of one, and
// would only cost the kiosk time to lay out.
const (
	MaxLine      = 80
	MaxParagraph = 500
	MaxSection   = 4 * MaxParagraph
	// maxPattern bounds a form field's pattern (a regular expression, not shown).
	maxPattern = 200
)

// Limit is the most characters a data file's text under key may have, in either
// language (key_en as key).
func Limit(key string) int {
	switch strings.TrimSuffix(key, "_en") {
	case "description", "help", "materials", "message", "next", "note", "standard", "items", "reason":
		return MaxParagraph
	case "text":
		return MaxSection
	case "pattern":
		return maxPattern
	}
	return MaxLine
}
