package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/liangzihu/kiosk/app/staffpin"
)

func init() {
	const summary = "staff access on the kiosk's screen: the maintenance-mode PIN and its lockout"
	register("staff", summary, "pin-hash", &subcommand{
		usage:   "pin-hash",
		summary: "read a new maintenance-mode PIN (6 to 12 digits) from stdin, typed or piped, and print its hash for [staff] pin_hash",
		run:     staffPINHash,
	})
	register("staff", summary, "unlock", &subcommand{
		usage:   "unlock --actor STAFF_NO [--config FILE | --socket PATH]",
		summary: "end a lockout of the maintenance PIN after too many wrong PINs (and the wait after a wrong one), the kiosk running or not",
		run:     staffUnlock,
	})
}

// staffUnlock journals staff's unlock, which ends the run of wrong PINs the PIN screen
// counts: a lockout otherwise lasts staff.lockout from the last wrong PIN, restarts
// included.
func staffUnlock(args []string, stdout, stderr io.Writer) error {
	return actorAction("staff unlock", "unlocks it", args, nil, func(d *kioskData, actor string) error {
		if err := d.UnlockPIN(context.Background(), actor); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "kiosk %s: maintenance PIN unlocked; the wrong PINs before now no longer count (journaled as staff.unlock)\n", d.id.ID)
		return nil
	})
}

// staffPINHash reads the PIN from stdin, not from an argument, so that it stays out of
// the shell's history and of ps; typed at a terminal, it is not echoed, and so asked for
// twice.
func staffPINHash(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("staff pin-hash")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	pin, err := readPIN(stdin, stderr)
	if err != nil {
		return err
	}
	hash, err := staffpin.Hash(pin)
	if err != nil {
		return err
	}
	// The hash alone on stdout, for a script; the advice on stderr, for the person.
	fmt.Fprintln(stdout, hash)
	fmt.Fprintln(stderr, "put it in the kiosk's configuration as [staff] pin_hash = \"…\" (kioskctl config check checks it), then restart the kiosk")
	return nil
}

// readPIN reads a PIN, one line, and refuses one that staffpin.ValidPIN refuses. At a
// terminal it asks for the PIN on stderr with echo off, then for the same again, and
// refuses two that differ: a slip nobody saw would lock staff out. Piped, the one line
// is the PIN.
func readPIN(in io.Reader, prompt io.Writer) (string, error) {
	r := bufio.NewReader(io.LimitReader(in, 1024))
	f, ok := in.(*os.File)
	var restore func()
	if ok {
		restore, ok = noEcho(f)
	}
	if !ok {
		return validPIN(readLine(r))
	}
	defer restore()
	ask := func(what string) (string, error) {
		fmt.Fprint(prompt, what)
		defer fmt.Fprintln(prompt) // the Enter typed was not echoed either
		return readLine(r)
	}
	pin, err := validPIN(ask("new maintenance PIN (6 to 12 digits, not shown), then Enter: "))
	if err != nil {
		return "", err
	}
	again, err := ask("the same PIN again: ")
	if err != nil {
		return "", err
	}
	if again != pin {
		return "", errors.New("the two PINs typed differ: nothing was hashed; run kioskctl staff pin-hash again")
	}
	return pin, nil
}

// readLine reads one line, without its end (\n or \r\n).
func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	if line == "" {
		return "", errors.New("no PIN on stdin: type it, or pipe it in, as one line")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// validPIN passes on what readLine read if it may be a new PIN, in
// staffpin.ValidNewPIN's words.
func validPIN(pin string, err error) (string, error) {
	if err != nil {
		return "", err
	}
	if err := staffpin.ValidNewPIN(pin); err != nil {
		return "", errors.New(strings.TrimPrefix(err.Error(), "staffpin: "))
	}
	return pin, nil
}

// noEcho turns f's echo off when f is a terminal, and returns how to turn it back on.
// Ctrl-C meanwhile turns it back on too: the shell would otherwise stay silent.
func noEcho(f *os.File) (restore func(), ok bool) {
	fd := int(f.Fd())
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, false // a pipe or a file
	}
	old := *t
	t.Lflag &^= unix.ECHO
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, t); err != nil {
		return nil, false
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sig:
			unix.IoctlSetTermios(fd, unix.TCSETS, &old)
			os.Exit(130)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sig)
		close(done)
		unix.IoctlSetTermios(fd, unix.TCSETS, &old)
	}, true
}
