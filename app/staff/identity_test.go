package staff

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/utility"
)

// The running kiosk tells kioskctl which it is, as its configuration says, its files'
// paths absolute whatever folder kioskctl runs in, and nothing of its staff: neither
// their PINs' hashes nor their names and 工号, which it keeps to check an actor itself.
func TestIdentity(t *testing.T) {
	cfg, err := config.Parse([]byte("[kiosk]\ndemo = true\nid = \"LZH-TEST-07\"\n[data]\ndir = \"data\"\n[utilities.gas]\nenabled = false\n"+
		"[[staff.members]]\nid = \"0417\"\nname = \"王芳\"\npin_hash = \""+staffpin.DemoHash+"\"\n"), "kiosk.toml")
	if err != nil {
		t.Fatal(err)
	}
	id := IdentityOf(cfg)
	data, err := filepath.Abs("data")
	if err != nil {
		t.Fatal(err)
	}
	want := Identity{ID: "LZH-TEST-07", Code: cfg.Kiosk.Code(), Enabled: []string{"electricity", "water", "broadband"}, DataDir: data}
	if local := (Identity{ID: "LZH-TEST-07", Code: cfg.Kiosk.Code(), Enabled: want.Enabled, DataDir: data,
		Members: []Member{{ID: "0417", Name: "王芳"}}}); !reflect.DeepEqual(id, local) {
		t.Errorf("identity %+v, want %+v", id, local)
	}
	k := newKiosk(t)
	k.l.Identity = id
	got, err := serve(t, k.dir, k.l).Kiosk(context.Background())
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("through the socket: %+v, %v; want %+v", got, err, want)
	}
	b, err := json.Marshal(id)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"pbkdf2", staffpin.DemoHash, "王芳", "0417"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the identity tells %q: %s", secret, b)
		}
	}
}

// Where the hall's staff have their own 工号, the running kiosk checks the actor of an
// action that comes through its socket, whatever client sent it: a 工号 none of them has
// is refused and journals nothing; one of theirs is journaled as maintenance mode names
// them, followed by the account that connected.
func TestActorCheckedByKiosk(t *testing.T) {
	k := newKiosk(t)
	k.l.Identity = Identity{ID: "LZH-TEST-07", Members: []Member{{ID: "0417", Name: "王芳"}}}
	c := serve(t, k.dir, k.l)
	ctx := context.Background()
	unlocks := func() []journal.Event {
		t.Helper()
		evs, err := k.l.Events(ctx, Query{Since: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		return slices.DeleteFunc(evs, func(e journal.Event) bool { return e.Kind != journal.StaffUnlock })
	}
	for _, actor := range []string{"0418", "王芳", "staff-7", "工号 0418"} {
		if err := c.UnlockPIN(ctx, actor); !errors.Is(err, ErrUnknownActor) || !errors.Is(err, ErrInput) {
			t.Errorf("unlock by %q: %v, want ErrUnknownActor", actor, err)
		}
	}
	if err := c.RollbackBundle(ctx, utility.Water, "0999"); !errors.Is(err, ErrUnknownActor) {
		t.Errorf("rollback by 0999: %v, want ErrUnknownActor", err)
	}
	if _, err := c.ApplyBundle(ctx, []byte("{}"), "0999"); !errors.Is(err, ErrUnknownActor) {
		t.Errorf("bundle applied by 0999: %v, want ErrUnknownActor", err)
	}
	if evs := unlocks(); len(evs) != 0 {
		t.Fatalf("refused actors journaled: %+v", evs)
	}
	if err := c.UnlockPIN(ctx, "工号0417"); err != nil {
		t.Fatal(err)
	}
	evs := unlocks()
	if len(evs) != 1 || !strings.HasPrefix(evs[0].Actor, "工号 0417 王芳 ⟨os user ") {
		t.Errorf("unlock journaled as %+v, want 工号 0417 王芳 and the account", evs)
	}
}
