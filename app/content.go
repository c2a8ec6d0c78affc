package app

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"sync"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/bundle/headline"
	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/info"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/assets"
)

// ErrBundleContent means a bundle's files, put in place of its utility's, do not make
// a valid whole (a form definition or a tariff the kiosk refuses); the message says where.
var ErrBundleContent = errors.New("app: the bundle's content is refused")

// content is what the kiosk shows of the utilities: the public information and the
// service catalogue shipped with it, with each utility's applied bundle in place of its
// own files. It is replaced whole, never changed.
type content struct {
	info    *info.Set
	catalog *catalog.Catalog
	// bundles are the applied bundles by utility; endpoints the endpoints their
	// endpoint files give (a utility without one: the configured endpoint).
	bundles   map[string]*bundle.Bundle
	endpoints map[string]utility.Endpoint
}

// endpoint is where id's calls go with this content: its bundle's endpoint, or nil for
// the configured one.
func (c *content) endpoint(id string) *utility.Endpoint {
	if e, ok := c.endpoints[id]; ok {
		return &e
	}
	return nil
}

// Info is the utilities' public information (信息公开) as now shown.
func (k *Kiosk) Info() *info.Set { return k.content.Load().info }

// Catalog is the utilities' services and forms as now offered.
func (k *Kiosk) Catalog() *catalog.Catalog { return k.content.Load().catalog }

// OnContent registers a listener for a change of the utilities' content (a bundle
// applied or rolled back): screens that show it redraw.
func (k *Kiosk) OnContent(f func()) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.contentListeners = append(k.contentListeners, f)
}

// ownFiles reads the *.toml files at the root of fsys, sorted by name.
func ownFiles(fsys fs.FS) (map[string][]byte, error) {
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, n := range names {
		if out[n], err = fs.ReadFile(fsys, n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// compose builds the content from the kiosk's own files with each bundle's files in
// place of its utility's (assets/info/<utility>.toml, assets/catalog/<utility>.toml).
func compose(bundles map[string]*bundle.Bundle) (*content, error) {
	infoFiles, err := ownFiles(assets.Info)
	if err != nil {
		return nil, err
	}
	catFiles, err := ownFiles(assets.Catalog)
	if err != nil {
		return nil, err
	}
	for id, b := range bundles {
		for name, own := range map[string]map[string][]byte{bundle.InfoFile: infoFiles, bundle.CatalogFile: catFiles} {
			if data, ok := b.Files[name]; ok {
				delete(own, id+".toml")
				own[bundleFileName(b, name)] = data
			}
		}
	}
	c := &content{bundles: bundles, endpoints: map[string]utility.Endpoint{}}
	for id, b := range bundles {
		if data, ok := b.Files[bundle.EndpointFile]; ok {
			if _, c.endpoints[id], err = utility.ParseEndpoint(data, bundleFileName(b, bundle.EndpointFile)); err != nil {
				return nil, err
			}
		}
	}
	if c.info, err = info.Load(sorted(infoFiles, func(n string, d []byte) info.File { return info.File{Name: n, Data: d} })); err != nil {
		return nil, err
	}
	if c.catalog, err = catalog.Load(sorted(catFiles, func(n string, d []byte) catalog.File { return catalog.File{Name: n, Data: d} })); err != nil {
		return nil, err
	}
	return c, nil
}

// bundleFileName names a bundle's file in the messages of a file the kiosk refuses.
func bundleFileName(b *bundle.Bundle, name string) string {
	return fmt.Sprintf("bundle %s v%d/%s", b.Manifest.Utility, b.Manifest.Version, name)
}

func sorted[F any](files map[string][]byte, mk func(string, []byte) F) []F {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]F, 0, len(names))
	for _, n := range names {
		out = append(out, mk(n, files[n]))
	}
	return out
}

// bundleKeys are the utilities' public keys: the configured ones and, in demo mode, the
// demo keys of utilities without one.
func bundleKeys(cfg *config.Config) (map[string]ed25519.PublicKey, error) {
	keys := map[string]ed25519.PublicKey{}
	for _, id := range config.UtilityIDs {
		u, _ := cfg.Utilities.ByID(id)
		switch {
		case u.BundleKey != "":
			pub, err := bundle.ParsePublicKey(u.BundleKey)
			if err != nil {
				return nil, fmt.Errorf("utilities.%s.bundle_key: %w", id, err)
			}
			keys[id] = pub
		case cfg.Demo:
			keys[id] = bundle.DemoKey(id).Public().(ed25519.PublicKey)
		}
	}
	return keys, nil
}

// loadContent composes the content from the bundles the kiosk applied before. A bundle
// whose signature no longer verifies with its utility's configured key (the key was
// changed), or that no longer loads with the kiosk's content (composeEach), is left out:
// the kiosk shows its own content for that utility, and the log says why.
func (k *Kiosk) loadContent() error {
	// The keys are derived when first needed: a kiosk without bundles starts without
	// the signature code's pages (demo keys are derived from their seeds).
	k.bundleKeys = sync.OnceValues(func() (map[string]ed25519.PublicKey, error) { return bundleKeys(k.Config) })
	k.bundles = bundle.NewState(k.Store, k.Journal)
	k.leftOut = map[string]string{}
	applied := map[string]*bundle.Bundle{}
	statuses, err := k.bundles.Statuses()
	if err != nil {
		k.Log.Error("content bundles not read: the kiosk's own content is shown", "err", err)
	}
	for id, st := range statuses {
		if st.Current == nil {
			continue
		}
		if _, err := k.bundleKeys(); err != nil {
			return err
		}
		if err := k.stillValid(id, st.Current); err != nil {
			k.Log.Error("content bundle left out", "utility", id, "version", st.Current.Bundle.Manifest.Version, "err", err)
			continue
		}
		applied[id] = st.Current.Bundle
	}
	c, err := compose(applied)
	if err != nil && len(applied) > 0 {
		c, err = k.composeEach(applied)
	}
	if err != nil {
		return err
	}
	k.content.Store(c)
	return nil
}

// composeEach composes the content from the bundles applied that load with each other,
// taken one utility after another: one that no longer loads (a kiosk release reads the
// files more strictly than the one that took it) is left out on its own, and the
// others stay shown, with the endpoints they moved their calls to (the old ones may be
// gone). Why each was left out is kept for staff (bundleLeftOut).
func (k *Kiosk) composeEach(applied map[string]*bundle.Bundle) (*content, error) {
	kept := map[string]*bundle.Bundle{}
	for _, id := range slices.Sorted(maps.Keys(applied)) {
		try := maps.Clone(kept)
		try[id] = applied[id]
		if _, err := compose(try); err != nil {
			err = fmt.Errorf("%w: %v", ErrBundleContent, err)
			k.Log.Error("content bundle left out: the kiosk shows its own content for the utility", "utility", id,
				"version", applied[id].Manifest.Version, "err", err)
			k.leftOut[id] = err.Error()
			continue
		}
		kept[id] = applied[id]
	}
	return compose(kept)
}

// stillValid checks an applied bundle of id's again, under the configuration as it is
// now: its signature with the utility's key, as it was when applied (a bundle expires
// for delivery, not for display), and its endpoint's host. A key changed or a host no
// longer allowed since leaves it out at start and refuses a rollback to it.
func (k *Kiosk) stillValid(id string, a *bundle.Applied) error {
	keys, err := k.bundleKeys()
	if err != nil {
		return err
	}
	if err := a.Bundle.Verify(keys, a.At); err != nil {
		return err
	}
	if e, ok := utility.BundleEndpoint(a.Bundle); ok {
		return k.endpointInScope(id, &e)
	}
	return nil
}

// ApplyBundle verifies a utility's content bundle (its signature, scope, version and
// expiry, and that its files make a valid whole with the rest), keeps it with the one
// it replaces and shows it at once; or, if it takes effect later (bundle.Manifest's
// Effective), holds it and applies it then (applyDue). by is who delivered it, for the
// journal. A refusal is journaled too, and its error wraps bundle's sentinel errors,
// ErrBundleContent or ErrBundleEndpoint.
func (k *Kiosk) ApplyBundle(data []byte, by string) (*bundle.Bundle, error) {
	k.bundleMu.Lock()
	defer k.bundleMu.Unlock()
	now := k.Clock.Now()
	b, err := bundle.Parse(data)
	if err == nil {
		var keys map[string]ed25519.PublicKey
		if keys, err = k.bundleKeys(); err == nil {
			err = b.Verify(keys, now)
		}
	}
	// A bundle that takes effect later is checked as one that takes effect now, with the
	// content as it is, and held (its files are composed again when it is due).
	held := err == nil && !b.Due(now)
	var next *content
	if err == nil {
		next, err = k.composeWith(b.Manifest.Utility, b)
	}
	if err == nil {
		err = k.endpointInScope(b.Manifest.Utility, next.endpoint(b.Manifest.Utility))
	}
	if err == nil && held {
		err = k.heldStays(b.Manifest.Utility, next)
	}
	if err == nil && !held {
		err = k.probeEndpoint(b.Manifest.Utility, next)
	}
	if err == nil && held {
		err = k.bundles.Schedule(b, now, by)
	} else if err == nil {
		err = k.bundles.Apply(b, now, by)
	}
	if err != nil {
		e := journal.Event{Kind: journal.BundleRefused, Actor: by, Detail: err.Error()}
		if b != nil {
			e.Utility = b.Manifest.Utility
		}
		k.record(e)
		k.Log.Warn("content bundle refused", "by", by, "err", err)
		return nil, err
	}
	if held {
		k.Log.Info("content bundle held until it takes effect", "bundle", b.String(), "by", by)
		k.armHeld()
		k.fleetChanged()
		return b, nil
	}
	k.showContent(next)
	k.Log.Info("content bundle applied", "bundle", b.String(), "by", by)
	return b, nil
}

// composeWith is the content as shown with b in place of utility id's bundle (nil: the
// kiosk's own files for id); an error wraps ErrBundleContent.
func (k *Kiosk) composeWith(id string, b *bundle.Bundle) (*content, error) {
	applied := maps.Clone(k.content.Load().bundles)
	if applied == nil {
		applied = map[string]*bundle.Bundle{}
	}
	delete(applied, id)
	if b != nil {
		applied[id] = b
	}
	c, err := compose(applied)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBundleContent, err)
	}
	if b != nil {
		if err := bundle.CheckNames(id, headline.Of(c.catalog, c.info, id, func(name string) string { return bundleFileName(b, name) }), k.utilityNames(c)); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// utilityNames are the names each utility is known by at this kiosk: the hall's
// (utilities.<id>.name, name_en), the kiosk's own catalogue's and c's.
func (k *Kiosk) utilityNames(c *content) map[string][]string {
	names := map[string][]string{}
	// The kiosk's own catalogue loaded at its start (loadContent), so this does too.
	if shipped, err := headline.Shipped(); err == nil {
		for id, n := range shipped {
			names[id] = append(names[id], n...)
		}
	}
	for _, id := range config.UtilityIDs {
		if u, ok := k.Config.Utilities.ByID(id); ok {
			names[id] = append(names[id], u.Name, u.NameEN)
		}
		if u, ok := c.catalog.Utility(id); ok {
			names[id] = append(names[id], u.Name.ZH, u.Name.EN)
		}
	}
	return names
}

// RollbackBundle goes back, for one utility, to the content its current bundle
// replaced (the previous bundle, or the kiosk's own), journaled with by. A bundle whose
// signature no longer verifies with the utility's configured key (the key was changed
// since) is not shown again: the error wraps bundle.ErrSignature. A refusal is
// journaled too (bundle.refused, "rollback refused: …"), with by.
func (k *Kiosk) RollbackBundle(id, by string) error {
	k.bundleMu.Lock()
	defer k.bundleMu.Unlock()
	var next *content
	err := k.bundles.Rollback(id, k.Clock.Now(), by, func(a *bundle.Applied) error {
		var b *bundle.Bundle
		if a != nil {
			if err := k.stillValid(id, a); err != nil {
				return fmt.Errorf("%s version %d cannot be shown again: %w", id, a.Bundle.Manifest.Version, err)
			}
			b = a.Bundle
		}
		var err error
		next, err = k.composeWith(id, b)
		return err
	})
	if err != nil {
		e := journal.Event{Kind: journal.BundleRefused, Actor: by, Detail: "rollback refused: " + err.Error()}
		if slices.Contains(config.UtilityIDs, id) {
			e.Utility = id // else as typed: not for the journal
		}
		k.record(e)
		k.Log.Warn("content bundle rollback refused", "utility", id, "by", by, "err", err)
		return err
	}
	k.showContent(next)
	k.Log.Info("content bundle rolled back", "utility", id, "by", by)
	return nil
}

// BundleShown is the version of a utility's bundle the kiosk shows; 0 when it shows its
// own content (no bundle, or one left out at start: see loadContent).
func (k *Kiosk) BundleShown(utility string) uint64 {
	if b, ok := k.content.Load().bundles[utility]; ok {
		return b.Manifest.Version
	}
	return 0
}

// bundleLeftOut says why the kiosk does not show a utility's current bundle a, left out
// at start (loadContent); "" when it shows it.
func (k *Kiosk) bundleLeftOut(id string, a *bundle.Applied) string {
	if a == nil || k.BundleShown(id) == a.Bundle.Manifest.Version {
		return ""
	}
	if err := k.stillValid(id, a); err != nil {
		return err.Error()
	}
	if why := k.leftOut[id]; why != "" {
		return why
	}
	return "the bundles together did not load (the kiosk's log says why)"
}

// Bundles is what the kiosk holds of each utility's bundles.
func (k *Kiosk) Bundles() (map[string]bundle.Status, error) { return k.bundles.Statuses() }

// showContent puts c in place, sends the utilities' calls where it says and tells the
// screens.
func (k *Kiosk) showContent(c *content) {
	k.content.Store(c)
	k.useEndpoints(c)
	k.mu.Lock()
	ls := append([]func(){}, k.contentListeners...)
	k.mu.Unlock()
	for _, f := range ls {
		f()
	}
}
