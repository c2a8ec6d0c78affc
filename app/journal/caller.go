package journal

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Caller is the operating system's account behind a staff action taken outside the
// touchscreen: the process on the other end of the staff socket, as the kernel reported
// it when it connected (SO_PEERCRED), or kioskctl's own process where it opened the
// kiosk's database while the kiosk was stopped. Unlike the actor staff type (kioskctl's
// --actor), which the kiosk cannot check, the kiosk can vouch for it.
type Caller struct {
	// Known is false where the account could not be learnt: Unknown says why (a system
	// that gives no peer credentials, a read that failed), and nothing else is set.
	Known   bool
	Unknown string
	// UID is the process's user, User its name ("" when the system has none for it),
	// PID the process.
	UID  uint32
	User string
	PID  int
	// HasLogin is set where the system keeps the account the person logged in as (the
	// kernel's audit login uid, which sudo and su keep): LoginUID and Login, its name.
	HasLogin bool
	LoginUID uint32
	Login    string
	// Self marks kioskctl's own process, which read its account itself: there was no
	// socket, the database was opened directly.
	Self bool
}

// maxName is the most of a user name a Caller's text keeps: Linux's useradd allows 32
// bytes, a directory service may hand out longer ones.
const maxName = 32

// account is a user as a Caller's text names it: "kiosk uid 998", or "uid 1234" when
// the system has no name for it. A comma in a name (which no Linux account has) is
// replaced by U+FFFD: the text's parts are separated by commas (ParseActing).
func account(name string, uid uint32) string {
	if name == "" {
		return fmt.Sprintf("uid %d", uid)
	}
	name = strings.ReplaceAll(clip(printable(name), maxName), ",", string(utf8.RuneError))
	return fmt.Sprintf("%s uid %d", name, uid)
}

// String is the caller as the journal keeps it beside the actor: "os user kiosk uid 998,
// login staff1 uid 1001, pid 4242", "kioskctl as os user …" for kioskctl's own process,
// "os user unknown: why" when it is not known.
func (c Caller) String() string {
	if !c.Known {
		return "os user unknown: " + printable(c.Unknown)
	}
	var b strings.Builder
	if c.Self {
		b.WriteString("kioskctl as ")
	}
	b.WriteString("os user " + account(c.User, c.UID))
	if c.HasLogin {
		b.WriteString(", login " + account(c.Login, c.LoginUID))
	}
	fmt.Fprintf(&b, ", pid %d", c.PID)
	return b.String()
}

// MaxClaim is the most of the actor staff give that Acting keeps, in bytes.
const MaxClaim = 64

// maxCaller is the most of a Caller's text Acting keeps: two names of maxName bytes,
// their uids and the pid fit well within it.
const maxCaller = 160

// Acting is the actor the journal keeps for a staff action that actor (as staff gave
// it) took as c: the name given, at most MaxClaim bytes of it, then c in ⟨⟩, as in
// "工号0107 王五 ⟨os user kiosk uid 998, login staff1 uid 1001, pid 4242⟩". A ⟨ or ⟩ in
// the name given is replaced by U+FFFD, so that the caller the kiosk vouches for is the
// one in the last ⟨⟩, and a long name cannot push it out of the journal's MaxActor. A
// blank actor stays blank: an action needs one, and its check must still refuse it.
func Acting(actor string, c Caller) string {
	if strings.TrimSpace(actor) == "" {
		return actor
	}
	claim := strings.Map(func(r rune) rune {
		if r == '⟨' || r == '⟩' {
			return utf8.RuneError
		}
		return r
	}, printable(actor))
	return clip(claim, MaxClaim) + " ⟨" + clip(c.String(), maxCaller) + "⟩"
}

// acting matches the caller Acting puts at an actor's end, as Caller.String writes it.
var acting = regexp.MustCompile(`^(.*) ⟨(?:os user unknown: (.*)|(kioskctl as )?os user (?:([^,]+?) )?uid (\d+)(?:, login (?:([^,]+?) )?uid (\d+))?, pid (\d+))⟩$`)

// ParseActing splits an actor that Acting made into the name staff gave and the caller
// it names; ok is false for an actor without one (maintenance mode on the screen, a
// broker's topic, an entry from before callers were journaled). A caller's user name
// holding " uid " is read as far as its first.
func ParseActing(actor string) (claim string, c Caller, ok bool) {
	m := acting.FindStringSubmatch(actor)
	if m == nil {
		return actor, Caller{}, false
	}
	if m[5] == "" {
		return m[1], Caller{Unknown: m[2]}, true
	}
	c = Caller{Known: true, Self: m[3] != "", User: m[4], Login: m[6]}
	uid, err1 := strconv.ParseUint(m[5], 10, 32)
	pid, err2 := strconv.Atoi(m[8])
	if err := errors.Join(err1, err2); err != nil {
		return actor, Caller{}, false
	}
	c.UID, c.PID = uint32(uid), pid
	if m[7] != "" {
		l, err := strconv.ParseUint(m[7], 10, 32)
		if err != nil {
			return actor, Caller{}, false
		}
		c.HasLogin, c.LoginUID = true, uint32(l)
	}
	return m[1], c, true
}
