package stafftest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"syscall"
	"testing"
)

// Nobody is the user nobody, for a test that runs a staff client as another account
// than the kiosk's: Exe is a copy of the test binary where nobody may run it.
type Nobody struct {
	UID, GID uint32
	Exe      string
}

// AsNobody makes the test binary runnable by nobody. It needs root to run a process
// as another user: the test is skipped otherwise, and where the machine has no nobody.
func AsNobody(t testing.TB) Nobody {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody: %v", err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	n := Nobody{Exe: filepath.Join(bin, "client")}
	if err := os.WriteFile(n.Exe, data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Dir(bin), bin} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Sscan(u.Uid, &n.UID)
	fmt.Sscan(u.Gid, &n.GID)
	return n
}

// Command runs the test binary with args as nobody, in groups as well as nobody's own,
// in the binary's folder, with env alone for its environment.
func (n Nobody) Command(groups []uint32, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(n.Exe, args...)
	cmd.Dir, cmd.Env = filepath.Dir(n.Exe), env
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: n.UID, Gid: n.GID, Groups: groups}}
	return cmd
}
