package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

// startProfiling writes a CPU profile of the first seconds and a heap profile after
// them into dir, when KIOSK_PROFILE_DIR names one (KIOSK_PROFILE_DIR=/tmp/p bin/kiosk).
// It is how docs/benchmarks.md shows where start-up time and memory go.
func startProfiling(log *slog.Logger) {
	dir := os.Getenv("KIOSK_PROFILE_DIR")
	if dir == "" {
		return
	}
	cpu, err := os.Create(filepath.Join(dir, "cpu.pprof"))
	if err != nil {
		log.Warn("profile", "err", err)
		return
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		log.Warn("profile", "err", err)
		return
	}
	time.AfterFunc(3*time.Second, func() {
		pprof.StopCPUProfile()
		cpu.Close()
		runtime.GC()
		if f, err := os.Create(filepath.Join(dir, "heap.pprof")); err == nil {
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		log.Info("memory after 3 s", "heap_inuse_mb", m.HeapInuse>>20, "sys_mb", m.Sys>>20)
	})
}
