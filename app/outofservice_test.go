package app

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/store"
)

// Each way a start fails is told to staff in plain words, in one line, naming the file
// to put right; only the database held by another process is worth a second try.
func TestOutOfServiceReason(t *testing.T) {
	const file = "/etc/kiosk/kiosk.toml"
	cfg := config.Defaults()
	cfg.Data.Dir = "/var/lib/kiosk"
	_, refused := config.Parse([]byte("[kiosk]\nid = \"K1\"\nlanguage = \"fr\"\n"), file)
	_, badTOML := config.Parse([]byte("[kiosk]\nid =\n"), file)
	long := errors.New("app: " + strings.Repeat("x", 300))
	for _, tc := range []struct {
		name      string
		err       error
		cfg       *config.Config
		zh, en    string
		transient bool
	}{
		{"a key refused", refused, nil,
			`配置文件有误：kiosk.toml 第3行 kiosk.language："fr" is not a language; use "zh" or "en"`,
			`Configuration refused: kiosk.toml line 3 kiosk.language: "fr" is not a language`, false},
		{"not TOML", badTOML, nil, "配置文件有误：kiosk.toml 第2行", "Configuration refused: kiosk.toml line 2", false},
		{"the file unreadable", fmt.Errorf("config: %w", &fs.PathError{Op: "open", Path: file, Err: fs.ErrNotExist}), nil,
			"无法读取配置文件 /etc/kiosk/kiosk.toml：file does not exist", "The configuration file /etc/kiosk/kiosk.toml cannot be read", false},
		{"the database damaged", fmt.Errorf("%w: /var/lib/kiosk/kiosk.db: 100 bytes", store.ErrDamaged), cfg,
			"数据库损坏：请从备份恢复 /var/lib/kiosk/kiosk.db", "The database is damaged: restore /var/lib/kiosk/kiosk.db from a backup", false},
		{"a bucket missing", fmt.Errorf("outbox: %w: %q", store.ErrNoBucket, store.BucketOutbox), cfg,
			"数据库损坏：请从备份恢复 /var/lib/kiosk/kiosk.db", "The database is damaged: restore /var/lib/kiosk/kiosk.db from a backup", false},
		{"the key missing", store.ErrKeyMissing, cfg,
			"数据密钥文件缺失：请从备份恢复 /var/lib/kiosk/data.key", "The data key file is missing: restore /var/lib/kiosk/data.key", false},
		{"the key wrong", store.ErrWrongKey, cfg,
			"数据密钥与数据库不符：请换回原来的 /var/lib/kiosk/data.key", "put the original /var/lib/kiosk/data.key back", false},
		{"a newer schema", fmt.Errorf("app: %w", &store.SchemaError{File: 9, Known: 5}), cfg,
			"数据库由较新版本的程序写入（结构版本 9，本程序最高支持 5）：请安装该版本或更新的程序", "(schema 9; this one knows up to 5): install", false},
		{"a bucket missing at open", fmt.Errorf("%w: /var/lib/kiosk/kiosk.db: at schema 5 it lacks the bucket \"outbox\": %w", store.ErrDamaged, store.ErrNoBucket), cfg,
			"数据库损坏：请从备份恢复 /var/lib/kiosk/kiosk.db", "The database is damaged: restore /var/lib/kiosk/kiosk.db from a backup", false},
		{"the database held", fmt.Errorf("%w: held for 5s", store.ErrInUse), cfg,
			"数据库被另一程序占用：/var/lib/kiosk/kiosk.db", "in use by another program: /var/lib/kiosk/kiosk.db", true},
		{"the data folder read-only", fmt.Errorf("logging: %w", &fs.PathError{Op: "open", Path: "/var/lib/kiosk/kiosk.log", Err: syscall.EROFS}), cfg,
			"数据文件夹不可写：/var/lib/kiosk", "The data folder cannot be written: /var/lib/kiosk", false},
		{"the data folder another user's", &fs.PathError{Op: "mkdir", Path: "/var/lib/kiosk", Err: syscall.EACCES}, cfg,
			"数据文件夹不可写：/var/lib/kiosk", "The data folder cannot be written", false},
		{"a secret elsewhere unreadable", &fs.PathError{Op: "open", Path: "/etc/kiosk/water.secret", Err: syscall.EACCES}, cfg,
			"启动失败：open /etc/kiosk/water.secret: permission denied", "Start failed: open /etc/kiosk/water.secret", false},
		{"several lines", errors.New("app: first\ngoroutine 1 [running]:"), cfg, "启动失败：app: first…", "Start failed: app: first…", false},
		{"a long error", long, cfg, "启动失败：app: " + strings.Repeat("x", 155) + "…", "Start failed: app: xxx", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := NewOutOfService(tc.err, file, tc.cfg)
			for _, c := range []struct {
				lang i18n.Lang
				want string
			}{{i18n.ZH, tc.zh}, {i18n.EN, tc.en}} {
				text, err := i18n.New(c.lang)
				if err != nil {
					t.Fatal(err)
				}
				got := o.Reason(text)
				if !strings.Contains(got, c.want) {
					t.Errorf("%s: %q, want it to hold %q", c.lang, got, c.want)
				}
				if strings.Contains(got, "\n") || len([]rune(got)) > maxReason+60 {
					t.Errorf("%s: %q is not one short line", c.lang, got)
				}
			}
			if got := StartTransient(tc.err); got != tc.transient {
				t.Errorf("StartTransient = %v, want %v", got, tc.transient)
			}
		})
	}
}

// The command staff run names the configuration the kiosk was started with.
func TestOutOfServiceCheck(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"", "kioskctl config check"},
		{"/etc/kiosk/kiosk.toml", "kioskctl config check --config /etc/kiosk/kiosk.toml"},
	} {
		if got := NewOutOfService(store.ErrWrongKey, tc.file, nil).Check(); got != tc.want {
			t.Errorf("Check with file %q = %q, want %q", tc.file, got, tc.want)
		}
	}
}
