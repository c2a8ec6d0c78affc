package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
)

// controlInput is where control lines come from when no --control file is given;
// tests replace it.
var controlInput io.Reader = os.Stdin

// controlLines delivers the control lines (blank lines and # comments dropped) of
// path, or of controlInput when path is empty, until ctx ends or the input does. A
// FIFO is opened read-write, so that writers may come and go (`echo remove > FIFO`)
// without an end of file. The returned stop closes the file.
func controlLines(ctx context.Context, path string) (<-chan string, func(), error) {
	in := controlInput
	stop := func() {}
	if path != "" {
		flag := os.O_RDONLY
		if fi, err := os.Stat(path); err == nil && fi.Mode()&os.ModeNamedPipe != 0 {
			flag = os.O_RDWR
		}
		f, err := os.OpenFile(path, flag, 0)
		if err != nil {
			return nil, nil, err
		}
		in, stop = f, func() { f.Close() }
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			select {
			case lines <- line:
			case <-ctx.Done():
				return
			}
		}
	}()
	return lines, stop, nil
}

// serveControl runs handle for each control line (its first word, and the rest of the
// line as typed) until ctx ends or handle returns errQuit. A line that fails is reported and the emulator keeps running; the end of
// the input does not stop it either (it may run in the background with no stdin).
func serveControl(ctx context.Context, path string, stdout io.Writer, handle func(cmd, rest string) error) error {
	lines, stop, err := controlLines(ctx, path)
	if err != nil {
		return err
	}
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				lines = nil // keep running until interrupted
				continue
			}
			cmd, rest, _ := strings.Cut(line, " ")
			err := handle(cmd, strings.TrimSpace(rest))
			if err == errQuit {
				return nil
			}
			if err != nil {
				fmt.Fprintf(stdout, "error: %s: %v\n", line, err)
			} else {
				fmt.Fprintf(stdout, "ok: %s\n", line)
			}
		}
	}
}

// errQuit is returned by a control handler for "quit".
var errQuit = fmt.Errorf("quit")
