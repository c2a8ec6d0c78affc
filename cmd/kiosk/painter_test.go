//go:build !glframes

package main

// newPainter returns what paints the journey's window once, as BenchmarkCardToAccounts
// times its final frame: here Fyne's software painter drawing the whole canvas
// (content and overlays). The glframes build waits for the OpenGL painter's next frame.
func newPainter(k *journey) func() { return k.paint }
