package storetest

import (
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// envAlone names, in the environment of a child that Alone started, the test it runs.
const envAlone = "KIOSK_TEST_ALONE"

// Alone runs the calling top-level test in a process of its own: this test binary run
// again for that test only. It returns true in that child, where the test goes on
// (and may limit the process's files, FullDisk), and false in the parent, once the
// child has ended: the parent fails with the child's output when the child failed, and
// is skipped when the child skipped. What the child does to its process (a file size
// limit) cannot reach the other tests of the package, which run in the parent.
func Alone(t *testing.T) bool {
	t.Helper()
	if os.Getenv(envAlone) == t.Name() {
		// Writes past the limit fail with EFBIG rather than the signal killing the
		// process, as a full disk fails them with ENOSPC.
		signal.Ignore(syscall.SIGXFSZ)
		return true
	}
	if strings.Contains(t.Name(), "/") {
		t.Fatal("storetest.Alone runs top-level tests only")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), envAlone+"="+t.Name())
	out, err := cmd.CombinedOutput()
	switch {
	case err != nil:
		t.Fatalf("%s in a process of its own: %v\n%s", t.Name(), err, out)
	case strings.Contains(string(out), "--- SKIP: "+t.Name()):
		t.Skipf("%s in a process of its own skipped:\n%s", t.Name(), out)
	case !strings.Contains(string(out), "--- PASS: "+t.Name()):
		t.Fatalf("%s did not run in the child process:\n%s", t.Name(), out)
	case testing.Verbose():
		t.Logf("%s in a process of its own:\n%s", t.Name(), out)
	}
	return false
}

// FullDisk makes every write that would take a regular file past n bytes fail, with
// EFBIG, as on a full disk (the process's soft RLIMIT_FSIZE; ask for it only in the
// child of Alone). A file already longer can still be written below n. It returns
// the function that frees the space again (the limit as it was); t's cleanup calls it
// too. A hard limit below n (the mechanism unavailable) skips t.
func FullDisk(t testing.TB, n uint64) (free func()) {
	t.Helper()
	if os.Getenv(envAlone) == "" {
		t.Fatal("storetest.FullDisk limits the whole process: run the test through storetest.Alone")
	}
	var was unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_FSIZE, &was); err != nil {
		t.Skipf("no file size limit here: %v", err)
	}
	if was.Max < n {
		t.Skipf("the hard file size limit %d is below %d", was.Max, n)
	}
	if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: n, Max: was.Max}); err != nil {
		t.Skipf("the file size limit cannot be set: %v", err)
	}
	freed := false
	free = func() {
		if freed {
			return
		}
		freed = true
		if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &was); err != nil {
			t.Fatalf("the file size limit cannot be lifted: %v", err)
		}
	}
	t.Cleanup(free)
	return free
}
