package receipt

import (
	"fmt"
	"time"

	"github.com/liangzihu/kiosk/app/mask"
	"github.com/liangzihu/kiosk/devices/printer"
)

// Progress is a progress summary (办理进度) of an application.
type Progress struct {
	// Ref is what the QR links to (TrackURL(Ref)): the utility's number, or the kiosk's
	// reference (本机编号) until the utility has given one.
	Ref string
	// Applicant is unmasked; the receipt prints it masked.
	Applicant string
	// Service is what was applied for.
	Service string
	// Time is when the summary is printed (查询时间).
	Time time.Time
	// Items hold one entry per utility.
	Items []ProgressItem
	// Hotlines are printed at the foot.
	Hotlines []Hotline
	// Reprint marks a copy printed again after a failed print (补打).
	Reprint bool
}

// ProgressItem is one utility's progress.
type ProgressItem struct {
	Utility  string
	Number   string // the utility's application number; empty: not yet assigned
	Business string
	// State is the current state in words, e.g. 部门开始办理.
	State string
	// WorkingDays is the committed time limit in working days and Deadline the date it
	// ends, or ChosenDate the day the citizen chose (printed as 进度查询 shows them:
	// 2个工作日，最迟2026年11月27日（周五）办结); all zero: not printed.
	WorkingDays int
	Deadline    time.Time
	ChosenDate  bool
	// Steps are the timeline, done ones with their time, pending ones with a zero time.
	Steps []Step
}

// Step is one step of an application's timeline.
type Step struct {
	Name string
	// Time is when the step was done; zero: not yet.
	Time time.Time
	// Current marks the step under way (not yet done).
	Current bool
}

// Progress lays out a progress summary: per utility its state, deadline and timeline
// (√ done with the time, ○ still to come), and the tracking QR.
func (b *Builder) Progress(p Progress) (*printer.Job, error) {
	if len(p.Items) == 0 {
		return nil, fmt.Errorf("receipt: progress %s has no utility", p.Ref)
	}
	u, err := b.TrackURL(p.Ref)
	if err != nil {
		return nil, err
	}
	d := b.citizenDoc()
	b.header(d, "办理进度单", p.Reprint)
	// One utility's summary names its application once, under its own number.
	single := len(p.Items) == 1
	var rows []printer.Row
	if !single || p.Items[0].Number != p.Ref {
		rows = append(rows, printer.Row{Label: "本机编号", Value: p.Ref})
	}
	rows = appendIf(rows, "申请人", mask.Name(p.Applicant))
	if !single || p.Items[0].Business != p.Service {
		rows = appendIf(rows, "申请事项", printer.Keep(p.Service))
	}
	rows = append(rows, printer.Row{Label: "查询时间", Value: p.Time.Format(timeLayout)})
	d.Rows(rows...)
	for i, it := range p.Items {
		d.Feed(1)
		d.Bold(true)
		if single {
			d.Line(printer.Keep(it.Utility))
		} else {
			d.Line(fmt.Sprintf("%s、%s", chineseNumber(i+1), printer.Keep(it.Utility)))
		}
		d.Bold(false)
		number := it.Number
		if number == "" {
			number = "待分配"
		}
		// A state the utility did not name (and the kiosk cannot) is left out, not a
		// label over nothing.
		rows := appendIf(nil, "业务", printer.Keep(it.Business))
		rows = append(rows, printer.Row{Label: "办件编号", Value: number})
		rows = appendIf(rows, "当前状态", printer.Keep(it.State))
		if limit := timeLimit(it.WorkingDays, it.Deadline, it.ChosenDate); limit != "" {
			rows = append(rows, printer.Row{Label: "承诺时限", Value: limit})
		}
		d.Rows(rows...)
		steps := make([]printer.Row, len(it.Steps))
		for j, s := range it.Steps {
			switch {
			case !s.Time.IsZero():
				steps[j] = printer.Row{Label: "√", Value: s.Time.Format("01-02 15:04") + " " + s.Name}
			case s.Current:
				steps[j] = printer.Row{Label: "●", Value: s.Name + "（办理中）"}
			default:
				steps[j] = printer.Row{Label: "○", Value: s.Name + "（未开始）"}
			}
		}
		d.Rows(steps...)
	}
	d.Rule()
	qr(d, u, "扫码查看最新进度")
	footer(d, p.Hotlines)
	return done(d, "progress")
}
