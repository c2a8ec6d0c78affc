package startup

import (
	"strconv"
	"testing"
	"time"
)

func TestProcessStart(t *testing.T) {
	t.Run("from the benchmark's exec time", func(t *testing.T) {
		exec := time.Date(2026, 11, 26, 8, 0, 0, 123456789, time.UTC)
		t.Setenv("KIOSK_EXEC_NS", strconv.FormatInt(exec.UnixNano(), 10))
		if got := ProcessStart(); !got.Equal(exec) {
			t.Fatalf("ProcessStart() = %v, want %v", got, exec)
		}
	})
	t.Run("from /proc/self/stat", func(t *testing.T) {
		t.Setenv("KIOSK_EXEC_NS", "")
		got := ProcessStart()
		// The test binary started before this test and less than an hour ago; the
		// clock-tick resolution is 10 ms.
		if age := time.Since(got); age < 0 || age > time.Hour {
			t.Fatalf("process started %v ago", age)
		}
	})
}
