package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sort"
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
		u := utilitysim.Utilities[rnd.IntN(len(utilitysim.Utilities))]
		order := fmt.Sprint("acct-", rnd.IntN(crashOrders))
		res, err := k.ob.Submit(context.Background(), outbox.Request{Utility: u, Kind: utility.KindApplication, Order: order,
			Body: application(u, i)}, 0)
		if err != nil {
			fmt.Println("ERROR", err)
			os.Exit(2)
		}
		// Only now is the request acknowledged.
		fmt.Printf("ACK %s %s %s\n", res.KioskRef, u, order)
		time.Sleep(time.Duration(rnd.IntN(3)) * time.Millisecond)
	}
}

type ack struct{ ref, utility, order string }

// runChild starts the child and returns its acknowledgements once it has exited (by
// itself, or killed after a random moment).
func runChild(t *testing.T, dir string, urls []byte, mode string, seed uint64, killAfter time.Duration) ([]ack, string) {
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
	var acks []ack
	var last string
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
				acks = append(acks, ack{f[1], f[2], f[3]})
			case line == "READY":
				once.Do(func() { close(ready) })
			case strings.HasPrefix(line, "ERROR") || line == "DRAINED":
				last = line
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
		t.Fatalf("child (%s): %v, last line %q", mode, err, last)
	}
	if strings.HasPrefix(last, "ERROR") {
		t.Fatalf("child: %s", last)
	}
	return acks, last
}

// TestCrash SIGKILLs a submitting and forwarding kiosk at random moments, restarts it
// each time, and checks at the utilities that every acknowledged request arrived
// exactly once, in order per account, and that nothing arrived twice.
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
	start := time.Now()
	for i := 0; i < kills; i++ {
		a, _ := runChild(t, dir, urls, "submit", uint64(i), time.Duration(rnd.IntN(40000))*time.Microsecond)
		acks = append(acks, a...)
	}
	killed := time.Since(start)
	for _, id := range utilitysim.Utilities {
		s.SetFaults(id, utilitysim.Faults{})
	}
	if _, last := runChild(t, dir, urls, "drain", 0, 0); last != "DRAINED" {
		t.Fatalf("drain: %q", last)
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
	t.Logf("%d kills in %v: %d acknowledged, %d stored and delivered exactly once", kills, killed.Round(time.Millisecond), len(acks), len(count))
	if len(acks) < kills {
		t.Errorf("only %d requests acknowledged in %d runs: the kills came too early to test much", len(acks), kills)
	}
}
