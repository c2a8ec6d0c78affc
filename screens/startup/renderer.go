package startup

import (
	"fmt"
	"path/filepath"
)

// The renderers a kiosk can paint with (kiosk.renderer).
const (
	OpenGL   = "opengl"   // Fyne's OpenGL driver
	Software = "software" // screens/softdriver: the kiosk's painter into a plain X11 window
)

// renderNodes is where a GPU's render nodes appear; a variable for the test.
var renderNodes = "/dev/dri/renderD*"

// ChooseRenderer resolves the configured renderer ("auto", "opengl" or "software") and
// says why, for the log. "auto" paints in software where the machine has no GPU render
// node: OpenGL would run on Mesa's llvmpipe there, which costs some 60 MB for its
// shader compiler and paints no faster than the kiosk's own painter.
func ChooseRenderer(configured string) (renderer, why string) {
	if configured != "auto" {
		return configured, "configured"
	}
	nodes, _ := filepath.Glob(renderNodes)
	if len(nodes) == 0 {
		return Software, fmt.Sprintf("no GPU (no %s)", renderNodes)
	}
	return OpenGL, "GPU render node " + nodes[0]
}
