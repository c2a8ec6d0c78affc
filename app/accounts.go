package app

import (
	"context"
	"errors"
	"strings"
	"unicode"

	"github.com/liangzihu/kiosk/app/bitext"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/utility"
)

// ErrNoSession means an operation needs an identified citizen and there is none.
var ErrNoSession = errors.New("app: no citizen session")

// LookupState is where one utility's answer stands.
type LookupState int

const (
	// Loading: the utility has been asked and has not answered yet.
	Loading LookupState = iota
	// Found: the utility answered with accounts (possibly none).
	Found
	// Unavailable: the utility did not answer in time or failed.
	Unavailable
)

// UtilityAccounts is one utility's tile on the accounts screen.
type UtilityAccounts struct {
	Utility  string
	State    LookupState
	Accounts []utility.Account
	// Err is why the utility is unavailable; CitizenMessage words it for the citizen.
	Err error
}

// Accounts is the citizen's accounts at every enabled utility, filled in as each
// utility answers. It lives in the session and is dropped with it (Wipe).
type Accounts struct {
	fanout[[]utility.Account]
}

// Tiles returns a snapshot, in display order.
func (a *Accounts) Tiles() []UtilityAccounts {
	var out []UtilityAccounts
	for _, r := range a.snapshot() {
		out = append(out, UtilityAccounts{Utility: r.utility, State: r.state, Accounts: r.value, Err: r.err})
	}
	return out
}

const accountsKey = "accounts"

// StartAccountLookup asks every enabled utility at once for the identified citizen's
// accounts, each with its own timeout, so that a slow or broken utility holds up none of
// the others. It returns at once with every tile Loading; the OnLookup listeners hear
// of each answer. The result lives in the session (see SessionAccounts) and is dropped
// with it; Wait blocks until every utility answered. The kiosk starts it itself as soon
// as a card identifies a citizen, before any screen asks.
func (k *Kiosk) StartAccountLookup() (*Accounts, error) {
	acc := &Accounts{fanout[[]utility.Account]{what: "account look-up", ask: func(ctx context.Context, c utility.Client, id utility.Identity) ([]utility.Account, error) {
		return c.AccountsByIdentity(ctx, id)
	}}}
	if err := startFanout(k, k.Sessions.Current(), accountsKey, acc, k.Utilities); err != nil {
		return nil, err
	}
	return acc, nil
}

// RetryAccounts asks one utility again for the visit's accounts, its tile being
// Unavailable (重新查询: it failed a moment ago and may be back): the tile is Loading
// until it answers. It reports whether it asked: not when the tile is not Unavailable
// (a second tap while it asks), nor without a look-up in the visit.
func (k *Kiosk) RetryAccounts(utilityID string) bool {
	return retryFanout[[]utility.Account](k, accountsKey, utilityID)
}

// accountsChanged asks one utility again for the visit's accounts, a payment there
// having changed what the citizen owes: the tile shows what it showed until the answer.
func (k *Kiosk) accountsChanged(s *session.Session, utilityID string) {
	v, ok := s.Get(accountsKey)
	if !ok {
		return
	}
	acc, ok := v.(*Accounts)
	c, err := k.Client(utilityID)
	if !ok || err != nil {
		return
	}
	k.spawn(func() {
		<-acc.done // the first answer must not overwrite this one
		askFanout(k, s, &acc.fanout, []utility.Client{c}, true)
	})
}

// SessionAccounts returns the accounts looked up in this session, if any.
func (k *Kiosk) SessionAccounts() (*Accounts, bool) {
	s := k.Sessions.Current()
	if s == nil {
		return nil, false
	}
	v, ok := s.Get(accountsKey)
	if !ok {
		return nil, false
	}
	a, ok := v.(*Accounts)
	return a, ok
}

// FindAccount looks an account up by its number (户号) at one utility, for a citizen
// without an ID card. A visit without a card gets an anonymous session for it when it
// asks. The account found is the asking visit's: an answer that comes after that visit
// ended (a card placed over it) goes nowhere, and opens no visit of its own, which
// would close maintenance mode staff opened meanwhile.
func (k *Kiosk) FindAccount(ctx context.Context, utilityID, number string) (utility.Account, error) {
	c, err := k.Client(utilityID)
	if err != nil {
		return utility.Account{}, err
	}
	number = strings.TrimSpace(number)
	if !utility.ValidAccountNumber(number) {
		return utility.Account{}, ErrBadAccountNumber
	}
	visit := k.EnsureSession()
	a, err := c.Account(ctx, number)
	if err != nil {
		return utility.Account{}, err
	}
	visit.Set("account/"+utilityID+"/"+number, a) // nothing once the visit is wiped
	return a, nil
}

// ErrBadAccountNumber means a typed or scanned account number is not one.
var ErrBadAccountNumber = errors.New("app: not an account number")

// EnsureSession returns the open session, opening an anonymous one (no identity) when
// there is none, so that what an anonymous citizen looks up is wiped like the rest, and
// the screen goes home when they walk away. The journal has its start as it has its end.
// Once the kiosk has closed, the session returned has ended already and keeps nothing.
func (k *Kiosk) EnsureSession() *session.Session {
	if s := k.Sessions.Current(); s != nil {
		return s
	}
	s := k.Sessions.Start()
	if k.Sessions.Closed() { // the kiosk has closed: no visit opened, and the journal is closed too
		return s
	}
	k.record(journal.Event{Kind: journal.SessionStart, Session: s.ID, Detail: journal.Anonymous})
	return s
}

// Bills lists an account's bills, newest first.
func (k *Kiosk) Bills(ctx context.Context, utilityID, account string) ([]utility.Bill, error) {
	c, err := k.Client(utilityID)
	if err != nil {
		return nil, err
	}
	return c.Bills(ctx, account)
}

// Bill returns one bill with its tiers, fees and 能效 detail.
func (k *Kiosk) Bill(ctx context.Context, utilityID, account, billID string) (utility.Bill, error) {
	c, err := k.Client(utilityID)
	if err != nil {
		return utility.Bill{}, err
	}
	return c.Bill(ctx, account, billID)
}

// CitizenMessage is what a citizen reads about an error of a utility operation, in the
// kiosk's language: the utility's own words where it gave any (a refusal, a limit), else
// a sentence that names the utility and says what to do.
func (k *Kiosk) CitizenMessage(err error, utilityID string) string {
	return k.citizenMessage(k.Text.Lang(), err, utilityID)
}

// Refusal is CitizenMessage in both languages, for a refusal kept and shown later: the
// receipt prints the Chinese whatever the screen's language, and the screen shows it in
// the language of the moment. The utility's own words are the same in both.
func (k *Kiosk) Refusal(err error, utilityID string) bitext.Text {
	return bitext.New(k.citizenMessage(i18n.ZH, err, utilityID), k.citizenMessage(i18n.EN, err, utilityID))
}

// refusal is Refusal as the two strings PartAnswer and Application keep.
func (k *Kiosk) refusal(err error, utilityID string) (zh, en string) {
	r := k.Refusal(err, utilityID)
	return r.ZH, r.EN
}

// RefusedIn is the refusal in language l.
func (p PartAnswer) RefusedIn(l i18n.Lang) string { return bitext.New(p.Refused, p.RefusedEN).In(l) }

// RefusedIn is the refusal in language l.
func (a Application) RefusedIn(l i18n.Lang) string { return bitext.New(a.Refused, a.RefusedEN).In(l) }

func (k *Kiosk) citizenMessage(l i18n.Lang, err error, utilityID string) string {
	if errors.Is(err, ErrBadAccountNumber) || errors.Is(err, utility.ErrNotBillQR) {
		return k.Text.In(l, "accounts.bad_number")
	}
	if own := utility.Own(err); own != "" {
		if l == i18n.ZH || !strings.ContainsFunc(own, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			return own
		}
		// The utility's words are Chinese (docs/utility-api.md): an English screen says
		// the problem in English and gives them after it, rather than a Chinese sentence
		// under an English heading.
		return k.Text.In(l, "utility.own_words", k.problemWords(l, err, utilityID), own)
	}
	return k.problemWords(l, err, utilityID)
}

// problemWords is the kiosk's sentence for the problem of err, in language l.
func (k *Kiosk) problemWords(l i18n.Lang, err error, utilityID string) string {
	p := utility.Problem(err)
	if owed := utility.Owed(err); p == utility.ProblemUnpaid && owed > 0 {
		return k.Text.In(l, "utility.unpaid_amount", owed.Yuan())
	}
	return k.Text.In(l, "utility."+p, k.utilityNameIn(l, utilityID))
}

// LookupMessage is CitizenMessage for an account looked up by its number or a bill's QR:
// what was not found is the account.
func (k *Kiosk) LookupMessage(err error, utilityID string) string {
	switch {
	case errors.Is(err, utility.ErrNotFound):
		return k.Text.T("accounts.not_found")
	case errors.Is(err, ErrNotServed):
		// A bill of a utility this hall's kiosk does not serve: not 暂时, which sends the
		// citizen back to scan it again and again. Whom to ask, as for a part of a joint
		// application that is no longer looked up here.
		return k.Text.T("lookup.not_served", k.UtilityName(utilityID), k.askUtility(utilityID))
	}
	return k.CitizenMessage(err, utilityID)
}

// ScannedBillMessage is LookupMessage for an account looked up by a bill's QR: a number
// the utility has no record of was read from its own bill, not typed, and there is
// nothing on the bill for the citizen to check; whom to ask instead.
func (k *Kiosk) ScannedBillMessage(err error, utilityID string) string {
	if errors.Is(err, utility.ErrNotFound) {
		return k.Text.T("lookup.bill_not_found", k.UtilityName(utilityID), k.askUtility(utilityID))
	}
	return k.LookupMessage(err, utilityID)
}

// askUtility says whom to ask about a utility's records: its hotline, or the counter.
func (k *Kiosk) askUtility(utilityID string) string {
	if h := k.UtilityHotline(utilityID); h != "" {
		return k.Text.T("track.part_ask_hotline", k.UtilityName(utilityID), h)
	}
	return k.Text.T("track.part_ask_counter")
}
