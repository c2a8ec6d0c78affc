package main

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// processStart returns when this process was exec'd: from KIOSK_EXEC_NS (set by the
// start-up benchmark just before exec) or else from /proc (10 ms resolution), so that the
// logged start-up time covers the dynamic loader and Go's runtime start too.
func processStart() time.Time {
	if v := os.Getenv("KIOSK_EXEC_NS"); v != "" {
		if ns, err := strconv.ParseInt(v, 10, 64); err == nil {
			return time.Unix(0, ns)
		}
	}
	stat, err1 := os.ReadFile("/proc/self/stat")
	sys, err2 := os.ReadFile("/proc/stat")
	if err1 != nil || err2 != nil {
		return time.Now()
	}
	// Field 22 of /proc/self/stat (after the parenthesised command name) is the start
	// time in clock ticks since boot; /proc/stat's btime is the boot time in seconds.
	s := string(stat)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(fields) < 20 {
		return time.Now()
	}
	ticks, err := strconv.ParseInt(fields[19], 10, 64)
	if err != nil {
		return time.Now()
	}
	for _, line := range strings.Split(string(sys), "\n") {
		if rest, ok := strings.CutPrefix(line, "btime "); ok {
			bt, err := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
			if err != nil {
				break
			}
			const hz = 100 // USER_HZ on every Linux architecture the kiosk runs on
			return time.Unix(bt, 0).Add(time.Duration(ticks) * time.Second / hz)
		}
	}
	return time.Now()
}
