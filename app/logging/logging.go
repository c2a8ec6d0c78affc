// Package logging sets up the kiosk's structured log: JSON lines to a size-capped file
// in the data folder, plus stderr. A redacting handler masks anything that looks like an
// ID number or a mobile number, as a last guard: code must not log personal data at all.
package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/liangzihu/kiosk/app/mask"
)

// Options configure the log.
type Options struct {
	// Dir is the folder of the log files; empty means stderr only.
	Dir string
	// MaxBytes caps one file; Files is how many files are kept (current included).
	MaxBytes int64
	Files    int
	// Stderr also writes each record to this writer (normally os.Stderr); nil for none.
	Stderr io.Writer
	Level  slog.Level
}

// New returns the logger and a closer for its file.
func New(o Options) (*slog.Logger, io.Closer, error) {
	var handlers []slog.Handler
	var closer io.Closer = nopCloser{}
	hopts := &slog.HandlerOptions{Level: o.Level}
	if o.Dir != "" {
		if err := os.MkdirAll(o.Dir, 0o700); err != nil {
			return nil, nil, fmt.Errorf("logging: %w", err)
		}
		f, err := OpenRotating(filepath.Join(o.Dir, "kiosk.log"), o.MaxBytes, o.Files)
		if err != nil {
			return nil, nil, err
		}
		closer = f
		handlers = append(handlers, slog.NewJSONHandler(f, hopts))
	}
	if o.Stderr != nil {
		handlers = append(handlers, slog.NewJSONHandler(o.Stderr, hopts))
	}
	var h slog.Handler = multi(handlers)
	return slog.New(Redact(h)), closer, nil
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// multi fans a record out to several handlers.
type multi []slog.Handler

func (m multi) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range m {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (m multi) Handle(ctx context.Context, r slog.Record) error {
	var first error
	for _, h := range m {
		if h.Enabled(ctx, r.Level) {
			if err := h.Handle(ctx, r.Clone()); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

func (m multi) WithAttrs(a []slog.Attr) slog.Handler {
	out := make(multi, len(m))
	for i, h := range m {
		out[i] = h.WithAttrs(a)
	}
	return out
}

func (m multi) WithGroup(name string) slog.Handler {
	out := make(multi, len(m))
	for i, h := range m {
		out[i] = h.WithGroup(name)
	}
	return out
}

var (
	// 18-character resident / permit / 2023 foreigner numbers, and 15-character ones.
	idPattern = regexp.MustCompile(`\d{17}[\dXx]|[A-Z]{3}\d{12}`)
	// Mainland mobile numbers, also with +86 or 86 before them and written 138 1234 5678.
	phonePattern = regexp.MustCompile(`(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}`)
)

// Scrub masks ID and mobile numbers inside free text: wherever they stand (after
// letters too, as in ID420702…), but not inside a longer run of digits (an order number).
func Scrub(s string) string {
	s = maskRuns(s, idPattern, mask.IDNumber)
	return maskRuns(s, phonePattern, maskPhone)
}

// maskRuns replaces each match of re that no digit touches with f of it.
func maskRuns(s string, re *regexp.Regexp, f func(string) string) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		if m[0] > 0 && isDigit(s[m[0]-1]) || m[1] < len(s) && isDigit(s[m[1]]) {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(f(s[m[0]:m[1]]))
		last = m[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// maskPhone masks a mobile number as written: a +86 before it kept, its 11 digits as
// mask.Phone writes them.
func maskPhone(p string) string {
	var digits []byte
	start := len(p)
	for start > 0 && len(digits) < 11 {
		start--
		if isDigit(p[start]) {
			digits = append([]byte{p[start]}, digits...)
		}
	}
	return p[:start] + mask.Phone(string(digits))
}

// Redact wraps h so that string values and messages are scrubbed before they are written.
func Redact(h slog.Handler) slog.Handler { return redact{h} }

type redact struct{ next slog.Handler }

func (r redact) Enabled(ctx context.Context, l slog.Level) bool { return r.next.Enabled(ctx, l) }

func (r redact) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, Scrub(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(scrubAttr(a))
		return true
	})
	return r.next.Handle(ctx, out)
}

func (r redact) WithAttrs(a []slog.Attr) slog.Handler {
	s := make([]slog.Attr, len(a))
	for i := range a {
		s[i] = scrubAttr(a[i])
	}
	return redact{r.next.WithAttrs(s)}
}

func (r redact) WithGroup(name string) slog.Handler { return redact{r.next.WithGroup(name)} }

func scrubAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, Scrub(v.String()))
	case slog.KindGroup:
		g := v.Group()
		s := make([]any, len(g))
		for i := range g {
			s[i] = scrubAttr(g[i])
		}
		return slog.Group(a.Key, s...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, Scrub(err.Error()))
		}
		return slog.String(a.Key, Scrub(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// Rotating is an io.WriteCloser that keeps a file under a size cap by renaming it to
// name.1 (name.1 to name.2, …) when the next write would pass the cap.
type Rotating struct {
	mu    sync.Mutex
	path  string
	max   int64
	files int
	f     *os.File
	size  int64
	// closed is set by Close. Until then a file that could not be opened again after a
	// rotation (a full disk, its folder gone) is opened at the next write.
	closed bool
}

// OpenRotating opens (appending) or creates the log file at path.
func OpenRotating(path string, maxBytes int64, files int) (*Rotating, error) {
	if maxBytes <= 0 {
		maxBytes = 10 << 20
	}
	if files < 1 {
		files = 1
	}
	r := &Rotating{path: path, max: maxBytes, files: files}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Rotating) open() error {
	f, err := os.OpenFile(r.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("logging: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("logging: %w", err)
	}
	r.f, r.size = f, st.Size()
	return nil
}

// Write appends p, rotating first when p would pass the cap.
func (r *Rotating) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, os.ErrClosed
	}
	if r.f == nil {
		if err := r.open(); err != nil {
			return 0, err
		}
	}
	if r.size > 0 && r.size+int64(len(p)) > r.max {
		if err := r.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

func (r *Rotating) rotate() error {
	r.f.Close()
	r.f = nil
	if r.files == 1 {
		if err := os.Remove(r.path); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("logging: rotate: %w", err)
		}
		return r.open()
	}
	os.Remove(fmt.Sprintf("%s.%d", r.path, r.files-1))
	for i := r.files - 2; i >= 1; i-- {
		os.Rename(fmt.Sprintf("%s.%d", r.path, i), fmt.Sprintf("%s.%d", r.path, i+1))
	}
	if err := os.Rename(r.path, r.path+".1"); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("logging: rotate: %w", err)
	}
	return r.open()
}

// Close closes the file.
func (r *Rotating) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}
