//go:build ci

package main

// leanFramebuffer does nothing under the test driver: it has no GL window.
func leanFramebuffer() {}
