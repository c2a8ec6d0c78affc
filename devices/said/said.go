// Package said holds what the device drivers say to hall staff, in Chinese and in
// English: the Chinese goes to logs, kioskctl and the journal; a maintenance screen in
// English shows the English beside it.
package said

// Said is a text for staff in Chinese and in English.
type Said struct{ ZH, EN string }

// Table is a driver's words for each value of K (a state, say).
type Table[K comparable] map[K]Said

// Unknown is what a table says of a value it lacks.
var Unknown = Said{ZH: "未知", EN: "unknown"}

// ZH is k's Chinese (未知 for a k the table lacks).
func (t Table[K]) ZH(k K) string { return t.of(k).ZH }

// EN is k's English (unknown for a k the table lacks).
func (t Table[K]) EN(k K) string { return t.of(k).EN }

func (t Table[K]) of(k K) Said {
	if s, ok := t[k]; ok {
		return s
	}
	return Unknown
}

// Words adds the table's texts to words, Chinese to English, and returns it.
func (t Table[K]) Words(words map[string]string) map[string]string {
	for _, s := range t {
		words[s.ZH] = s.EN
	}
	return words
}
