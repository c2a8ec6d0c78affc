package app

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/workdays"
	"github.com/liangzihu/kiosk/devices/said"
)

// When the data file stops taking writes (its disk full, a failing disk), nothing a
// citizen submits can be stored, and what is not stored is never acknowledged: the
// citizen who was submitting is told it was not taken (NotStored), and the kiosk goes
// out of service for new visits (DataFault): its home screen says 本机暂停服务, a card
// placed opens no visit, and staff read why in maintenance mode, in kioskctl kiosk
// status and in the fleet's alarms, as the state of the device "data". A visit already
// open goes on (what it reads needs no write). Every dataCheckEvery the kiosk asks
// again: once the file takes a commit and its file system has resumeFree bytes free, it
// serves again by itself, and journals how long it could not. It also goes out of
// service before a write fails, when the free space falls below lowFree.

// DataDevice is the name of the data file among the devices' states (DeviceEvent,
// staff.Device, the fleet's alarms).
const DataDevice = "data"

const (
	// dataCheckEvery is how often the kiosk looks at its data folder's free space and,
	// out of service, tries a commit.
	dataCheckEvery = 30 * time.Second
	// lowFree is the free space below which the kiosk stops taking new visits before a
	// write fails: a few visits' requests, and room for bbolt to grow its file.
	lowFree = 16 << 20
	// resumeFree is the free space a kiosk out of service for its data needs before it
	// serves again: well above lowFree, so that it does not come and go with each write.
	resumeFree = 64 << 20
)

// The kiosk's words about its data file, for staff.
var (
	saidNotWritten = said.Said{ZH: "数据文件无法写入（磁盘已满或故障），暂停受理新业务；腾出空间后自动恢复",
		EN: "Data file cannot be written (disk full or failing): no new visits; service resumes once space is freed"}
	saidLowSpace = said.Said{ZH: "数据盘剩余空间不足，暂停受理新业务；腾出空间后自动恢复",
		EN: "Data disk nearly full: no new visits; service resumes once space is freed"}
	saidUntrusted = said.Said{ZH: "数据盘故障：一次写入失败后数据文件本次运行不再写入，暂停受理新业务；检查数据盘后重启自助终端",
		EN: "Data disk failing: after a failed write the data file takes no more writes this run; no new visits; check the disk, then restart"}
)

// DataFault is the kiosk out of service because its data file cannot take what
// citizens submit.
type DataFault struct {
	// Since is when it began.
	Since time.Time
	// Detail says why, for staff (Chinese; StaffWords in English).
	Detail string
}

// dataHealth is the state of the data file: the fault while there is one.
type dataHealth struct {
	mu    sync.Mutex
	fault *DataFault
	// told orders the device events that say it (tellData).
	told sync.Mutex
}

// DataFault reports whether the kiosk is out of service for its data, and why.
func (k *Kiosk) DataFault() (DataFault, bool) {
	k.data.mu.Lock()
	defer k.data.mu.Unlock()
	if k.data.fault == nil {
		return DataFault{}, false
	}
	return *k.data.fault, true
}

// NotStored reports whether err is a citizen's submission refused because the data
// file did not take it: nothing of it was stored or sent, and the citizen is told so.
func NotStored(err error) bool { return errors.Is(err, store.ErrNotWritten) }

// MaybeStored reports whether err is a citizen's submission whose commit failed after
// the data file showed it and could not be taken back (store.ErrUncertain, a failing
// disk): it was not sent, and the next start sends it if the file kept it. The citizen
// is told the kiosk cannot tell, never that it was not taken.
func MaybeStored(err error) bool { return errors.Is(err, store.ErrUncertain) }

// notWritten is the store's OnNotWritten: a commit failed. One that failed after the
// data file showed it leaves the file untrusted for the run (store.ErrUntrusted): the
// kiosk stays out of service until it starts again, and says so to staff.
func (k *Kiosk) notWritten(err error) {
	if errors.Is(err, store.ErrUntrusted) {
		if k.dataUntrusted() {
			k.Log.Error("data file not trusted after a failed write: out of service until the kiosk starts again", "err", err)
		}
		return
	}
	if k.dataDown(saidNotWritten.ZH) {
		k.Log.Error("data file takes no writes: out of service for new visits until it does", "err", err)
	}
}

// dataUntrusted puts the kiosk out of service for a data file it does not trust, or
// says so of the fault it is out of service for; it reports whether it did not say so
// yet.
func (k *Kiosk) dataUntrusted() bool {
	if k.dataDown(saidUntrusted.ZH) {
		return true
	}
	k.data.mu.Lock()
	defer k.data.mu.Unlock()
	if k.data.fault == nil || k.data.fault.Detail == saidUntrusted.ZH {
		return false
	}
	k.data.fault.Detail = saidUntrusted.ZH
	k.spawn(k.tellData)
	return true
}

// dataDown puts the kiosk out of service for its data, with why; it reports whether
// it was in service until then.
func (k *Kiosk) dataDown(why string) bool {
	k.data.mu.Lock()
	defer k.data.mu.Unlock()
	if k.data.fault != nil {
		return false
	}
	k.data.fault = &DataFault{Since: k.Clock.Now(), Detail: why}
	// Told from a goroutine of its own: a failed commit's writer may hold any lock.
	k.spawn(k.tellData)
	return true
}

// tellData tells the device listeners the data file's state as it is now: each change
// spawns one, and the last to run says the last state.
func (k *Kiosk) tellData() {
	k.data.told.Lock()
	defer k.data.told.Unlock()
	ev := DeviceEvent{Device: DataDevice, OK: true}
	if f, down := k.DataFault(); down {
		ev = DeviceEvent{Device: DataDevice, OK: false, Message: "outage.data_citizen", Detail: f.Detail}
	}
	k.emitDevice(ev)
}

// CheckData looks at the data folder: in service, it goes out of service when the free
// space is below lowFree; out of service, it comes back once a commit is taken and
// resumeFree bytes are free, and journals the time it could not serve. The kiosk runs
// it every dataCheckEvery.
func (k *Kiosk) CheckData() {
	free, err := k.Store.Free()
	if err != nil {
		k.Log.Warn("data folder's free space unknown", "err", err)
	}
	f, down := k.DataFault()
	if !down {
		if err == nil && free < lowFree && k.dataDown(saidLowSpace.ZH) {
			k.Log.Error("data disk nearly full: out of service for new visits until space is freed", "free_bytes", free, "needs", resumeFree)
		}
		return
	}
	if err == nil && free < resumeFree {
		return
	}
	if err := k.Store.Probe(); err != nil {
		return
	}
	k.data.mu.Lock()
	if k.Store.Untrusted() {
		// A commit failed after it showed since the probe: the file is not trusted for
		// the run (its fault is said by notWritten).
		k.data.mu.Unlock()
		return
	}
	k.data.fault = nil
	k.data.mu.Unlock()
	k.spawn(k.tellData)
	k.Log.Info("data file takes writes again: back in service", "since", f.Since, "free_bytes", free)
	k.record(journal.Event{Kind: journal.DataBack, Detail: "failed since " + f.Since.In(workdays.CST).Format("2006-01-02 15:04:05")})
}

// watchData runs CheckData every dataCheckEvery until ctx ends.
func (k *Kiosk) watchData(ctx context.Context) {
	k.periodically(ctx, 0, dataCheckEvery, k.CheckData)
}
