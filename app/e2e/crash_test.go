package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// The child side of TestCrash: a kiosk that submits requests as fast as it can while its
// outbox forwards them, until it is killed; or, in drain mode, forwards what is left.
const (
	envChild = "KIOSK_E2E_CRASH_CHILD"
	envDir   = "KIOSK_E2E_DIR"
	envURLs  = "KIOSK_E2E_URLS"
	envSeed  = "KIOSK_E2E_SEED"
)

// crashOrders is how many order keys (accounts) the child spreads its requests over.
const crashOrders = 12

func TestCrashChild(t *testing.T) {
	mode := os.Getenv(envChild)
	if mode == "" {
		t.Skip("runs only as TestCrash's child process")
	}
	var urls map[string]string
	if err := json.Unmarshal([]byte(os.Getenv(envURLs)), &urls); err != nil {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
	k, err := openKiosk(os.Getenv(envDir), urls, outbox.Options{Base: 5 * time.Millisecond, Cap: 50 * time.Millisecond})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
	k.ob.Start(context.Background())
	fmt.Println("READY")
	if mode == "drain" {
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			left := 0
			for _, n := range k.ob.Pending() {
				left += n
			}
			if left == 0 {
				k.close()
				fmt.Println("DRAINED")
				os.Exit(0)
			}
			time.Sleep(10 * time.Millisecond)
		}
		fmt.Println("ERROR drain timed out")
		os.Exit(3)
	}
	var seed uint64
	fmt.Sscan(os.Getenv(envSeed), &seed)
	rnd := rand.New(rand.NewPCG(seed, 7))
	for i := 0; ; i++ {
		// One request in three is a joint application: 2 to 4 parts at as many utilities.
		n, group := 1, ""
		if rnd.IntN(3) == 0 {
			n, group = 2+rnd.IntN(len(utilitysim.Utilities)-1), fmt.Sprintf("G%d-%d", seed, i)
			fmt.Printf("JOINT %s %d\n", group, n)
		}
		var reqs []outbox.Request
		for _, j := range rnd.Perm(len(utilitysim.Utilities))[:n] {
			u := utilitysim.Utilities[j]
			reqs = append(reqs, outbox.Request{Utility: u, Kind: utility.KindApplication, Order: fmt.Sprint("acct-", rnd.IntN(crashOrders)),
				Group: group, Body: application(u, i)})
		}
		res, err := k.ob.SubmitAll(context.Background(), reqs, 0)
		if err != nil {
			fmt.Println("ERROR", err)
			os.Exit(2)
		}
		// Only now are the requests acknowledged.
		for j, r := range res {
			fmt.Printf("ACK %s %s %s\n", r.KioskRef, r.Utility, reqs[j].Order)
		}
		time.Sleep(time.Duration(rnd.IntN(3)) * time.Millisecond)
	}
}

type ack struct{ ref, utility, order string }

// run is what a child said: its acknowledgements, the joint applications it began to
// submit (group → parts) and its last word.
type run struct {
	acks   []ack
	joints map[string]int
	last   string
}

// runChild starts the child and returns what it said once it has exited (by itself, or
// killed after a random moment).
func runChild(t *testing.T, dir string, urls []byte, mode string, seed uint64, killAfter time.Duration) run {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envChild+"="+mode, envDir+"="+dir, envURLs+"="+string(urls), fmt.Sprint(envSeed, "=", seed))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := run{joints: map[string]int{}}
	ready := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(out)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			f := strings.Fields(line)
			switch {
			case len(f) == 4 && f[0] == "ACK":
				r.acks = append(r.acks, ack{f[1], f[2], f[3]})
			case len(f) == 3 && f[0] == "JOINT":
				n, _ := strconv.Atoi(f[2])
				r.joints[f[1]] = n
			case line == "READY":
				once.Do(func() { close(ready) })
			case strings.HasPrefix(line, "ERROR") || line == "DRAINED":
				r.last = line
			}
		}
		once.Do(func() { close(ready) })
	}()
	if killAfter > 0 {
		select {
		case <-ready:
		case <-time.After(30 * time.Second):
			t.Fatal("the child did not start")
		}
		time.Sleep(killAfter)
		_ = cmd.Process.Signal(syscall.SIGKILL)
	}
	wg.Wait()
	err = cmd.Wait()
	if killAfter == 0 && err != nil {
		t.Fatalf("child (%s): %v, last line %q", mode, err, r.last)
	}
	if strings.HasPrefix(r.last, "ERROR") {
		t.Fatalf("child: %s", r.last)
	}
	return r
}

// TestCrash SIGKILLs a submitting and forwarding kiosk at random moments, restarts it
// each time, and checks at the utilities that every acknowledged request arrived
// exactly once, in order per account, and that nothing arrived twice; and at the kiosk
// that every joint application was stored with all its parts or with none.
func TestCrash(t *testing.T) {
	if os.Getenv(envChild) != "" {
		t.Skip("child")
	}
	kills := 200
	if testing.Short() {
		kills = 30
	}
	s := startSim(t, utilitysim.Options{})
	// Some answers are cut after the utility committed: the kiosk must resend, not duplicate.
	for _, id := range utilitysim.Utilities {
		s.SetFaults(id, utilitysim.Faults{CutRate: 0.05, LatencyMS: 1})
	}
	urls, _ := json.Marshal(s.BaseURLs())
	dir := t.TempDir()
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var acks []ack
	joints := map[string]int{}
	start := time.Now()
	for i := 0; i < kills; i++ {
		r := runChild(t, dir, urls, "submit", uint64(i), time.Duration(rnd.IntN(40000))*time.Microsecond)
		acks = append(acks, r.acks...)
		maps.Copy(joints, r.joints)
	}
	killed := time.Since(start)
	for _, id := range utilitysim.Utilities {
		s.SetFaults(id, utilitysim.Faults{})
	}
	if r := runChild(t, dir, urls, "drain", 0, 0); r.last != "DRAINED" {
		t.Fatalf("drain: %q", r.last)
	}
	count, pos := received(t, s)
	for _, a := range acks {
		if count[a.ref] != 1 {
			t.Errorf("acknowledged %s arrived %d times", a.ref, count[a.ref])
		}
	}
	for ref, n := range count {
		if n > 1 {
			t.Errorf("%s arrived %d times", ref, n)
		}
	}
	// Per account, acknowledged requests arrived in the order they were submitted.
	byOrder := map[string][]ack{}
	for _, a := range acks {
		byOrder[a.utility+"/"+a.order] = append(byOrder[a.utility+"/"+a.order], a)
	}
	for key, l := range byOrder {
		sorted := sort.SliceIsSorted(l, func(i, j int) bool { return pos[l[i].ref] < pos[l[j].ref] })
		if !sorted {
			t.Errorf("%s: requests arrived out of order", key)
		}
	}
	k, err := openKiosk(dir, map[string]string{}, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer k.close()
	dead, _ := k.ob.DeadLetters()
	done, _ := k.ob.List(outbox.Done, 0)
	if len(dead) != 0 || len(done) != len(count) {
		t.Errorf("kiosk: %d done, %d dead; the utilities processed %d", len(done), len(dead), len(count))
	}
	// A joint application the kill interrupted was stored whole or not at all.
	cut := 0
	for group, n := range joints {
		parts, err := k.ob.ByGroup(group)
		switch {
		case err != nil:
			t.Fatal(err)
		case len(parts) == 0:
			cut++
		case len(parts) != n:
			t.Errorf("joint application %s: %d of its %d parts stored", group, len(parts), n)
		}
	}
	t.Logf("%d kills in %v: %d acknowledged, %d stored and delivered exactly once; %d joint applications, %d cut before they were stored",
		kills, killed.Round(time.Millisecond), len(acks), len(count), len(joints), cut)
	if len(acks) < kills {
		t.Errorf("only %d requests acknowledged in %d runs: the kills came too early to test much", len(acks), kills)
	}
}
