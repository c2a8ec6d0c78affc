package utility

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/liangzihu/kiosk/app/config"
)

// APIReference names the protocol of docs/utility-api.md, which HTTPClient speaks: the
// API of a utility whose utilities.*.api is empty or this.
const APIReference = config.APIReference

// An Adapter makes the Client of a utility whose API is not the reference protocol. It
// gets what NewHTTP gets from the configuration: the utility's ID and name, its base URL,
// the kiosk's ID and signing secret, the timeout and the trusted authorities. Its Client
// keeps the promises of docs/utility-api.md, "A utility with another API".
type Adapter func(Options) (Client, error)

var (
	adaptersMu sync.RWMutex
	adapters   = map[string]Adapter{}
)

// RegisterAdapter makes an adapter known under name, which utilities.*.api then selects.
// An adapter's package registers itself from init and is linked into cmd/kiosk and
// cmd/kioskctl by a blank import, as database/sql drivers are. It panics on a name
// registered twice, the reference's name or a nil adapter: mistakes of the build, not of
// a kiosk's configuration.
func RegisterAdapter(name string, a Adapter) {
	adaptersMu.Lock()
	defer adaptersMu.Unlock()
	if a == nil || name == "" || name == APIReference {
		panic(fmt.Sprintf("utility: RegisterAdapter %q: no adapter, or the reference's name", name))
	}
	if _, dup := adapters[name]; dup {
		panic(fmt.Sprintf("utility: RegisterAdapter %q: registered twice", name))
	}
	adapters[name] = a
}

// APIs lists the APIs this build can call: the reference, then the adapters by name.
func APIs() []string {
	adaptersMu.RLock()
	defer adaptersMu.RUnlock()
	return append([]string{APIReference}, slices.Sorted(maps.Keys(adapters))...)
}

// ErrUnknownAPI means utilities.*.api names an API this build has no adapter for.
var ErrUnknownAPI = errors.New("utility: unknown api")

// adapter returns the adapter registered under name; nil for the reference.
func adapter(name string) (Adapter, error) {
	if name == "" || name == APIReference {
		return nil, nil
	}
	adaptersMu.RLock()
	a, ok := adapters[name]
	adaptersMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q; this build knows %v", ErrUnknownAPI, name, APIs())
	}
	return a, nil
}

// CheckAPI reports whether this build can call the API name (utilities.*.api):
// kioskctl config check's question, before the kiosk starts on it.
func CheckAPI(name string) error {
	_, err := adapter(name)
	return err
}

// Check asks c what became of a request that cannot exist (Lookup of a kiosk reference
// whose date is 00-00-00), as maintenance's check of a utility's API does: an API that
// answers "not found" is there and takes the kiosk's credentials. It changes nothing.
func Check(ctx context.Context, c Forwarder) error {
	_, err := c.Lookup(ctx, probeRef, "")
	if err == nil || errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}
