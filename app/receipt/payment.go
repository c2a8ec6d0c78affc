package receipt

import (
	"time"

	"github.com/liangzihu/kiosk/app/mask"
	"github.com/liangzihu/kiosk/devices/printer"
)

// Payment is a payment receipt (缴费凭条).
type Payment struct {
	// Business is the kind of payment, e.g. 电费缴纳.
	Business string
	// Payee is the utility the money went to (收款单位); empty: not printed.
	Payee string
	// Account is the utility account number (户号), printed whole: it is on every bill.
	Account string
	// Name is the account holder, unmasked; the receipt prints it masked (张三 → 张*).
	Name string
	// Periods are the bills' periods paid (账期), e.g. 2026年9月、2026年10月; empty: not printed.
	Periods string
	// Amount is in fen (分).
	Amount int64
	// Method is how it was paid, e.g. 微信支付.
	Method string
	// TxnID is the transaction reference (交易流水), the {ref} of the QR's address (URL).
	TxnID string
	// Time is when the payment completed, printed in its own time zone.
	Time time.Time
	// Terminal is the kiosk's ID and Ref its reference of the order (本机编号), by which
	// staff find it to print it again; empty: not printed.
	Terminal, Ref string
	// QRCaption is printed under the QR code; empty means 扫码查看电子发票和缴费记录, the
	// words under the same QR code on the screen.
	QRCaption string
	// Hotlines are printed at the foot (FooterHotlines), e.g. 供电服务 95598, 能源监管
	// 12398.
	Hotlines []Hotline
	// URL is the template of the QR's address (the utility's e-invoice page, {ref} the
	// transaction); empty: the receipt settings' PaymentURL.
	URL string
	// Reprint marks a copy printed again after a failed print (补打).
	Reprint bool
}

// Payment lays out a payment receipt: title, 缴费凭条, the payment's rows, a QR code of
// the payment URL (e-invoice or payment record), the hotlines, and a cut.
func (b *Builder) Payment(p Payment) (*printer.Job, error) {
	u, err := b.PaymentURL(p.TxnID)
	if p.URL != "" {
		u, err = QRURL(p.URL, p.TxnID)
	}
	if err != nil {
		return nil, err
	}
	d := b.citizenDoc()
	b.header(d, "缴费凭条", p.Reprint)
	rows := []printer.Row{{Label: "业务类型", Value: printer.Keep(p.Business)}}
	rows = appendIf(rows, "收款单位", printer.Keep(p.Payee))
	rows = append(rows,
		printer.Row{Label: "户号", Value: p.Account},
		printer.Row{Label: "户名", Value: mask.Name(p.Name)},
	)
	rows = appendIf(rows, "账期", p.Periods)
	rows = append(rows,
		printer.Row{Label: "缴费金额", Value: Money(p.Amount)},
		printer.Row{Label: "支付方式", Value: printer.Keep(p.Method)},
		printer.Row{Label: "交易流水", Value: p.TxnID},
		printer.Row{Label: "时间", Value: p.Time.Format(timeLayout)},
	)
	rows = appendIf(rows, "终端编号", p.Terminal)
	rows = appendIf(rows, "本机编号", p.Ref)
	d.Rows(rows...)
	d.Rule()
	caption := p.QRCaption
	if caption == "" {
		caption = "扫码查看电子发票和缴费记录"
	}
	qr(d, u, caption)
	footer(d, p.Hotlines)
	return done(d, "payment")
}
