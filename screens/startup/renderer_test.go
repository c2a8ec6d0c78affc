package startup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestChooseRenderer(t *testing.T) {
	dir := t.TempDir()
	renderNodes = filepath.Join(dir, "renderD*")
	t.Cleanup(func() { renderNodes = "/dev/dri/renderD*" })
	for _, c := range []string{OpenGL, Software} {
		if r, why := ChooseRenderer(c); r != c || why != "configured" {
			t.Errorf("configured %s: %s (%s)", c, r, why)
		}
	}
	if r, why := ChooseRenderer("auto"); r != Software || !strings.Contains(why, "no GPU") {
		t.Errorf("auto without a GPU: %s (%s)", r, why)
	}
	if err := os.WriteFile(filepath.Join(dir, "renderD128"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if r, why := ChooseRenderer("auto"); r != OpenGL || !strings.Contains(why, "renderD128") {
		t.Errorf("auto with a GPU: %s (%s)", r, why)
	}
}
