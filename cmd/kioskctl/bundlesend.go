package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/smallfile"
)

// The utility's side of delivery over the hall network: send a signed bundle to the
// kiosks of the halls, and see which versions each shows (docs/bundles.md).
func init() {
	register("bundle", bundleSummary, "send", &subcommand{
		usage:   "send (--kiosk HOST[:PORT] ... | --kiosks FILE) BUNDLE_FILE",
		summary: "send a signed bundle to kiosks over the hall network: one line per kiosk, exit 1 unless every kiosk shows it",
		run:     bundleSend,
	})
	register("bundle", bundleSummary, "versions", &subcommand{
		usage:   "versions (--kiosk HOST[:PORT] ... | --kiosks FILE)",
		summary: "the bundle versions each kiosk shows, asked over the hall network",
		run:     bundleVersions,
	})
}

// bundlePort is the port a kiosk's address means when it names none: the one the
// configuration's example and docs/bundles.md use for bundles.listen.
const bundlePort = "8780"

// sendTimeout bounds one kiosk's answer to a bundle: it checks the bundle and, when the
// bundle moves a utility's calls, asks the utility's API (up to 15 s).
const sendTimeout = 40 * time.Second

// sendRetries is how often a kiosk's 429 (too many bundles) is waited out.
const sendRetries = 5

// kioskFlags are the kiosks a command reaches: --kiosk, repeated, and --kiosks FILE.
type kioskFlags struct {
	list []string
	file string
}

func (k *kioskFlags) register(fs *flag.FlagSet) {
	fs.Func("kiosk", "a kiosk's address, HOST or HOST:PORT (port "+bundlePort+" if none); repeat for more", func(s string) error {
		k.list = append(k.list, s)
		return nil
	})
	fs.StringVar(&k.file, "kiosks", "", "a file of kiosk addresses, one a line (# starts a comment)")
}

// maxKioskList bounds a --kiosks file: a city's kiosks, one address a line.
const maxKioskList = 1 << 20

// addresses are the kiosks named, each as host:port, in the order given, once each.
func (k *kioskFlags) addresses() ([]string, error) {
	names := append([]string{}, k.list...)
	if k.file != "" {
		data, err := smallfile.Read(k.file, maxKioskList)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			line, _, _ := strings.Cut(sc.Text(), "#")
			if line = strings.TrimSpace(line); line != "" {
				names = append(names, line)
			}
		}
	}
	if len(names) == 0 {
		return nil, usageError("name the kiosks: --kiosk HOST[:PORT], repeated, or --kiosks FILE")
	}
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		addr, err := kioskAddress(n)
		if err != nil {
			return nil, usageError("%v", err)
		}
		if !seen[addr] {
			seen[addr] = true
			out = append(out, addr)
		}
	}
	return out, nil
}

// kioskAddress is s as host:port, with bundlePort if s names no port.
func kioskAddress(s string) (string, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		host, port = strings.Trim(s, "[]"), bundlePort
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || host == "" || strings.ContainsAny(host, "/ ") {
		return "", fmt.Errorf("%q is not a kiosk's address (HOST or HOST:PORT)", s)
	}
	return net.JoinHostPort(host, port), nil
}

// answer is a kiosk's answer to a bundle (app's bundleAnswer): the version it shows of
// a utility, and the one it holds to take effect later.
type answer struct {
	Utility   string     `json:"utility"`
	Version   uint64     `json:"version"`
	Held      uint64     `json:"held"`
	Effective *time.Time `json:"effective"`
	Error     string     `json:"error"`
}

// String says what the kiosk shows of the utility, and holds for later.
func (a answer) String() string {
	s := versionName(a.Utility, a.Version)
	if a.Held > 0 && a.Effective != nil {
		s += fmt.Sprintf(" (v%d from %s)", a.Held, hallTime(*a.Effective))
	}
	return s
}

// eachKiosk runs f for every address, eight at a time, and prints its line for each in
// the order given; it returns how many lines f marked failed.
func eachKiosk(addrs []string, stdout io.Writer, f func(addr string) (line string, ok bool)) int {
	lines := make([]string, len(addrs))
	oks := make([]bool, len(addrs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, a := range addrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			lines[i], oks[i] = f(a)
		}()
	}
	wg.Wait()
	width, failed := 0, 0
	for _, a := range addrs {
		width = max(width, len(a))
	}
	for i, a := range addrs {
		fmt.Fprintf(stdout, "%-*s  %s\n", width, a, lines[i])
		if !oks[i] {
			failed++
		}
	}
	return failed
}

func bundleSend(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bundle send")
	var kiosks kioskFlags
	kiosks.register(fs)
	path, err := parseWithKind(fs, args)
	if err != nil {
		return err
	}
	if path == "" {
		return usageError("give the bundle FILE")
	}
	addrs, err := kiosks.addresses()
	if err != nil {
		return err
	}
	// Parsed first: a bundle no kiosk could read is not sent to every hall to be refused there.
	b, err := readBundle(path)
	if err != nil {
		return err
	}
	m := b.Manifest
	hc := &http.Client{Timeout: sendTimeout}
	failed := eachKiosk(addrs, stdout, func(addr string) (string, bool) {
		return sendBundle(hc, addr, b.Raw, m)
	})
	what := "show"
	if !b.Due(time.Now()) {
		what = "hold"
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d kiosks do not %s %s v%d: send the bundle to them again once the line says why no longer holds", failed, len(addrs), what, m.Utility, m.Version)
	}
	if what == "hold" {
		fmt.Fprintf(stderr, "every kiosk (%d) holds %s v%d, to be applied at %s\n", len(addrs), m.Utility, m.Version, hallTime(m.Effective))
		return nil
	}
	fmt.Fprintf(stderr, "every kiosk (%d) shows %s v%d\n", len(addrs), m.Utility, m.Version)
	return nil
}

// sendBundle posts the bundle to one kiosk, waiting out its 429s, and says what came of it.
func sendBundle(hc *http.Client, addr string, data []byte, m bundle.Manifest) (string, bool) {
	for try := 0; ; try++ {
		resp, err := hc.Post("http://"+addr+"/v1/bundles", "application/json", bytes.NewReader(data))
		if err != nil {
			return "not reached: " + netProblem(err), false
		}
		var a answer
		decodeErr := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&a)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusTooManyRequests && try < sendRetries:
			wait, err := strconv.Atoi(resp.Header.Get("Retry-After"))
			if err != nil || wait < 1 || wait > 60 {
				wait = 6
			}
			time.Sleep(time.Duration(wait) * time.Second)
			continue
		case decodeErr != nil:
			return fmt.Sprintf("not a kiosk's answer (HTTP %d)", resp.StatusCode), false
		case resp.StatusCode == http.StatusOK:
			return fmt.Sprintf("applied: %s v%d", a.Utility, a.Version), true
		case resp.StatusCode == http.StatusAccepted && a.Effective != nil:
			return fmt.Sprintf("held: %s v%d, to be applied at %s", a.Utility, a.Held, hallTime(*a.Effective)), true
		case resp.StatusCode == http.StatusConflict:
			// Not newer than a version applied or held: this one, sent before, or a later
			// one (or one staff rolled back from).
			vs, err := shown(hc, addr)
			now := vs[m.Utility]
			now.Utility = m.Utility // listed only with a bundle shown or held
			switch {
			case err != nil:
			case now.Version == m.Version:
				return fmt.Sprintf("already shows %s v%d", m.Utility, m.Version), true
			case now.Held == m.Version:
				return fmt.Sprintf("already holds %s v%d, to be applied at %s", m.Utility, m.Version, hallTime(m.Effective)), true
			default:
				return fmt.Sprintf("refused (HTTP 409): %s; it shows %s", a.Error, now), false
			}
		}
		return fmt.Sprintf("refused (HTTP %d): %s", resp.StatusCode, a.Error), false
	}
}

// versionName says which content of utility a kiosk shows: v0 is its own.
func versionName(utility string, v uint64) string {
	if v == 0 {
		return "the kiosk's own content of " + utility
	}
	return fmt.Sprintf("%s v%d", utility, v)
}

// shown asks a kiosk which bundle versions it shows and holds, by utility.
func shown(hc *http.Client, addr string) (map[string]answer, error) {
	resp, err := hc.Get("http://" + addr + "/v1/bundles")
	if err != nil {
		return nil, errors.New(netProblem(err))
	}
	defer resp.Body.Close()
	var list []answer
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&list); err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("not a kiosk's answer (HTTP %d)", resp.StatusCode)
	}
	out := map[string]answer{}
	for _, a := range list {
		out[a.Utility] = a
	}
	return out, nil
}

// netProblem is a transport error without the URL, which the line already names.
func netProblem(err error) string {
	var ue *url.Error
	switch {
	case errors.As(err, &ue) && ue.Timeout():
		return "no answer in time"
	case ue != nil:
		return ue.Err.Error()
	}
	return err.Error()
}

func bundleVersions(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bundle versions")
	var kiosks kioskFlags
	kiosks.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	addrs, err := kiosks.addresses()
	if err != nil {
		return err
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	failed := eachKiosk(addrs, stdout, func(addr string) (string, bool) {
		vs, err := shown(hc, addr)
		if err != nil {
			return "not reached: " + err.Error(), false
		}
		if len(vs) == 0 {
			return "the kiosk's own content", true
		}
		var parts []string
		for _, a := range vs {
			parts = append(parts, a.String())
		}
		sort.Strings(parts)
		return strings.Join(parts, ", "), true
	})
	if failed > 0 {
		return fmt.Errorf("%d of %d kiosks not reached", failed, len(addrs))
	}
	return nil
}
