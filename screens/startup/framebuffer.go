//go:build !ci

package startup

import "github.com/go-gl/glfw/v3.4/glfw"

// LeanFramebuffer asks GLFW for a window without depth and stencil buffers. Fyne draws
// in 2D and clips with scissor rectangles, and leaves GLFW's defaults (24-bit depth,
// 8-bit stencil): with Mesa's software renderer that is a 1280×800 buffer of 4 MB
// that nothing reads. Call it on the main goroutine after the app's first window is
// made (GLFW is initialised then) and before it is shown (the hints apply at creation).
func LeanFramebuffer() {
	glfw.WindowHint(glfw.DepthBits, 0)
	glfw.WindowHint(glfw.StencilBits, 0)
}
