package app

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/utility"
)

// Application is an application as the tracking screens show it: the utility's
// timeline, or, while a request waits for the utility, what the kiosk knows of it.
type Application struct {
	Utility  string
	Progress utility.Progress
	// Waiting is set when the utility has not answered yet: the kiosk reference is
	// known, the utility's number not (it is bound when the utility answers).
	Waiting bool
	// Refused is why an application sent from this kiosk was not accepted, in the
	// utility's words (or the kiosk's, in Chinese, and RefusedEN in English: RefusedIn);
	// it has no number then.
	Refused, RefusedEN string
	// Withdrawable is set on a Waiting application of the citizen in the visit, found by
	// their ID card: they may withdraw it (Kiosk.Withdraw).
	Withdrawable bool
	// Withdrawn is set when its citizen withdrew it before its utility had it.
	Withdrawn bool
}

// ApplicationsResult is the citizen's applications across utilities; Unavailable names
// the utilities that did not answer, Loading those that have not answered yet.
type ApplicationsResult struct {
	Applications []Application
	Unavailable  []string
	Loading      []string
}

// MyApplicationsLookup is 我的办件 by ID card: the citizen's applications at every enabled
// utility, filled in as each utility answers (a fanout, like the accounts), and those
// this kiosk submitted for them that no utility lists yet. It lives in the session and is
// dropped with it.
type MyApplicationsLookup struct {
	fanout[[]Application]
	// own are this kiosk's own unanswered applications of the citizen, read when the
	// look-up started (ownUnanswered); Result leaves out those a utility lists.
	own []Application
}

const applicationsKey = "applications"

// StartApplicationLookup asks every enabled utility at once for the identified citizen's
// applications, as StartAccountLookup does for their accounts: it returns at once, each
// utility Loading; the OnLookup listeners hear of each answer; RetryApplications asks
// one that could not be asked again. A look-up started anew (the list shown again after
// a withdrawal) replaces the visit's one before.
func (k *Kiosk) StartApplicationLookup() (*MyApplicationsLookup, error) {
	s := k.Sessions.Current()
	if s == nil {
		return nil, ErrNoSession
	}
	id, ok := s.Identity()
	if !ok {
		return nil, ErrNoSession
	}
	l := &MyApplicationsLookup{fanout: fanout[[]Application]{what: "applications", ask: func(ctx context.Context, c utility.Client, who utility.Identity) ([]Application, error) {
		list, err := c.Applications(ctx, who)
		if err != nil {
			return nil, err
		}
		out := make([]Application, 0, len(list))
		for _, p := range list {
			out = append(out, Application{Utility: c.ID(), Progress: k.completeProgress(c.ID(), p)})
		}
		return out, nil
	}}}
	l.own = k.ownUnanswered(id.IDNumber)
	if err := startFanout(k, s, applicationsKey, l, k.Utilities); err != nil {
		return nil, err
	}
	return l, nil
}

// RetryApplications asks one utility again for the visit's applications, it having been
// Unavailable (重新查询); as RetryAccounts, it reports whether it asked.
func (k *Kiosk) RetryApplications(utilityID string) bool {
	return retryFanout[[]Application](k, applicationsKey, utilityID)
}

// Result is what is known now: the applications of the utilities that answered and this
// kiosk's own that none of them lists, newest first by the minute, then in the utilities'
// order, then by number. That order is total, so that an answer only puts its
// applications among those listed and never moves two of them about, and the list is
// the same at every visit. The parts of one joint application, which the utilities
// accept milliseconds apart in any order, stay in the utilities' order (unless a minute
// begins between them: grouping them by anything looser would let a late answer move
// two listed applications about).
func (l *MyApplicationsLookup) Result() ApplicationsResult {
	var out ApplicationsResult
	answers := l.snapshot()
	for _, a := range answers {
		switch a.state {
		case Loading:
			out.Loading = append(out.Loading, a.utility)
		case Unavailable:
			out.Unavailable = append(out.Unavailable, a.utility)
		case Found:
			out.Applications = append(out.Applications, a.value...)
		}
	}
	l.mu.Lock()
	own := l.own
	l.mu.Unlock()
	out.Applications = append(out.Applications, unlisted(own, out.Applications)...)
	slices.SortStableFunc(out.Applications, func(a, b Application) int {
		return cmp.Or(b.Progress.AcceptedAt.Truncate(time.Minute).Compare(a.Progress.AcceptedAt.Truncate(time.Minute)),
			utilityOrder(a.Utility, b.Utility),
			cmp.Compare(a.Progress.Reference, b.Progress.Reference),
			cmp.Compare(a.Progress.KioskRef, b.Progress.KioskRef))
	})
	slices.SortFunc(out.Unavailable, utilityOrder)
	slices.SortFunc(out.Loading, utilityOrder)
	return out
}

// Wipe drops the applications and stops the look-up.
func (l *MyApplicationsLookup) Wipe() {
	l.fanout.Wipe()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.own = nil
}

// utilityOrder orders utilities as the screens show them (config.UtilityIDs).
func utilityOrder(a, b string) int {
	return cmp.Compare(slices.Index(config.UtilityIDs, a), slices.Index(config.UtilityIDs, b))
}

// MyApplications lists the identified citizen's applications at every utility at once,
// and those this kiosk submitted for them that no utility lists yet: waiting for their
// utility (down, or not answered yet), refused, or not delivered (Kiosk.unanswered). It
// is StartApplicationLookup waited for.
func (k *Kiosk) MyApplications(ctx context.Context) (ApplicationsResult, error) {
	l, err := k.StartApplicationLookup()
	if err != nil {
		return ApplicationsResult{}, err
	}
	select {
	case <-l.done:
		return l.Result(), nil
	case <-ctx.Done():
		l.Wipe()
		return ApplicationsResult{}, ctx.Err()
	}
}

// ChosenDate reports whether an application's deadline is a day the citizen chose (an
// appointment, the start of supply), later than its committed working days from its
// acceptance: it is then told as that day, not as the committed time.
func (k *Kiosk) ChosenDate(days int, accepted, deadline time.Time) bool {
	return !accepted.IsZero() && deadline.After(k.Calendar.Deadline(accepted, days))
}

// ErrApplicationNotFound means no utility knows the number.
var ErrApplicationNotFound = errors.New("app: no application with this number")

// ErrJointRef means the number is a 联办编号, which ties a joint application's parts
// together: FindApplication finds one application, StartJointLookup the parts. From
// StartJointLookup it means this kiosk did not take the application (it was made at
// another kiosk): each part is then tracked by its own number, printed on the receipt.
var ErrJointRef = errors.New("app: a joint reference; each part has its own number")

// ErrNumberFormat means the number is in the format of none of the enabled utilities'
// application numbers, and every one of them declares its format
// (utilities.*.application_number): no utility is asked, none could know it. The
// citizen checks it against the receipt.
var ErrNumberFormat = errors.New("app: the number is in no format of this kiosk's utilities' application numbers")

// ErrOtherKiosk means the number is a kiosk reference made at another kiosk: only that
// kiosk knows what became of it (the utilities keep kiosk references per kiosk). The
// citizen's ID card finds the application at every kiosk once its utility has it.
var ErrOtherKiosk = errors.New("app: a reference made at another kiosk")

// kioskRefPattern is a kiosk reference: K, the date (6 digits), the kiosk's code (3
// digits; none in references made before it), the time of day in tenths of a second (6
// digits, 7 for one moved on past the day's end; a sequence in references made before
// it).
var kioskRefPattern = regexp.MustCompile(`^K\d{12,}$`)

// jointRefPattern is a 联办编号 (jointRef): J, the time (12 digits), four digits.
var jointRefPattern = regexp.MustCompile(`^J\d{16}$`)

// FoundApplications is what an application number finds (FindApplication).
type FoundApplications struct {
	// Applications are the applications under the number, in the utilities' order: one,
	// or, when several utilities know it (each numbers its applications its own way, and
	// two may give one number), each utility's: the citizen chooses theirs.
	Applications []Application
	// Unavailable are the utilities that could not be asked, in the utilities' order,
	// while another knows the number: it may be theirs too.
	Unavailable []string
}

// FindApplication finds an application by its number: a utility's application number
// (the utilities that may have it by their declared formats, mayNumber, are asked at
// once, and every answer waited for: each that knows it is found; ErrNumberFormat when
// none may) or a kiosk reference printed when the utility had not answered yet (its
// utility alone is asked, once it has given its number).
func (k *Kiosk) FindApplication(ctx context.Context, number string) (FoundApplications, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	if jointRefPattern.MatchString(number) {
		return FoundApplications{}, ErrJointRef
	}
	var clients []utility.Client
	if kioskRefPattern.MatchString(number) {
		st, err := k.Outbox.Status(number)
		if errors.Is(err, outbox.ErrNotFound) {
			// One of this kiosk's own is found whatever its code (kiosk.ref_code may have
			// changed since).
			if code, ok := outbox.KioskCodeOf(number); ok && code != k.Config.Kiosk.Code() {
				return FoundApplications{}, ErrOtherKiosk
			}
		}
		if err != nil || !isApplication(st) {
			// A rating's or a payment's reference is not an application's.
			return FoundApplications{}, ErrApplicationNotFound
		}
		if st.UtilityRef == "" {
			return FoundApplications{Applications: []Application{k.unanswered(st)}}, nil
		}
		// The kiosk knows whose number it is: another utility may have one alike.
		c, err := k.Client(st.Utility)
		if err != nil {
			return FoundApplications{}, fmt.Errorf("%w: %s's utility is no longer enabled here", ErrApplicationNotFound, number)
		}
		number, clients = st.UtilityRef, []utility.Client{c}
	} else if clients = k.mayNumber(number); len(clients) == 0 {
		return FoundApplications{}, ErrNumberFormat
	}
	type answer struct {
		app Application
		err error
	}
	answers := make(chan answer, len(clients))
	for _, c := range clients {
		go func(c utility.Client) {
			p, err := c.Progress(ctx, number)
			answers <- answer{Application{Utility: c.ID(), Progress: k.completeProgress(c.ID(), p)}, err}
		}(c)
	}
	var found FoundApplications
	var firstErr error
	for range clients {
		a := <-answers
		switch {
		case a.err == nil:
			found.Applications = append(found.Applications, a.app)
		case !errors.Is(a.err, utility.ErrNotFound):
			found.Unavailable = append(found.Unavailable, a.app.Utility)
			if firstErr == nil {
				firstErr = a.err
			}
		}
	}
	if len(found.Applications) == 0 {
		if firstErr != nil {
			// Someone could not be asked: the number may be theirs.
			return FoundApplications{}, firstErr
		}
		return FoundApplications{}, ErrApplicationNotFound
	}
	slices.SortFunc(found.Applications, func(a, b Application) int { return utilityOrder(a.Utility, b.Utility) })
	slices.SortFunc(found.Unavailable, utilityOrder)
	return found, nil
}

// mayNumber are the enabled utilities that may have an application under number, in
// the utilities' order: those whose declared format it matches, and those that declare
// none (every one, when none declares one). Asking the others could only cost the
// citizen their answers' time, a slow or unreachable one's whole timeout.
func (k *Kiosk) mayNumber(number string) []utility.Client {
	var out []utility.Client
	for _, c := range k.Utilities {
		if f := k.numberFormats[c.ID()]; f == nil || f.MatchString(number) {
			out = append(out, c)
		}
	}
	return out
}

// numberFormats compiles the enabled utilities' declared application-number formats, by
// utility ID (config.Utility.NumberFormat).
func numberFormats(cfg *config.Config) (map[string]*regexp.Regexp, error) {
	out := map[string]*regexp.Regexp{}
	for _, id := range cfg.Utilities.Enabled() {
		u, _ := cfg.Utilities.ByID(id)
		f, err := u.NumberFormat()
		if err != nil {
			return nil, fmt.Errorf("app: utilities.%s.application_number %q: %w", id, u.ApplicationNumber, err)
		}
		if f != nil {
			out[id] = f
		}
	}
	return out, nil
}

// ownUnanswered are the applications this kiosk submitted for the citizen with this ID
// number that no utility has answered (one its utility answered since is in the
// utility's list: see unlisted). The outbox finds them by a keyed hash of the ID number,
// opening no one else's.
func (k *Kiosk) ownUnanswered(idNumber string) []Application {
	own, err := k.Outbox.ByApplicant(idNumber)
	if err != nil {
		k.Log.Warn("applications: this kiosk's own", "err", err)
		return nil
	}
	var out []Application
	for _, st := range own {
		if !isApplication(st) || st.State == outbox.Done {
			continue
		}
		a := k.unanswered(st)
		a.Withdrawable = a.Waiting
		out = append(out, a)
	}
	return out
}

// unlisted are the applications of own whose kiosk reference none of listed has: a
// utility that lists one of them has it, and it is listed once, as the utility's.
func unlisted(own, listed []Application) []Application {
	var out []Application
	for _, a := range own {
		if !slices.ContainsFunc(listed, func(l Application) bool { return l.Progress.KioskRef == a.Progress.KioskRef }) {
			out = append(out, a)
		}
	}
	return out
}

// submittedService is the catalogue's service a request asked for, read from what was
// submitted (the utility, which would name it, has not answered): the list says 新装 or
// 过户, not 已提交的申请. False once the request's body was erased, or for a service
// the catalogue no longer has.
func (k *Kiosk) submittedService(st outbox.Status) (*catalog.Service, bool) {
	id := catalog.JointTransfer
	if st.Kind == utility.KindApplication {
		body, err := k.Outbox.Body(st.KioskRef)
		var a struct {
			Service string `json:"service"`
		}
		if err != nil || len(body) == 0 || json.Unmarshal(body, &a) != nil {
			return nil, false
		}
		id = a.Service
	}
	return k.Catalog().Service(st.Utility, id)
}

func isApplication(st outbox.Status) bool {
	return st.Kind == utility.KindApplication || st.Kind == utility.KindTransfer
}

// unanswered is an application its utility has given no number, known by its kiosk
// reference: refused (in the utility's words), withdrawn by its citizen, closed
// undelivered, or waiting for the utility (pending, or its attempts exhausted until
// staff send it again).
func (k *Kiosk) unanswered(st outbox.Status) Application {
	a := Application{Utility: st.Utility, Progress: utility.Progress{KioskRef: st.KioskRef, Utility: st.Utility, AcceptedAt: st.Created}}
	if svc, ok := k.submittedService(st); ok {
		a.Progress.Service, a.Progress.ServiceName = svc.ID, svc.Name.ZH
	}
	switch {
	case st.Err != nil:
		a.Refused, a.RefusedEN = k.refusal(st.Err, st.Utility)
	case st.State == outbox.Closed && st.CloseReason == staff.Withdrawn:
		a.Withdrawn = true
	case st.State == outbox.Closed || st.State == outbox.Expired:
		a.Refused, a.RefusedEN = k.Text.In(i18n.ZH, "track.not_delivered"), k.Text.In(i18n.EN, "track.not_delivered")
	default:
		a.Waiting = true
	}
	return a
}

// JointLookup is a joint application found by its 联办编号 (jointRef), as this kiosk
// submitted it: its parts in the order submitted, the utilities that gave theirs a
// number asked for its progress at once, each part filled in as its utility answers (a
// fanout, like 我的办件), so that a slow utility holds up none of the other parts. It
// lives in the visit's session, which needs no citizen identified, and is dropped with
// it.
type JointLookup struct {
	fanout[Application]
	// Ref is the 联办编号, as the kiosk writes it.
	Ref   string
	parts []jointPart
}

// jointPart is a part of a joint application as the outbox knows it.
type jointPart struct {
	utility string
	// reference and kioskRef are its numbers: its utility's (bound when the utility
	// answered; "" before) and the kiosk reference of its receipt; hotline is its
	// utility's (Kiosk.UtilityHotline).
	reference, kioskRef, hotline string
	// asked: its utility gave it a number and is asked (the fanout has its answer);
	// otherwise known is what the kiosk knows of it (waiting, refused, withdrawn), or
	// disabled says its utility is no longer enabled here.
	asked    bool
	known    Application
	disabled bool
}

// JointPart is one part of a joint application, as 联办进度 lists it.
type JointPart struct {
	Utility string
	// State is Loading while the part's utility is asked, Unavailable when it could not
	// be (RetryJoint asks it again, unless Disabled or NotFound), and Found otherwise,
	// Application being the utility's progress, or, for a part its utility has given no
	// number, what the kiosk knows of it (Waiting with its kiosk reference, Refused).
	State       LookupState
	Application Application
	// Disabled: the part's utility is no longer enabled at this kiosk and cannot be
	// asked.
	Disabled bool
	// NotFound: the part's utility answered that it has no application under the
	// part's number (utility.ErrNotFound). Asking again finds nothing: the citizen asks
	// the utility (Hotline) or a counter, with the part's numbers.
	NotFound bool
	// Reference and KioskRef are the part's numbers as this kiosk keeps them: its
	// utility's ("" while the utility has given none) and the kiosk reference of its
	// receipt. A part the kiosk cannot look up (Disabled, NotFound) is told by them.
	Reference, KioskRef string
	// Hotline is the part's utility's service number (Kiosk.UtilityHotline); "" when
	// neither its catalogue nor the configuration gives one.
	Hotline string
}

// jointKey is where the visit's session keeps the look-up of a 联办编号: one for each,
// so that the parts of one looked up above another's (a receipt scanned over the list)
// leave the other's list as it was.
func jointKey(ref string) string { return "joint/" + ref }

// StartJointLookup finds the parts of a joint application by its 联办编号 and asks each
// utility that gave its part a number for the part's progress, all at once: it returns
// at once, those parts Loading; the OnLookup listeners hear of each answer; RetryJoint
// asks one that could not be asked again. It is looked up in visit, which a visit
// without a card may be (EnsureSession's), and kept there: a visit that has ended (a
// card placed while the tap's work was on its way) gives ErrNoSession, and the next
// visit gets nothing of it. A number that is not a 联办编号 gives
// ErrApplicationNotFound; a 联办编号 this kiosk has no parts of, ErrJointRef. Looked
// up again in the visit, a 联办编号's look-up replaces the one before.
func (k *Kiosk) StartJointLookup(visit *session.Session, ref string) (*JointLookup, error) {
	ref = strings.ToUpper(strings.TrimSpace(ref))
	if !jointRefPattern.MatchString(ref) {
		return nil, ErrApplicationNotFound
	}
	parts, err := k.Outbox.ByGroup(ref)
	if err != nil {
		return nil, fmt.Errorf("app: the parts of joint application %s: %w", ref, err)
	}
	l := &JointLookup{Ref: ref}
	numbers := map[string]string{} // the utilities' numbers of the parts asked, by utility
	var clients []utility.Client
	for _, st := range parts {
		if !isApplication(st) {
			continue
		}
		p := jointPart{utility: st.Utility, reference: st.UtilityRef, kioskRef: st.KioskRef, hotline: k.UtilityHotline(st.Utility)}
		switch c, err := k.Client(st.Utility); {
		case st.UtilityRef == "":
			p.known = k.unanswered(st)
		case err != nil: // the utility was disabled since
			p.disabled = true
		default:
			// A joint application has at most one part at a utility (the catalogue's
			// joint services, checked at load): the fanout's answers are by utility.
			p.asked = true
			numbers[st.Utility] = st.UtilityRef
			clients = append(clients, c)
		}
		l.parts = append(l.parts, p)
	}
	if len(l.parts) == 0 {
		return nil, ErrJointRef
	}
	l.fanout = fanout[Application]{what: "joint application", byNumber: true,
		ask: func(ctx context.Context, c utility.Client, _ utility.Identity) (Application, error) {
			p, err := c.Progress(ctx, numbers[c.ID()])
			if err != nil {
				return Application{}, err
			}
			return Application{Utility: c.ID(), Progress: k.completeProgress(c.ID(), p)}, nil
		}}
	if err := startFanout(k, visit, jointKey(ref), l, clients); err != nil {
		return nil, err
	}
	return l, nil
}

// SessionJointLookup returns the visit's look-up of the 联办编号 ref, if any: the last
// one, when it was looked up more than once.
func (k *Kiosk) SessionJointLookup(ref string) (*JointLookup, bool) {
	s := k.Sessions.Current()
	if s == nil {
		return nil, false
	}
	v, ok := s.Get(jointKey(strings.ToUpper(strings.TrimSpace(ref))))
	if !ok {
		return nil, false
	}
	l, ok := v.(*JointLookup)
	return l, ok
}

// RetryJoint asks the utility of a part of the joint application ref again, the part
// having been Unavailable (重新查询); as RetryApplications, it reports whether it asked.
// A part its utility has no application under (NotFound) is not asked again: the
// answer would be the same.
func (k *Kiosk) RetryJoint(ref, utilityID string) bool {
	ref = strings.ToUpper(strings.TrimSpace(ref))
	if l, ok := k.SessionJointLookup(ref); !ok || slices.ContainsFunc(l.Parts(), func(p JointPart) bool {
		return p.Utility == utilityID && p.NotFound
	}) {
		return false
	}
	return retryFanout[Application](k, jointKey(ref), utilityID)
}

// Parts is what is known now of each part, in the order submitted: each stays in its
// place as its utility answers.
func (l *JointLookup) Parts() []JointPart {
	answers := l.snapshot()
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]JointPart, 0, len(l.parts))
	for _, p := range l.parts {
		jp := JointPart{Utility: p.utility, State: Found, Application: p.known, Reference: p.reference, KioskRef: p.kioskRef,
			Hotline: p.hotline}
		switch {
		case p.disabled:
			jp.State, jp.Disabled = Unavailable, true
		case p.asked:
			jp.State = Loading // and so after a wipe, which drops the answers
			if i := slices.IndexFunc(answers, func(a answer[Application]) bool { return a.utility == p.utility }); i >= 0 {
				a := answers[i]
				jp.State, jp.Application = a.state, a.value
				jp.NotFound = a.state == Unavailable && errors.Is(a.err, utility.ErrNotFound)
			}
		}
		out = append(out, jp)
	}
	return out
}

// Wipe drops the parts and stops the look-up.
func (l *JointLookup) Wipe() {
	l.fanout.Wipe()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.parts = nil
}

// RefFromQR reads the application number from a scanned tracking QR (the URL that
// receipts print from receipt.track_url), or returns false.
func (k *Kiosk) RefFromQR(code string) (string, bool) {
	return refFromURL(k.Config.Receipt.TrackURL, code)
}

// refFromURL reads the reference out of code, a URL that the template tmpl (with its
// {ref}) made (receipt.QRURL), or returns false.
func refFromURL(tmpl, code string) (string, bool) {
	i := strings.Index(tmpl, "{ref}")
	if i < 0 {
		return "", false
	}
	prefix, suffix := tmpl[:i], tmpl[i+len("{ref}"):]
	code = strings.TrimSpace(code)
	if !strings.HasPrefix(code, prefix) || !strings.HasSuffix(code, suffix) || len(code) <= len(prefix)+len(suffix) {
		return "", false
	}
	ref, err := url.PathUnescape(code[len(prefix) : len(code)-len(suffix)])
	if err != nil || !validRef(ref) {
		return "", false
	}
	return ref, true
}

// validRef reports whether s can be an application number or a kiosk reference: 1 to 40
// letters, digits, '-', '_' and '.', not dots alone, so that a scanned code can put
// nothing else into a request to a utility.
func validRef(s string) bool {
	if s == "" || len(s) > 40 || strings.Trim(s, ".") == "" {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// ErrReasonRequired means a 不满意 or 非常不满意 rating was given without a reason: the
// utilities' protocol refuses it (levels 1 and 2 need at least one reason).
var ErrReasonRequired = errors.New("app: a low rating needs at least one reason")

// ErrAlreadyRated means the application was rated in this visit already (the rating
// may still be on its way): a second rating is not sent.
var ErrAlreadyRated = errors.New("app: the application was rated in this visit already")

// Rate submits a 好差评 rating of an application through the outbox: it is stored before
// this returns and reaches the utility exactly once, however long the utility is away.
// Answered reports whether the utility confirmed it at once. A rating the protocol does
// not allow is refused here, before it is stored: queued while the utility is away, it
// could only end as a dead letter after the citizen was told it was saved. So is a
// second rating of the application in the visit (ErrAlreadyRated): the visit counts it
// rated from the moment a rating is given, not once the utility has answered, so that a
// rating given again while the first is on its way is not sent too (the utility would
// refuse it as already done, with the citizen told it was saved).
func (k *Kiosk) Rate(ctx context.Context, a Application, level utility.Level, reasons []string) (outbox.Result, error) {
	if !level.Valid() {
		return outbox.Result{}, errors.New("app: not a rating level")
	}
	if level <= utility.Dissatisfied && len(reasons) == 0 {
		return outbox.Result{}, ErrReasonRequired
	}
	// A visit without a card (the receipt's QR scanned) gets an anonymous session, which
	// remembers the rating.
	s := k.EnsureSession()
	key := ratedKey(a)
	k.mu.Lock()
	_, rated := s.Get(key)
	s.Set(key, true)
	k.mu.Unlock()
	if rated {
		return outbox.Result{}, ErrAlreadyRated
	}
	r, err := k.Outbox.Submit(ctx, outbox.Request{
		Utility: a.Utility, Kind: utility.KindEvaluation, Order: a.Progress.Reference, Session: s.ID,
		Body: utility.Evaluation{Application: a.Progress.Reference, Level: level, Reasons: reasons},
	}, 5*time.Second)
	if r.KioskRef == "" { // not stored: the citizen may rate it again
		s.Delete(key)
	}
	return r, err
}

// Rated reports whether the application was rated: the utility says so, or it was
// rated in this visit (the rating may still be on its way).
func (k *Kiosk) Rated(a Application) bool {
	if a.Progress.Evaluated {
		return true
	}
	s := k.Sessions.Current()
	if s == nil {
		return false
	}
	_, ok := s.Get(ratedKey(a))
	return ok
}

func ratedKey(a Application) string { return "rated/" + a.Utility + "/" + a.Progress.Reference }
