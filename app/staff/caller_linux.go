package staff

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/liangzihu/kiosk/app/journal"
)

// peerCaller is the account of the process that connected c, as the kernel recorded it
// at connect(2) (SO_PEERCRED): what it reports cannot be set by the client.
func peerCaller(c net.Conn) journal.Caller {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return journal.Caller{Unknown: fmt.Sprintf("a %T connection, not a Unix socket's", c)}
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return journal.Caller{Unknown: "SO_PEERCRED: " + err.Error()}
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) { cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED) }); err != nil || cerr != nil {
		return journal.Caller{Unknown: "SO_PEERCRED: " + errors.Join(err, cerr).Error()}
	}
	return accountOf(cred.Uid, int(cred.Pid))
}

// unsetLoginUID is the audit login uid of a process no login started (a service, a
// container's process): (uid_t)-1.
const unsetLoginUID = 1<<32 - 1

// loginUID is the audit login uid of the process pid (/proc/PID/loginuid): the account
// its person logged in as, which sudo and su keep and only a privileged login service
// sets. False where it is unset or cannot be read (the process gone, no audit support).
func loginUID(pid int) (uint32, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/loginuid")
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32)
	if err != nil || n == unsetLoginUID {
		return 0, false
	}
	return uint32(n), true
}
