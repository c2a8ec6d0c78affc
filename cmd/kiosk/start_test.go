package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/store/storetest"
	"github.com/liangzihu/kiosk/devices/sim/simtest"
	"github.com/liangzihu/kiosk/screens/screentest"
)

// A kiosk that cannot start for a reason a restart will not cure (its configuration
// refused, its database damaged, its data key missing or wrong) starts all the same, as
// run starts it, and shows the out-of-service screen with the reason for staff instead
// of ending; it logs why. A kiosk that can start shows its home screen.
func TestStartOutOfService(t *testing.T) {
	tests := []struct {
		name string
		// data prepares the data folder; config is the configuration's text after
		// [data], and file the configuration's name in the folder.
		data   func(t *testing.T, dir string)
		config string
		// want is on screen; logged in the log, at level ERROR unless it is empty.
		want   []string
		logged string
	}{
		{name: "a database of 100 bytes of garbage", data: func(t *testing.T, dir string) {
			newStore(t, dir)
			writeFile(t, filepath.Join(dir, store.FileName), bytes.Repeat([]byte("garbage!"), 13)[:100])
		}, want: []string{"本机暂停服务", "请到人工窗口办理，给您带来不便敬请谅解", "This kiosk is out of service",
			"供电服务 95598", "数据库损坏：请从备份恢复", "kiosk.db", "kioskctl config check --config", "systemctl restart kiosk"},
			logged: store.ErrDamaged.Error()},
		// Before, the kiosk started on it and failed at each record of the journal.
		{name: "a database without the journal's bucket", data: func(t *testing.T, dir string) {
			storetest.FileWithoutBucket(t, dir, store.BucketJournal)
		}, want: []string{"本机暂停服务", "数据库损坏：请从备份恢复", "kiosk.db", "kioskctl config check --config"},
			logged: `lacks the bucket \"journal\"`},
		{name: "the data key missing", data: func(t *testing.T, dir string) {
			newStore(t, dir)
			if err := os.Remove(filepath.Join(dir, "data.key")); err != nil {
				t.Fatal(err)
			}
		}, want: []string{"本机暂停服务", "数据密钥文件缺失：请从备份恢复", "data.key"}, logged: "data key file is missing"},
		{name: "another data key", data: func(t *testing.T, dir string) {
			newStore(t, dir)
			key := make([]byte, store.KeySize)
			rand.Read(key)
			writeFile(t, filepath.Join(dir, "data.key"), []byte(hex.EncodeToString(key)+"\n"))
		}, want: []string{"本机暂停服务", "数据密钥与数据库不符"}, logged: store.ErrWrongKey.Error()},
		{name: "the configuration refused", config: "log_files = 0\n",
			want:   []string{"本机暂停服务", "配置文件有误：kiosk.toml 第5行 data.log_files", "out of range", "kioskctl config check --config"},
			logged: "data.log_files"},
		{name: "a kiosk that can start", want: []string{"请将身份证放在读卡区", "大厅指南"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			data := filepath.Join(dir, "data")
			if tt.data != nil {
				tt.data(t, data)
			}
			file := filepath.Join(dir, "kiosk.toml")
			writeFile(t, file, fmt.Appendf(nil, "[kiosk]\ndemo = true\n[data]\ndir = %q\n%s", data, tt.config))
			var log simtest.SyncBuffer
			s, err := start(startOptions{config: file, stderr: &log})
			if err != nil {
				t.Fatalf("start ended the kiosk: %v", err)
			}
			t.Cleanup(func() {
				if err := s.close(); err != nil {
					t.Error(err)
				}
				s.closeLog()
			})
			if (s.k == nil) != (tt.logged != "") {
				t.Fatalf("started %v, out of service for %v; log:\n%s", s.k != nil, s.down, log.String())
			}
			painted := 0
			h := screentest.NewScreen(t, "start", func(w fyne.Window) { s.show(w, func(f func()) {}, func() { painted++ }) })
			m := h.Markup()
			for _, w := range tt.want {
				if !strings.Contains(m, w) {
					t.Errorf("the screen does not show %q:\n%s", w, m)
				}
			}
			h.Win.Canvas().Capture()
			if painted != 1 {
				t.Errorf("the first paint was told %d times, want once", painted)
			}
			if tt.logged == "" {
				if strings.Contains(log.String(), `"level":"ERROR"`) {
					t.Errorf("a kiosk that started logged an error:\n%s", log.String())
				}
				return
			}
			for _, line := range strings.Split(log.String(), "\n") {
				if strings.Contains(line, `"level":"ERROR"`) && strings.Contains(line, "out of service") && strings.Contains(line, tt.logged) {
					return
				}
			}
			t.Errorf("the log does not say %q at level ERROR:\n%s", tt.logged, log.String())
		})
	}
}

// A start is tried again, after each wait, only while its error may pass.
func TestRetry(t *testing.T) {
	passing, lasting := errors.New("held"), errors.New("damaged")
	transient := func(err error) bool { return errors.Is(err, passing) }
	tests := []struct {
		name  string
		fails []error // what each try returns; nil after them
		tries int
		err   error
	}{
		{"at once", nil, 1, nil},
		{"after two passing errors", []error{passing, passing}, 3, nil},
		{"a passing error three times", []error{passing, passing, passing}, 3, passing},
		{"a lasting error", []error{lasting}, 1, lasting},
		{"a lasting error after a passing one", []error{passing, lasting}, 2, lasting},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tries := 0
			err := retry(stderrLog(&bytes.Buffer{}), "test", []time.Duration{0, 0}, transient, func() error {
				tries++
				if tries <= len(tt.fails) {
					return tt.fails[tries-1]
				}
				return nil
			})
			if tries != tt.tries || !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Errorf("%d tries, %v; want %d, %v", tries, err, tt.tries, tt.err)
			}
		})
	}
}

// newStore makes a database and its key in dir, as a kiosk's first start does.
func newStore(t *testing.T, dir string) {
	t.Helper()
	st, err := store.Open(store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
