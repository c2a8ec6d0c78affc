package printer

import (
	"time"

	"github.com/liangzihu/kiosk/devices/serialport"
)

// OverSerialPort adapts a devices/serialport Port, whose reads end at a deadline, to the
// driver's Port, whose reads end after a timeout and then return (0, nil) as
// go.bug.st/serial's do. A zero timeout is a deadline of now, which still reads what is
// waiting (see serialport.Port.Read), as Port requires.
func OverSerialPort(p serialport.Port) Port { return &deadlinePort{p: p, timeout: -1} }

type deadlinePort struct {
	p       serialport.Port
	timeout time.Duration // < 0: wait for ever
}

func (d *deadlinePort) Write(b []byte) (int, error) { return d.p.Write(b) }

func (d *deadlinePort) SetReadTimeout(t time.Duration) error {
	d.timeout = t
	return nil
}

func (d *deadlinePort) Read(b []byte) (int, error) {
	var deadline time.Time
	if d.timeout >= 0 {
		deadline = time.Now().Add(d.timeout)
	}
	if err := d.p.SetReadDeadline(deadline); err != nil {
		return 0, err
	}
	n, err := d.p.Read(b)
	if serialport.IsTimeout(err) {
		return n, nil
	}
	return n, err
}
