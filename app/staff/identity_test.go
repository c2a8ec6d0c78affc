package staff

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/staffpin"
)

// The running kiosk tells kioskctl which it is, as its configuration says, with the
// members' 工号 and names but never their PINs' hashes, and its files' paths absolute
// whatever folder kioskctl runs in.
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
	want := Identity{ID: "LZH-TEST-07", Code: cfg.Kiosk.Code(), Enabled: []string{"electricity", "water", "broadband"}, DataDir: data,
		Members: []Member{{ID: "0417", Name: "王芳"}}}
	if !reflect.DeepEqual(id, want) {
		t.Errorf("identity %+v, want %+v", id, want)
	}
	k := newKiosk(t)
	k.l.Identity = id
	got, err := serve(t, k.dir, k.l).Kiosk(context.Background())
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("through the socket: %+v, %v", got, err)
	}
	b, err := json.Marshal(got)
	if err != nil || strings.Contains(string(b), "pbkdf2") || strings.Contains(string(b), staffpin.DemoHash) {
		t.Errorf("the identity holds a PIN's hash: %s", b)
	}
}
