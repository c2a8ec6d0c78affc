package screens

import (
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/utility"
)

// The journal keeps what the program did in the program's words, English, as kioskctl
// journal list prints them. The journal's screen words them for staff in their
// language, by the event's kind and the shapes the program writes them in; it never
// shows an error's text (a network error, a refused bundle's, which echoes what was
// sent), and what it does not recognise it points to kioskctl journal list for.

// wording is a detail of a fixed shape: re matches it, and its groups are key's
// arguments.
type wording struct {
	re  *regexp.Regexp
	key string
}

// wordings are the details the program writes in fixed shapes, by kind.
var wordings = map[journal.Kind][]wording{
	journal.StaffExport: {
		{regexp.MustCompile(`^database copy started$`), "maint.words.export_started"},
		{regexp.MustCompile(`^database copied, (\d+) bytes$`), "maint.words.exported"},
		{regexp.MustCompile(`^database copy cut short after (\d+) bytes$`), "maint.words.export_cut"},
	},
	journal.Retention: {{regexp.MustCompile(`^personal data of (\d+) requests erased; (\d+) requests, (\d+) journal entries, ` +
		`(\d+) receipts kept for reprinting and (\d+) unsettled payment orders removed$`), "maint.words.retention"}},
	journal.BundleRollback: {
		{regexp.MustCompile(`^version (\d+) rolled back to the kiosk's own content$`), "maint.words.rolled_back_own"},
		{regexp.MustCompile(`^version (\d+) rolled back to version (\d+)$`), "maint.words.rolled_back"},
	},
	journal.RequestDead:    {{regexp.MustCompile(`^(\d+) attempts failed$`), "maint.words.attempts_failed"}},
	journal.RequestExpired: {{regexp.MustCompile(`^not delivered before its deadline$`), "maint.words.expired"}},
	journal.RequestClosed:  {{regexp.MustCompile(`\(already_done\)$`), "maint.words.already_done"}},
	journal.UtilityBack:    {{regexp.MustCompile(`^failed since (.+)$`), "maint.words.failed_since"}},
	journal.DataBack:       {{regexp.MustCompile(`^failed since (.+)$`), "maint.words.failed_since"}},
	journal.PaymentSettled: {
		{regexp.MustCompile(`^paid; receipt kept for reprinting$`), "maint.words.paid_kept"},
		{regexp.MustCompile(`^paid; receipt printed$`), "maint.words.paid_printed"},
		{regexp.MustCompile(`^paid; no printer$`), "maint.words.paid_no_printer"},
		{regexp.MustCompile(`^paid; receipt not kept`), "maint.words.paid_not_kept"},
		{regexp.MustCompile(`^not made at the utility$`), "maint.words.order_not_made"},
		{regexp.MustCompile(`^unknown at the utility$`), "maint.words.order_unknown"},
	},
}

var (
	// A bundle applied: version 5[, held until 2026-12-01T00:00:00Z][: note][ (version 4,
	// held for later, dropped: it is not newer)].
	bundleApplied = regexp.MustCompile(`^version (\d+)(?:, held until (\S+?))?(?:: (.*?))?(?: \(version (\d+), held for later, dropped: it is not newer\))?$`)
	// A bundle held: version 6, effective 2026-12-01T00:00:00Z[, in place of version 5][: note].
	bundleScheduled = regexp.MustCompile(`^version (\d+), effective ([^\s,]+)(?:, in place of version (\d+))?(?:: (.*))?$`)
	// The end of a refusal for a version not newer than one applied, or one held.
	staleBundle = regexp.MustCompile(`version (\d+), and version (\d+) (was applied|is held to take effect later)$`)
	// A utility's failure, as utility.Error says it: utility water: transfers.create: unavailable (HTTP 503) …
	utilityFailure = regexp.MustCompile(`^utility [^:]+: [^:]+: ([a-z ]+)`)
)

// heldDropped begins the refusal of a bundle that was held for later and then dropped.
const heldDropped = "held for later, dropped: "

// bundleRefusals word a refused bundle by the error its detail begins with.
var bundleRefusals = []struct {
	err error
	key string
}{
	{app.ErrBundleContent, "maint.words.bundle_content"},
	{app.ErrBundleEndpoint, "maint.words.bundle_endpoint"},
	{bundle.ErrMalformed, "maint.words.bundle_malformed"},
	{bundle.ErrNoKey, "maint.words.bundle_no_key"},
	{bundle.ErrSignature, "maint.words.bundle_signature"},
	{bundle.ErrScope, "maint.words.bundle_scope"},
	{bundle.ErrExpired, "maint.words.bundle_expired"},
	{bundle.ErrNotYetValid, "maint.words.bundle_not_yet_valid"},
	{bundle.ErrDropped, "maint.words.bundle_dropped"},
}

// codeWords is a utility's error code as staff read it.
func (s *Shell) codeWords(code string) string {
	if key := "maint.words.code_" + code; s.K.Text.Has(key) {
		return s.T(key)
	}
	return s.T("maint.words.code", code)
}

// eventWords is an event's detail as staff read it on the screen.
func (s *Shell) eventWords(e journal.Event) string {
	switch e.Kind {
	case journal.RequestForwarded:
		for _, o := range []struct{ prefix, key string }{{"answered", "maint.sent_answered"}, {"failed", "maint.sent_failed"}, {"refused", "maint.sent_refused"}} {
			if strings.HasPrefix(e.Detail, o.prefix) {
				return s.T(o.key)
			}
		}
		return ""
	case journal.RequestRejected:
		if e.Detail == "" {
			return ""
		}
		return s.codeWords(e.Detail)
	case journal.UtilityHeld:
		return s.failureWords(e.Detail)
	case journal.BundleApplied:
		return s.appliedWords(e.Detail)
	case journal.BundleScheduled, journal.BundleDropped:
		// A bundle dropped is said as it was held: its version, when, its note.
		return s.scheduledWords(e.Detail)
	case journal.BundleRefused:
		return s.refusalWords(e.Detail)
	case journal.PaymentPaid:
		return utility.Fen(e.Amount).Yuan()
	case journal.RequestClosed:
		// A payment order's dead letter the kiosk closed once it learnt how the order
		// ended: why, as the kiosk says it to staff (Chinese, with its English).
		if strings.ContainsFunc(e.Detail, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			return s.K.StaffWords(e.Detail)
		}
	case journal.PaymentSettled:
		if code, ok := strings.CutPrefix(e.Detail, "refused at the utility: "); ok {
			return s.T("maint.words.order_refused", s.codeWords(code))
		}
		if key := "maint.words.payment_" + e.Detail; s.K.Text.Has(key) {
			return s.T(key)
		}
	case journal.PaymentEnded:
		// How the screen told it, with the order's amount: cancelled, expired; unconfirmed.
		status, guessed := strings.CutSuffix(e.Detail, "; not confirmed by the utility")
		if key := "maint.words.payment_" + status; s.K.Text.Has(key) {
			words := s.T(key) + " " + utility.Fen(e.Amount).Yuan()
			if guessed {
				return s.T("maint.words.payment_unconfirmed", words)
			}
			return words
		}
	case journal.Print, journal.StaffReprint:
		// The receipt printed: its kind, as a receipt (payment is 缴费凭条 here, not the
		// request that makes the order).
		if key := "maint.receipt." + e.Detail; s.K.Text.Has(key) {
			return s.T(key)
		}
	case journal.PrintFailed:
		// A citizen's receipt not printed: "payment: " and why. Why it did not print is the
		// printer's advice or the kiosk's reason, written for staff (in Chinese); one that
		// could not be made has the program's error, which is not shown. The reason is
		// said in the staff's language where the kiosk knows its words (StaffWords).
		if kind, why, ok := strings.Cut(e.Detail, ": "); ok && s.K.Text.Has("maint.receipt."+kind) {
			if why == journal.PrintInterrupted {
				// Made, and cut short by the kiosk stopping: not one that could not be made.
				return s.T("maint.words.receipt_interrupted", s.T("maint.receipt."+kind))
			}
			if strings.ContainsFunc(why, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
				return s.T("maint.words.receipt_not_printed", s.T("maint.receipt."+kind), s.K.StaffWords(why))
			}
			return s.T("maint.words.receipt_not_made", s.T("maint.receipt."+kind))
		}
	case journal.StaffAction:
		// The kiosk journals a staff action on its screen by the button's Chinese
		// (打印测试页, 重启终端): the button's words in the staff's language.
		for _, key := range []string{"maint.test_page", "maint.restart"} {
			if e.Detail == s.K.Text.In(i18n.ZH, key) {
				return s.T(key)
			}
		}
	case journal.StaffReveal:
		// "idcard read: resident": the command, and the card's type in the staff's words.
		if cmd, card, ok := strings.Cut(e.Detail, ": "); ok && (cmd == "idcard read" || cmd == "idcard decode") && s.K.Text.Has("maint.detail."+card) {
			return s.T("maint.words.revealed", cmd, s.T("maint.detail."+card))
		}
	case journal.CardTaken:
		if d, err := time.ParseDuration(strings.TrimPrefix(e.Detail, "after ")); err == nil {
			return s.T("maint.detail.taken_after", int(d.Seconds()))
		}
	}
	if ws, ok := wordings[e.Kind]; ok && e.Detail != "" {
		for _, w := range ws {
			if m := w.re.FindStringSubmatch(e.Detail); m != nil {
				return s.T(w.key, anys(m[1:])...)
			}
		}
		return s.T("maint.words.see_journal")
	}
	// The journal keeps some details as the program's stable words (how a visit ended,
	// a card's type): the screen says them in the staff's language.
	if key := "maint.detail." + e.Detail; e.Detail != "" && s.K.Text.Has(key) {
		return s.T(key)
	}
	return e.Detail
}

// eventDetail is the rest of an event on one line: what it names and says. It holds no
// personal data: the journal holds none.
func (s *Shell) eventDetail(e journal.Event) string {
	var parts []string
	utility := e.Utility
	if utility != "" {
		utility = s.K.UtilityName(utility)
	}
	for _, p := range []string{utility, e.Ref, e.UtilityRef, s.actorWords(e.Actor), s.eventWords(e)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " · ")
}

// actorWords is who took a staff action, as staff read it: the name given and, for an
// action that came through the staff socket or kioskctl, the operating system's
// account the kiosk found behind it (journal.Acting), in the staff's language. The
// person's login comes first, where it is not the account itself: it is who acted. Uids
// are left to kioskctl journal list where a name says the same, so that the row stays
// short enough to read whole.
func (s *Shell) actorWords(actor string) string {
	if actor == app.MaintenanceActor {
		return s.T("maint.title") // the kiosk's own maintenance mode, in the staff's language
	}
	claim, c, ok := journal.ParseActing(actor)
	if !ok {
		return actor
	}
	if !c.Known {
		return s.T("maint.caller", claim, s.T("maint.caller.unknown"))
	}
	account := func(name string, uid uint32) string {
		if name == "" {
			return s.T("maint.caller.uid", uid)
		}
		return name
	}
	var parts []string
	if c.Self {
		parts = append(parts, s.T("maint.caller.kioskctl"))
	}
	if c.HasLogin && c.LoginUID != c.UID {
		parts = append(parts, s.T("maint.caller.login", account(c.Login, c.LoginUID)))
	}
	parts = append(parts, s.T("maint.caller.user", account(c.User, c.UID)), s.T("maint.caller.pid", c.PID))
	return s.T("maint.caller", claim, strings.Join(parts, s.T("maint.caller.sep")))
}

// failureWords word a utility's failure by its kind, as staff read it beside the
// requests it holds back.
func (s *Shell) failureWords(detail string) string {
	if m := utilityFailure.FindStringSubmatch(detail); m != nil {
		kind := strings.TrimSpace(m[1])
		for _, k := range []error{utility.ErrUnavailable, utility.ErrTimeout, utility.ErrServer, utility.ErrBusy, utility.ErrBadResponse, utility.ErrAuth} {
			if kind == strings.TrimPrefix(k.Error(), "utility: ") {
				return s.problem(utility.Problem(k))
			}
		}
	}
	return s.problem(utility.ProblemOther)
}

// appliedWords word a bundle applied: its version, since when it was held, its note.
func (s *Shell) appliedWords(detail string) string {
	m := bundleApplied.FindStringSubmatch(detail)
	if m == nil {
		return s.T("maint.words.see_journal")
	}
	w := s.T("maint.words.bundle", m[1])
	if m[2] != "" {
		w = s.T("maint.words.held_until", m[1], rfcTime(m[2]))
	}
	if m[3] != "" {
		w = s.T("maint.words.with_note", w, m[3])
	}
	if m[4] != "" {
		w = s.T("maint.words.dropped_older", w, m[4])
	}
	return w
}

// scheduledWords word a bundle held for later: its version, when it takes effect,
// the one it replaced, its note.
func (s *Shell) scheduledWords(detail string) string {
	m := bundleScheduled.FindStringSubmatch(detail)
	if m == nil {
		return s.T("maint.words.see_journal")
	}
	w := s.T("maint.words.scheduled", m[1], rfcTime(m[2]))
	if m[3] != "" {
		w = s.T("maint.words.in_place_of", w, m[3])
	}
	if m[4] != "" {
		w = s.T("maint.words.with_note", w, m[4])
	}
	return w
}

// refusalWords say why a bundle was refused, in words; the error's text is not shown.
func (s *Shell) refusalWords(detail string) string {
	rest, dropped := strings.CutPrefix(detail, heldDropped)
	why := s.T("maint.see_journal_list")
	if m := staleBundle.FindStringSubmatch(rest); m != nil && strings.HasPrefix(rest, bundle.ErrStale.Error()) {
		key := "maint.words.stale_applied"
		if m[3] != "was applied" {
			key = "maint.words.stale_held"
		}
		why = s.T(key, m[1], m[2])
	} else {
		for _, r := range bundleRefusals {
			if strings.HasPrefix(rest, r.err.Error()) {
				why = s.T(r.key)
				break
			}
		}
	}
	if dropped {
		return s.T("maint.words.held_dropped", why)
	}
	return why
}

// rfcTime is a time the journal keeps as RFC 3339, as the screens show times.
func rfcTime(v string) string {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return v
	}
	return dateTime(t)
}

// anys are strings as the arguments of a text.
func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, v := range ss {
		out[i] = v
	}
	return out
}
