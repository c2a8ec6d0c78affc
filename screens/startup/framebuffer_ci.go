//go:build ci

package startup

// LeanFramebuffer does nothing under the test driver: it has no GL window.
func LeanFramebuffer() {}
