// Package receipt says what each receipt the kiosk prints says: the payment receipt
// (缴费凭条), the acceptance receipt with the one-time notification (一次性告知书), the
// progress summary and the staff test page. It lays them out as printer documents
// (devices/printer) with personal data masked (app/mask) and QR codes made from the
// URL templates of the configuration.
//
// Inputs are plain structs of this package; times and working-day deadlines arrive
// already computed.
package receipt

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/workdays"
	"github.com/liangzihu/kiosk/devices/printer"
)

// MaxQRLength is the longest QR URL a receipt prints (bytes). At EC level M that is
// QR version 7 at most (45 modules): 34 mm wide at 6 dots a module, readable by any
// phone and well inside 58 mm paper.
const MaxQRLength = 122

// ErrQRURL is returned for a QR URL that cannot be made: no template, a bad reference,
// or a result longer than MaxQRLength.
var ErrQRURL = errors.New("receipt: QR URL")

// Settings is what every receipt prints beyond the transaction itself.
type Settings struct {
	// Title heads every receipt (receipt.title).
	Title string
	// TrackURL and PaymentURL are templates in which {ref} is replaced by the reference
	// (receipt.track_url, receipt.payment_url). Empty: no QR code.
	TrackURL   string
	PaymentURL string
	// KioskID identifies this machine on acceptance receipts and the test page.
	KioskID string
}

// FromConfig takes the receipt settings from the kiosk configuration.
func FromConfig(c *config.Config) Settings {
	return Settings{Title: c.Receipt.Title, TrackURL: c.Receipt.TrackURL, PaymentURL: c.Receipt.PaymentURL, KioskID: c.Kiosk.ID}
}

// Profile maps the configuration's [devices.printer] section to a printer profile.
func Profile(c config.Printer) (printer.Profile, error) {
	p, err := printer.ProfileFor(c.Paper)
	if err != nil {
		return p, err
	}
	if p.Cut, err = printer.ParseCut(c.Cut); err != nil {
		return p, err
	}
	if c.Charset != "" {
		if p.Charset, err = printer.ParseCharset(c.Charset); err != nil {
			return p, err
		}
	}
	p.NativeQR = c.NativeQR
	p.Baud = c.Baud
	if c.Buffer > 0 {
		p.Buffer = c.Buffer
	}
	return p, p.Validate()
}

// Hotline is a telephone number printed with its label, e.g. 供电服务 95598.
type Hotline struct {
	Label  string
	Number string
}

// text is the hotline as printed: its label, not broken inside where a line can hold it
// (燃气公司服务及抢修热线, not 燃气公司服务及抢 over 修热线), then its number.
func (h Hotline) text() string { return strings.TrimSpace(printer.Keep(h.Label) + " " + h.Number) }

// keepName keeps the name at the head of a text whole on a line: all of it, or what comes
// before its first colon (设备租赁费：按租用设备和天数计收 …, 申请受理：身份证读取 …), the
// rest being free to break as prose.
func keepName(s string) string {
	if name, rest, ok := strings.Cut(s, "："); ok {
		return printer.Keep(name) + "：" + rest
	}
	return printer.Keep(s)
}

// FooterHotlines are the numbers at the foot of a receipt, each once: first a
// utility's own (own, as its catalogue names them, as the 一次性告知书 on screen does),
// then the hall's (hall: the configuration's hotlines, the footer of every screen), then
// more (those the catalogue gives every application: 政务服务便民热线 12345). A number the
// screens' footer shows is printed with the footer's label (供电服务 95598, 能源监管
// 12398), wherever it comes in: paper and screen name it alike.
func FooterHotlines(hall []config.Hotline, own, more []Hotline) []Hotline {
	footer := map[string]string{}
	for _, h := range hall {
		footer[h.Number] = h.Label
	}
	var out []Hotline
	seen := map[string]bool{}
	add := func(label, number string) {
		if number == "" || seen[number] {
			return
		}
		if l, ok := footer[number]; ok {
			label = l
		}
		out = append(out, Hotline{Label: label, Number: number})
		seen[number] = true
	}
	for _, h := range own {
		add(h.Label, h.Number)
	}
	for _, h := range hall {
		add(h.Label, h.Number)
	}
	for _, h := range more {
		add(h.Label, h.Number)
	}
	return out
}

// Builder lays out receipts for one printer.
type Builder struct {
	s    Settings
	prof printer.Profile
}

// New returns a builder for a printer profile.
func New(s Settings, prof printer.Profile) (*Builder, error) {
	if err := prof.Validate(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(s.Title) == "" {
		return nil, errors.New("receipt: the title is empty")
	}
	return &Builder{s: s, prof: prof}, nil
}

// PaymentURL is the QR content of a payment receipt for a transaction reference.
func (b *Builder) PaymentURL(ref string) (string, error) { return QRURL(b.s.PaymentURL, ref) }

// TrackURL is the QR content of an acceptance or progress receipt for an application
// reference.
func (b *Builder) TrackURL(ref string) (string, error) { return QRURL(b.s.TrackURL, ref) }

// QRURL fills a URL template (receipt.track_url, receipt.payment_url) with a reference:
// the content of a receipt's QR code, also shown on screen by a kiosk without a printer.
func QRURL(tmpl, ref string) (string, error) {
	if tmpl == "" {
		return "", fmt.Errorf("%w: no template configured", ErrQRURL)
	}
	if ref == "" {
		return "", fmt.Errorf("%w: empty reference", ErrQRURL)
	}
	u := strings.ReplaceAll(tmpl, "{ref}", url.PathEscape(ref))
	if len(u) > MaxQRLength {
		return "", fmt.Errorf("%w: %d bytes, at most %d fit a receipt QR", ErrQRURL, len(u), MaxQRLength)
	}
	return u, nil
}

// qrOptions: 6-dot modules (0.75 mm) at EC level M, down to 4 dots if the paper needs.
var qrOptions = printer.QROptions{Module: 6, MinModule: 4, EC: printer.ECM}

// titleSpacing feeds a double-height (48-dot) title line by 6 mm, so that a title
// wrapped over two lines does not touch itself or the receipt's name under it.
const titleSpacing = 56

// header prints the title (double size, centred) and the receipt's name, marked
// （补打） on a reprint.
func (b *Builder) header(d *printer.Doc, name string, reprint bool) {
	if reprint {
		name += "（补打）"
	}
	d.Align(printer.Center)
	d.Size(2, 2)
	d.LineSpacing(titleSpacing)
	// Too long for a line, the title breaks where its spaces are (梁子湖区 / 水电气网联办
	// 自助服务), not in the middle of a phrase; where a part is still too long (58 mm
	// paper), it is printed double height only, on as few lines as that takes.
	title := []string{b.s.Title}
	if printer.Width(b.s.Title) > d.Columns() {
		title = strings.Fields(b.s.Title)
		if slices.ContainsFunc(title, func(t string) bool { return printer.Width(t) > d.Columns() }) {
			d.Size(1, 2)
			title = []string{b.s.Title}
		}
	}
	for _, t := range title {
		d.Line(t)
	}
	d.Size(2, 2)
	d.Bold(true)
	d.Line(name)
	d.LineSpacing(0)
	d.Reset()
	d.Rule()
}

// footer prints hotlines on one centred line, or one a line where they do not fit (a
// wrapped line broke between a name and its number), and cuts.
func footer(d *printer.Doc, hotlines []Hotline) {
	if len(hotlines) > 0 {
		parts := make([]string, len(hotlines))
		for i, h := range hotlines {
			parts[i] = h.text()
		}
		d.Align(printer.Center)
		if all := strings.Join(parts, "  "); printer.Width(all) <= d.Columns() {
			d.Line(all)
		} else {
			for _, p := range parts {
				d.Line(p)
			}
		}
	}
	d.Cut()
}

// qr prints a QR code with a caption under it.
func qr(d *printer.Doc, data, caption string) {
	d.QR(data, qrOptions)
	d.Align(printer.Center)
	d.Line(caption)
	d.Align(printer.Left)
}

// Money formats an amount in fen as yuan with the full-width sign: 12850 → ￥128.50.
func Money(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s￥%d.%02d", sign, fen/100, fen%100)
}

// timeLayout is how receipts print times.
const timeLayout = "2006-01-02 15:04:05"

// deadline is how receipts print a deadline: as the screens write it, with its weekday
// (2026年12月1日（周二）), so that paper and screen read the same.
func deadline(t time.Time) string { return workdays.FormatDate(t, i18n.ZH) }

// timeLimit is a committed time limit in the words of the screens (承诺时限 on the result
// page, the 一次性告知书 and 进度查询; assets/i18n/zh.toml track.limit_*): 2个工作日，最迟
// 2026年11月27日（周五）办结; 按您选择的日期，2026年12月10日（周四）办理 for a day the
// citizen chose; 2个工作日 without a date. "" when there is nothing to say.
func timeLimit(days int, due time.Time, chosen bool) string {
	switch {
	case chosen && !due.IsZero():
		return "按您选择的日期，" + deadline(due) + "办理"
	case due.IsZero() && days > 0:
		return fmt.Sprintf("%d个工作日", days)
	case due.IsZero():
		return ""
	}
	return fmt.Sprintf("%d个工作日，最迟%s办结", days, deadline(due))
}

// citizenDoc starts a citizen's receipt: it holds their name and the utilities' words,
// and prints whatever they hold, a character the printer lacks as □ (Job.Substituted).
func (b *Builder) citizenDoc() *printer.Doc {
	d := printer.NewDoc(b.prof)
	d.Substitute()
	return d
}

func done(d *printer.Doc, what string) (*printer.Job, error) {
	j, err := d.Job()
	if err != nil {
		return nil, fmt.Errorf("receipt: %s: %w", what, err)
	}
	return j, nil
}
