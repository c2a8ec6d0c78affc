package screens

import (
	"context"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/demo"
)

// newDeviceHarness is a shell whose kiosk drives the demo device emulators through
// real pseudo-terminals.
func newDeviceHarness(t *testing.T) (*harness, *demo.Rig) {
	t.Helper()
	d, err := demo.Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.Devices.IDCard.PollInterval.Duration = 20 * time.Millisecond
	d.Apply(cfg)
	h := newHarnessWith(t, cfg, d)
	h.k.Start(context.Background())
	t.Cleanup(func() {
		h.k.Close()
		d.Close()
	})
	return h, d
}

func TestCardFromHome(t *testing.T) {
	h, _ := newDeviceHarness(t)
	h.tapText("模拟刷卡")
	h.tapText("长者，水电气网四家都有账户 · 张*")
	h.waitFor("the citizen's session", func() bool { return h.k.Sessions.Current() != nil && h.shows("张*") })
	if !h.shows("110105********002X") || h.shows("张三") || h.shows("19491231") {
		t.Fatalf("identity not shown masked:\n%s", h.markup())
	}
	h.tapText("退出办理")
	if h.shows("张*") {
		t.Fatal("name left on screen after 退出办理")
	}
}

func TestRefusedCardExplained(t *testing.T) {
	h, d := newDeviceHarness(t)
	if err := d.PlaceFixture("resident_expired"); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the refusal", func() bool { return h.shows("您的证件已过有效期") })
	if h.k.Sessions.Current() != nil {
		t.Fatal("an expired card opened a session")
	}
	h.tapText("知道了")
	if h.shows("您的证件已过有效期") {
		t.Fatal("the notice did not close")
	}
}

func TestReaderOfflineWarning(t *testing.T) {
	h, d := newDeviceHarness(t)
	h.waitFor("the reader ready", func() bool { st, ok := h.k.DeviceState("idcard"); return ok && st.OK })
	if err := d.Reader().Unplug(); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the warning", func() bool { return h.shows("读卡器暂时无法使用") })
	if err := d.Reader().Replug(); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the warning to go", func() bool { return !h.shows("读卡器暂时无法使用") })
}
