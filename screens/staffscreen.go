package screens

import (
	"context"
	"image"

	"github.com/liangzihu/kiosk/app/staff"
)

// picture is what the window shows, for staff (kioskctl kiosk screen): the window's own
// picture (an OpenGL window read back: the display's pixels, also under Xvfb with Fyne
// 2.8.1; with the software renderer, the frame on show). It is taken between visits only: the home screen with no session holds no
// citizen's data. It is taken on Fyne's goroutine.
func (s *Shell) picture(ctx context.Context) (image.Image, error) {
	type pictured struct {
		img image.Image
		err error
	}
	done := make(chan pictured, 1)
	s.opt.Do(func() {
		if s.K.Sessions.Current() != nil || s.Current() != "home" {
			done <- pictured{err: staff.ErrCitizenPresent}
			return
		}
		done <- pictured{img: s.win.Canvas().Capture()}
	})
	select {
	case p := <-done:
		return p.img, p.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
