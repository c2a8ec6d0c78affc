package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/app/mask"
	"github.com/liangzihu/kiosk/app/smallfile"
	"github.com/liangzihu/kiosk/devices/idcard"
	"github.com/liangzihu/kiosk/devices/serialport"
)

func init() {
	const summary = "decode and read 二代身份证 reader replies"
	register("idcard", summary, "decode", &subcommand{
		usage:   "decode [--reveal [--actor STAFF_NO [--config FILE | --socket PATH]]] [FILE]",
		summary: "decode one reader reply frame (hex, from FILE or stdin) into a JSON card, masked unless --reveal (journaled with --actor)",
		run:     idcardDecode,
	})
	register("idcard", summary, "read", &subcommand{
		usage:   "read --port PATH [--baud N] [--wait DURATION] [--reveal [--actor STAFF_NO [--config FILE | --socket PATH]]]",
		summary: "read the card on a reader once and print it as JSON, masked unless --reveal (journaled with --actor)",
		run:     idcardRead,
	})
}

func idcardDecode(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("idcard decode")
	rv := revealFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return errUsage
	}
	out, err := rv.open("idcard decode", nil)
	if err != nil {
		return err
	}
	defer out.close()
	// A reply frame is under 4 KiB, as hex with spaces under 12 KiB.
	const maxText = 1 << 20
	var text []byte
	if fs.NArg() == 0 {
		text, err = io.ReadAll(io.LimitReader(stdin, maxText))
	} else {
		text, err = smallfile.Read(fs.Arg(0), maxText)
	}
	if err != nil {
		return err
	}
	frame, err := hex.DecodeString(strings.Join(strings.Fields(string(text)), ""))
	if err != nil {
		return fmt.Errorf("input is not hex bytes: %w", err)
	}
	if len(frame) == 0 {
		return errors.New("no input: give one reply frame as hex")
	}
	r, err := idcard.DecodeReply(frame)
	if err != nil {
		return fmt.Errorf("bad frame: %s", oneLine(err))
	}
	card, _, err := idcard.ParseReadReply(r)
	if err != nil {
		var se *idcard.StatusError
		if errors.As(err, &se) {
			return fmt.Errorf("reader status %02X (%s): the reply carries no card", byte(se.Status), se.Status.Meaning())
		}
		return errors.New(oneLine(err))
	}
	return out.print(stdout, card)
}

func idcardRead(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("idcard read")
	port := fs.String("port", "", "the reader's serial port (e.g. /dev/serial/by-id/...)")
	baud := fs.Int("baud", serialport.DefaultBaud, "the reader's baud rate")
	wait := fs.Duration("wait", 5*time.Second, "how long to wait for a card to be placed")
	rv := revealFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := errors.Join(required("port", *port), noArgs(fs)); err != nil {
		return err
	}
	if *baud <= 0 || *wait < 0 {
		return usageError("--baud must be positive and --wait not negative")
	}
	// The kiosk reached, and the actor checked, before the card is read.
	out, err := rv.open("idcard read", stderr)
	if err != nil {
		return err
	}
	defer out.close()
	p, err := serialport.Open(*port, serialport.Mode{Baud: *baud})
	if err != nil {
		return fmt.Errorf("%s: %v", idcard.StaffMessage(idcard.ErrNoReader), err)
	}
	defer p.Close()
	c := idcard.NewClient(p, *baud, idcard.Timeouts{})
	ctx, cancel := context.WithTimeout(context.Background(), *wait+10*time.Second)
	defer cancel()
	if err := c.SAMStatus(ctx); err != nil {
		return fmt.Errorf("%s: %s", idcard.StaffMessage(err), oneLine(err))
	}
	until := time.Now().Add(*wait)
	for {
		err = c.Find(ctx)
		if err == nil || !errors.Is(err, idcard.ErrNoCard) || !time.Now().Before(until) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if errors.Is(err, idcard.ErrNoCard) {
		return fmt.Errorf("no card on the reader (waited %v)", *wait)
	}
	if err != nil {
		return fmt.Errorf("%s: %s", idcard.StaffMessage(err), oneLine(err))
	}
	card, err := c.ReadFound(ctx)
	if err != nil {
		return fmt.Errorf("%s: %s", idcard.StaffMessage(err), oneLine(err))
	}
	return out.print(stdout, card)
}

// revealOpts is --reveal, and what journals it: a staff member's --actor and the kiosk
// whose journal records the card shown in full (--config or --socket, as every staff
// action).
type revealOpts struct {
	on    *bool
	actor *string
	at    reach
}

func revealFlags(fs *flag.FlagSet) revealOpts {
	return revealOpts{
		on: fs.Bool("reveal", false, "print names, numbers, birth date and address in full; with --actor and the kiosk (--config while it is stopped, or its socket) "+
			"journaled in the kiosk's journal first (staff.reveal: who, the card's holder as a keyed hash), else journaled nowhere"),
		actor: fs.String("actor", "", "with --reveal: your staff number (工号), for the journal"),
		at:    reachFlags(fs),
	}
}

// cardOut prints cards: in full once each is journaled on the kiosk d, or in full
// unjournaled (full: --reveal without --actor), else masked.
type cardOut struct {
	cmd   string
	d     *kioskData
	actor string
	full  bool
}

// open reaches the kiosk for --reveal --actor and checks the actor. --reveal alone shows
// the card unjournaled, and says so on warn when not nil (a card read: a frame's file
// holds the card in clear already). Without --reveal, nothing (--actor, --config or
// --socket given then are refused: they would do nothing).
func (r revealOpts) open(cmd string, warn io.Writer) (cardOut, error) {
	if !*r.on {
		if *r.actor != "" || *r.at.config != "" || *r.at.socket != "" {
			return cardOut{}, usageError("--actor, --config and --socket go with --reveal (the masked card is journaled nowhere: it shows nobody's data)")
		}
		return cardOut{cmd: cmd}, nil
	}
	if *r.actor == "" {
		if *r.at.config != "" || *r.at.socket != "" {
			return cardOut{}, usageError("--reveal with --config or --socket needs --actor: a card shown in full is journaled with who saw it")
		}
		// A bench with a test card, a frame captured: journaling cannot be forced on
		// whoever may open the reader's port or read the file. In the hall, staff give
		// --actor.
		if warn != nil {
			fmt.Fprintln(warn, "kioskctl: the card is shown in full and journaled nowhere (--actor with --config or --socket journals it)")
		}
		return cardOut{cmd: cmd, full: true}, nil
	}
	d, who, err := r.at.acting(*r.actor)
	if err != nil {
		return cardOut{}, err
	}
	return cardOut{cmd: cmd, d: d, actor: who}, nil
}

func (s cardOut) close() {
	if s.d != nil {
		s.d.close()
	}
}

// print prints card: in full only once the kiosk has journaled it.
func (s cardOut) print(w io.Writer, card *idcard.Card) error {
	if s.d == nil {
		return printCard(w, card, s.full)
	}
	if err := s.d.Reveal(context.Background(), s.actor, s.cmd+": "+card.Type.String(), card.IDNumber); err != nil {
		return fmt.Errorf("the card is not shown in full, as the kiosk did not journal it: %w", err)
	}
	return printCard(w, card, true)
}

// oneLine flattens a (possibly joined) error into one line without the package prefix.
func oneLine(err error) string {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "idcard: ")
	}
	return strings.Join(lines, "; ")
}

// cardJSON is the card as kioskctl prints it; keys a card type lacks are omitted.
type cardJSON struct {
	Type        string `json:"type"`
	Name        string `json:"name,omitempty"`
	EnglishName string `json:"english_name,omitempty"`
	Gender      string `json:"gender,omitempty"`
	Nation      string `json:"nation,omitempty"`
	Nationality string `json:"nationality,omitempty"`
	Birth       string `json:"birth,omitempty"`
	Address     string `json:"address,omitempty"`
	IDNumber    string `json:"id_number,omitempty"`
	Authority   string `json:"authority,omitempty"`
	ValidFrom   string `json:"valid_from,omitempty"`
	ValidTo     string `json:"valid_to,omitempty"`
	PassNumber  string `json:"pass_number,omitempty"`
	IssueCount  string `json:"issue_count,omitempty"`
	ChecksumOK  bool   `json:"checksum_ok"`
}

// printCard writes the card as one JSON object, masked unless reveal.
func printCard(w io.Writer, c *idcard.Card, reveal bool) error {
	j := cardJSON{
		Type: c.Type.String(), Name: c.Name, EnglishName: c.EnglishName, Gender: c.Gender(),
		Nation: c.Nation(), Nationality: c.Nationality, Birth: c.Birth.String(), Address: c.Address,
		IDNumber: c.IDNumber, Authority: c.Authority, ValidFrom: c.ValidFrom.String(),
		ValidTo: c.ValidTo.String(), PassNumber: c.PassNumber, IssueCount: c.IssueCount,
		ChecksumOK: c.NumberOK,
	}
	if c.LongTerm {
		j.ValidTo = "长期"
	}
	if !reveal {
		j.Name, j.EnglishName = mask.Name(j.Name), mask.Name(j.EnglishName)
		j.IDNumber, j.PassNumber = mask.IDNumber(j.IDNumber), mask.IDNumber(j.PassNumber)
		j.Address = mask.Address(j.Address)
		if j.Birth != "" {
			j.Birth = "****-**-**"
		}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(j)
}
