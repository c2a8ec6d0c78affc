// Package bitext holds text that data files give in two languages: Simplified Chinese,
// always, and English, where given. Screens and receipts pick one with In.
package bitext

import "github.com/liangzihu/kiosk/app/i18n"

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
