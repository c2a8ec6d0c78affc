package staff

import (
	"context"
	"net"
	"os"
	"os/user"
	"runtime"
	"strconv"

	"github.com/liangzihu/kiosk/app/journal"
)

// callerKey holds, in a staff request's context, the account on the other end of its
// connection (journal.Caller).
type callerKey struct{}

// connContext learns, once per connection, who is on its other end.
func connContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, callerKey{}, peerCaller(c))
}

// callerOf is the account on the other end of the request's connection.
func callerOf(ctx context.Context) journal.Caller {
	if c, ok := ctx.Value(callerKey{}).(journal.Caller); ok {
		return c
	}
	return journal.Caller{Unknown: "the request came on no staff socket connection"}
}

// Self is kioskctl's own account, for the actions it takes on the database itself while
// the kiosk is stopped: its process's user and, where the system keeps it, the account
// its person logged in as.
func Self() journal.Caller {
	uid := os.Getuid()
	if uid < 0 {
		return journal.Caller{Unknown: "no user ids on " + runtime.GOOS}
	}
	c := accountOf(uint32(uid), os.Getpid())
	c.Self = true
	return c
}

// accountOf is the account of the process pid, run by the user uid.
func accountOf(uid uint32, pid int) journal.Caller {
	c := journal.Caller{Known: true, UID: uid, User: userName(uid), PID: pid}
	if l, ok := loginUID(pid); ok {
		c.HasLogin, c.LoginUID, c.Login = true, l, userName(l)
	}
	return c
}

// userName is uid's name, or "" when the system has none for it.
func userName(uid uint32) string {
	u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10))
	if err != nil {
		return ""
	}
	return u.Username
}
