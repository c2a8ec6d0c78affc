//go:build !linux

package staff

import (
	"net"
	"runtime"

	"github.com/liangzihu/kiosk/app/journal"
)

// peerCaller says that the account on the other end of c is not known: the kiosk reads
// peer credentials (SO_PEERCRED) on Linux only, and journals rather than guesses.
func peerCaller(net.Conn) journal.Caller {
	return journal.Caller{Unknown: "peer credentials are read on Linux only, not on " + runtime.GOOS}
}

// loginUID is not known outside Linux.
func loginUID(int) (uint32, bool) { return 0, false }
