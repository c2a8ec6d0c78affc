package startup

import (
	"os"
	"testing"
)

func TestLocaleNamesALanguageNoKioskFontIsFor(t *testing.T) {
	t.Setenv("LANGUAGE", "zh_CN")
	Locale()
	if got := os.Getenv("LANGUAGE"); got != "chr" {
		t.Fatalf("LANGUAGE = %q, want chr", got)
	}
}
