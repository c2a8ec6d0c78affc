//go:build !linux

package staff

import (
	"fmt"
	"net"
	"runtime"
)

// ListenDir refuses: the socket's own folder is set up through an open folder and
// /proc/self/fd (sockdir_linux.go), on Linux only, the one system the kiosk runs on.
func ListenDir(dir string, gid int) (net.Listener, error) {
	return nil, fmt.Errorf("staff: staff.socket_dir is supported on Linux only, not on %s: leave it empty", runtime.GOOS)
}
