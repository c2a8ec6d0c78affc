package main

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/screens/paint"
)

// Staff see what the kiosk shows through its staff socket (kioskctl kiosk screen): the
// home screen between visits, the window's own picture; never the screen of a citizen
// being served. (scripts/smoke.sh checks the same with the OpenGL window.)
func TestStaffSeesTheScreenBetweenVisits(t *testing.T) {
	j := newJourney(t)
	c, err := staff.Dial(context.Background(), staff.SocketPath(j.DataDir))
	if err != nil {
		t.Fatal(err)
	}
	look := func(pump bool) (image.Image, error) {
		type looked struct {
			img image.Image
			err error
		}
		done := make(chan looked, 1)
		go func() {
			var b bytes.Buffer
			if _, err := c.Screen(context.Background(), &b, "staff-7"); err != nil {
				done <- looked{err: err}
				return
			}
			img, err := png.Decode(&b)
			done <- looked{img, err}
		}()
		for {
			select {
			case l := <-done:
				return l.img, l.err
			case <-time.After(time.Millisecond):
				if pump {
					j.Pump() // the picture is taken on the UI goroutine
				}
			}
		}
	}
	// The header's clock may turn a minute between the two pictures: then look again.
	for try := 0; ; try++ {
		img, err := look(true)
		if err != nil {
			t.Fatal(err)
		}
		want := j.Win.Canvas().Capture()
		n, worst := paint.Difference(img, want, 0)
		if n == 0 {
			break
		}
		if try == 1 {
			t.Fatalf("the home screen as staff see it: %d pixels differ from the window's (worst by %d)", n, worst)
		}
	}
	j.card(0)
	if _, err := look(true); !errors.Is(err, staff.ErrCitizenPresent) {
		t.Fatalf("during a visit: %v", err)
	}
	j.Tap("退出办理")
	j.WaitFor("the home screen", func() bool { return j.Shell.Current() == "home" && j.K.Sessions.Current() == nil })
	if _, err := look(true); err != nil {
		t.Fatalf("after the visit: %v", err)
	}
	// A UI that does not answer (here: nobody runs its queue) is reported, not waited
	// for forever.
	if _, err := look(false); err == nil || !strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("with the UI stuck: %v", err)
	}
}
