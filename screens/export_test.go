package screens

import (
	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/catalog"
)

// ScanNoticeFor lets the screens' external tests wait out the notice of an unusable scan.
const ScanNoticeFor = scanNoticeFor

// ShowForm opens the application form of a, as the services' tiles do.
func (s *Shell) ShowForm(a *app.ApplyForm) { s.Show(formPage(s, a)) }

// ShowEditor opens the editor of a's question in, as a tap on its row does.
func (s *Shell) ShowEditor(a *app.ApplyForm, in *catalog.Input) { s.Show(editorPage(s, a, in)) }
