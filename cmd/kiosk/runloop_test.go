package main

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The kiosk ends whether or not the window's loop returns once asked to quit: Fyne's
// OpenGL loop sometimes waits for ever instead (runLoop), and a restart staff asked for
// then never came back. stop runs once either way.
func TestRunLoop(t *testing.T) {
	t.Run("the loop returns", func(t *testing.T) {
		var calls atomic.Int32
		quit := make(chan struct{})
		stop := sync.OnceFunc(func() { calls.Add(1) })
		runLoop(slog.New(slog.DiscardHandler), func() { close(quit) }, quit, 0, stop)
		if n := calls.Load(); n != 1 {
			t.Fatalf("stop ran %d times", n)
		}
	})
	t.Run("the loop never returns", func(t *testing.T) {
		quit, stopped, hung := make(chan struct{}), make(chan struct{}), make(chan struct{})
		t.Cleanup(func() { close(hung) })
		go runLoop(slog.New(slog.DiscardHandler), func() { <-hung }, quit, time.Millisecond, sync.OnceFunc(func() { close(stopped) }))
		close(quit)
		select {
		case <-stopped:
		case <-time.After(time.Minute):
			t.Fatal("stop did not run while the loop hung after its quit")
		}
	})
}
