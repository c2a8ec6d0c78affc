package screens

import (
	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/info"
)

// ScanNoticeFor lets the screens' external tests wait out the notice of an unusable scan.
const ScanNoticeFor = scanNoticeFor

// ShowForm opens the application form of a, as the services' tiles do.
func (s *Shell) ShowForm(a *app.ApplyForm) { s.Show(formPage(s, a)) }

// ShowReview opens the review of a, as 核对并提交 does once the form is complete.
func (s *Shell) ShowReview(a *app.ApplyForm) { s.Show(reviewPage(s, a)) }

// ShowEditor opens the editor of a's question in, as a tap on its row does.
func (s *Shell) ShowEditor(a *app.ApplyForm, in *catalog.Input) { s.Show(editorPage(s, a, in)) }

// ShowInfo opens page p of c's information, as a tap on its row in 信息公开 does (the
// rows of several utilities have the same titles: 收费项目与标准).
func (s *Shell) ShowInfo(c *info.Content, p info.Page) { s.Show(infoDocPage(s, c, p)) }

// Redraw rebuilds the screen on show, as news for it does.
func (s *Shell) Redraw() { s.refresh() }
