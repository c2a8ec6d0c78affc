package receipt

import (
	"fmt"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/devices/printer"
)

// TestPage is the staff test page (打印机测试页) printed from maintenance mode.
type TestPage struct {
	// Time is when it is printed.
	Time time.Time
	// Status is the printer's status in words (printer.Status.String()); empty: omitted.
	Status string
	// Port is the serial port, for the record; empty: omitted.
	Port string
}

// TestPage lays out the staff test page: the profile, sizes and styles, alignment, a
// column ruler, a character set sample, and the same QR code sent natively (if the
// profile has native QR) and as a raster image, so staff can see both work.
func (b *Builder) TestPage(t TestPage) (*printer.Job, error) {
	p := b.prof
	d := printer.NewDoc(p)
	b.header(d, "打印机测试页", false)
	qrMode := "光栅图像（GS v 0）"
	if p.NativeQR {
		qrMode = "打印机原生（GS ( k）"
	}
	rows := []printer.Row{}
	rows = appendIf(rows, "终端编号", b.s.KioskID)
	rows = appendIf(rows, "串口", t.Port)
	rows = append(rows,
		printer.Row{Label: "纸宽", Value: fmt.Sprintf("%s（%d点，%d列）", p.Paper, p.Dots, p.Columns)},
		printer.Row{Label: "波特率", Value: fmt.Sprint(p.Baud)},
		printer.Row{Label: "切刀", Value: map[printer.Cut]string{printer.CutFull: "全切", printer.CutPartial: "半切", printer.CutNone: "无（手撕）"}[p.Cut]},
		printer.Row{Label: "二维码", Value: qrMode},
	)
	rows = appendIf(rows, "状态", t.Status)
	rows = append(rows, printer.Row{Label: "时间", Value: t.Time.Format(timeLayout)})
	d.Rows(rows...)
	d.Rule()
	d.Line("字号与样式：")
	d.Line("正常 Normal 0123456789")
	d.Bold(true)
	d.Line("粗体 Bold 0123456789")
	d.Bold(false)
	d.Underline(1)
	d.Line("下划线 Underline")
	d.Underline(0)
	d.Size(2, 1)
	d.Line("倍宽 2×1")
	d.Size(1, 2)
	d.Line("倍高 1×2")
	d.Size(2, 2)
	d.Line("倍宽倍高")
	d.Size(1, 1)
	for _, a := range []struct {
		a    printer.Align
		text string
	}{{printer.Left, "左对齐"}, {printer.Center, "居中"}, {printer.Right, "右对齐"}} {
		d.Align(a.a)
		d.Line(a.text)
	}
	d.Align(printer.Left)
	d.Line("列宽标尺（每行应恰好排满）：")
	var ruler strings.Builder
	for i := 1; i <= p.Columns; i++ {
		ruler.WriteByte(byte('0' + i%10))
	}
	d.Line(ruler.String())
	d.Line(strings.Repeat("汉", p.Columns/2))
	d.Line("字符：啊阿埃挨哎唉 水电气网 ￥128.50 ①②③ ·—：，。")
	if p.Charset == printer.CharsetGBK {
		d.Line("生僻字（GBK）：堃喆昇镕珺玥赟犇燚")
	}
	d.Rule()
	sample, err := b.TrackURL("TEST-" + t.Time.Format("20060102150405"))
	if err != nil {
		sample = "https://example.cn/kiosk-test"
	}
	if p.NativeQR {
		qr(d, sample, "原生二维码（应可扫描）")
	}
	d.QR(sample, printer.QROptions{Module: qrOptions.Module, MinModule: qrOptions.MinModule, EC: qrOptions.EC, Raster: true})
	d.Align(printer.Center)
	d.Line("光栅二维码（应可扫描）")
	d.Cut()
	return done(d, "test page")
}
