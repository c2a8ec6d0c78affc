package main

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/bundle/headline"
	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/info"
	"github.com/liangzihu/kiosk/app/smallfile"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/workdays"
)

// The utility's side of content bundles (docs/bundles.md): its key, and signing its
// public information and service catalogue. The kiosk's side (apply, list, rollback)
// registers in the same group.

const bundleSummary = "utilities' signed content bundles: keys, signing, applying, rollback, dropping one held"

func init() {
	register("bundle", bundleSummary, "keygen", &subcommand{
		usage:   "keygen --out FILE",
		summary: "make a utility's signing key: the private key into FILE (mode 0600), the public key for the kiosks' configuration on stdout",
		run:     bundleKeygen,
	})
	register("bundle", bundleSummary, "sign", &subcommand{
		usage:   "sign (--key FILE | --demo) --utility ID --version N [--expires DURATION] [--effective TIME] [--note TEXT] [--info FILE] [--catalog FILE] [--endpoint FILE] --out FILE",
		summary: "sign a utility's public information, service catalogue and/or endpoint into a bundle",
		run:     bundleSign,
	})
	register("bundle", bundleSummary, "inspect", &subcommand{
		usage:   "inspect FILE [--key ed25519:…]",
		summary: "print a bundle's manifest; with the utility's public key, check it as a kiosk would (all but its version)",
		run:     bundleInspect,
	})
}

func bundleKeygen(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bundle keygen")
	out := fs.String("out", "", "the private key file to create (PEM, mode 0600); never overwritten")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := errors.Join(required("out", *out), noArgs(fs)); err != nil {
		return err
	}
	pub, priv, err := bundle.GenerateKey()
	if err != nil {
		return err
	}
	pemBytes, err := bundle.MarshalPrivateKey(priv)
	if err != nil {
		return err
	}
	if err := writeNew(*out, pemBytes, 0o600); err != nil {
		return err
	}
	// The line alone on stdout, for a script; the advice on stderr, for the person.
	fmt.Fprintf(stdout, "bundle_key = %q\n", bundle.EncodePublicKey(pub))
	fmt.Fprintf(stderr, "wrote the private key to %s (mode 0600): keep it at the utility, never on a kiosk\n", *out)
	fmt.Fprintln(stderr, "put the line above in each kiosk's configuration under [utilities.<id>], <id> being the utility that signs with this key")
	return nil
}

// writeNew creates a file that must not exist yet, with mode perm, and writes data.
func writeNew(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s already exists: kioskctl does not overwrite a key; give another --out", path)
	}
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

func bundleSign(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bundle sign")
	keyPath := fs.String("key", "", "the utility's private key (from bundle keygen; mode 0600)")
	demo := fs.Bool("demo", false, "sign with the utility's demo key instead of --key: only a kiosk in demo mode, without a bundle_key for the utility, takes it")
	id := fs.String("utility", "", "the utility: "+strings.Join(config.UtilityIDs, ", "))
	version := fs.Uint64("version", 0, "the bundle's version: 1 or more, and more than any this utility signed before")
	expires := fs.Duration("expires", 720*time.Hour, "how long from now kiosks may take it")
	effectiveText := fs.String("effective", "", "when it takes effect, if later than it reaches the kiosks: 2027-01-01 00:00 (China Standard Time), 2027-01-01, or RFC 3339")
	note := fs.String("note", "", "what changed, for hall staff")
	infoPath := fs.String("info", "", "the utility's public information file (app/info format)")
	catalogPath := fs.String("catalog", "", "the utility's service catalogue file (app/catalog format)")
	endpointPath := fs.String("endpoint", "", "where the utility's API is: base_url and timeout (docs/bundles.md)")
	out := fs.String("out", "", "the bundle file to write")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *demo && *keyPath != "" {
		return usageError("--key or --demo, not both")
	}
	var keyErr error
	if !*demo {
		keyErr = required("key", *keyPath)
	}
	if err := errors.Join(keyErr, required("utility", *id), required("out", *out), noArgs(fs)); err != nil {
		return err
	}
	switch {
	case !slices.Contains(config.UtilityIDs, *id):
		return usageError("--utility %q: give one of %s", *id, strings.Join(config.UtilityIDs, ", "))
	case *version == 0:
		return usageError("--version is required: 1 or more, and more than any this utility signed before")
	case *expires <= 0:
		return usageError("--expires %s: give how long kiosks may apply the bundle, e.g. 720h", *expires)
	case *expires > bundle.MaxValidity:
		return usageError("--expires %s: at most %s (%d days); sign the content again for longer", *expires, bundle.MaxValidity, bundle.MaxValidity/(24*time.Hour))
	case *infoPath == "" && *catalogPath == "" && *endpointPath == "":
		return usageError("one or more of --info FILE, --catalog FILE, --endpoint FILE")
	}
	created := time.Now().UTC().Truncate(time.Second)
	var effective time.Time
	if *effectiveText != "" {
		var err error
		if effective, err = parseEffective(*effectiveText); err != nil {
			return err
		}
		if !effective.After(created) {
			return usageError("--effective %s is not in the future: leave it out for a bundle that takes effect when it arrives", *effectiveText)
		}
	}
	inputs := map[string]string{} // file in the bundle → path
	for name, path := range map[string]string{bundle.InfoFile: *infoPath, bundle.CatalogFile: *catalogPath, bundle.EndpointFile: *endpointPath} {
		if path != "" {
			inputs[name] = path
		}
	}
	if err := notAnInput(*out, []string{*keyPath, *infoPath, *catalogPath, *endpointPath}); err != nil {
		return err
	}
	var priv ed25519.PrivateKey
	var err error
	if *demo {
		priv = bundle.DemoKey(*id)
	} else if priv, err = bundle.ReadPrivateKey(*keyPath); err != nil {
		return err
	}
	files := map[string][]byte{}
	for name, path := range inputs {
		if files[name], err = readInput(path); err != nil {
			return err
		}
	}
	m := bundle.Manifest{Utility: *id, Version: *version, Created: created, Expires: created.Add(*expires), Effective: effective, Note: *note}
	data, err := bundle.Sign(priv, m, files)
	if err != nil {
		return err
	}
	if err := checkContent(*id, files, inputs); err != nil {
		return err
	}
	b, err := bundle.Parse(data)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintln(stdout, b)
	if effective.IsZero() {
		fmt.Fprintf(stderr, "wrote %s (%d bytes): kiosks with %s's public key apply it until %s, if no version %d or newer was applied\n",
			*out, len(data), *id, b.Manifest.Expires.Format(time.RFC3339), *version)
	} else {
		fmt.Fprintf(stderr, "wrote %s (%d bytes): kiosks with %s's public key take it until %s and apply it at %s, if no version %d or newer was applied by then\n",
			*out, len(data), *id, b.Manifest.Expires.Format(time.RFC3339), hallTime(effective), *version)
	}
	return nil
}

// parseEffective reads --effective: RFC 3339, or a date with or without a time of day
// in China Standard Time, the time of the halls and of tariff notices.
func parseEffective(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, workdays.CST); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, usageError("--effective %q: give 2027-01-01 00:00 (China Standard Time), 2027-01-01 or 2027-01-01T00:00:00+08:00", s)
}

// notAnInput refuses to write the bundle over one of the files it is made of, the
// private key above all.
func notAnInput(out string, inputs []string) error {
	st, err := os.Stat(out)
	if err != nil {
		return nil // not there yet: created
	}
	for _, in := range inputs {
		if in == "" {
			continue
		}
		if ist, err := os.Stat(in); err == nil && os.SameFile(st, ist) {
			return usageError("--out would overwrite %s, one of the inputs", in)
		}
	}
	return nil
}

// checkContent reads the files as the kiosk will (app/info, app/catalog with the rest of
// the catalogue shipped with this kioskctl, app/utility's endpoint): a utility learns that a file is refused
// before it signs away a version number, not from the kiosks. (After bundle.Sign, which
// refuses files the TOML decoder could not read safely.)
func checkContent(id string, files map[string][]byte, paths map[string]string) error {
	var inf *info.Set
	if data, ok := files[bundle.InfoFile]; ok {
		c, err := info.Parse(data, paths[bundle.InfoFile])
		if err != nil {
			return fmt.Errorf("the kiosk would refuse %s: %w", paths[bundle.InfoFile], err)
		}
		inf = &info.Set{Utilities: []*info.Content{c}}
	}
	var cat *catalog.Catalog
	if data, ok := files[bundle.CatalogFile]; ok {
		own, err := catalog.Default()
		if err != nil {
			return err
		}
		name := paths[bundle.CatalogFile]
		if base := filepath.Base(name); base == catalog.CommonFile || base == catalog.AddressesFile {
			name = id + ".toml" // Load would take it for the common or address file
		}
		if cat, err = own.ReplaceUtility(catalog.File{Name: name, Data: data}); err != nil {
			return fmt.Errorf("the kiosk would refuse %s: %w", paths[bundle.CatalogFile], err)
		}
	}
	// Under another utility's name, as the kiosk's own catalogue names them (a kiosk
	// also knows the names its hall gives them).
	shipped, err := headline.Shipped()
	if err != nil {
		return err
	}
	if err := bundle.CheckNames(id, headline.Of(cat, inf, id, func(name string) string { return paths[name] }), shipped); err != nil {
		return err
	}
	if data, ok := files[bundle.EndpointFile]; ok {
		if _, _, err := utility.ParseEndpoint(data, paths[bundle.EndpointFile]); err != nil {
			return fmt.Errorf("the kiosk would refuse %s: %w", paths[bundle.EndpointFile], err)
		}
	}
	return nil
}

func bundleInspect(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bundle inspect")
	keyText := fs.String("key", "", `the utility's public key ("ed25519:…", as in the kiosk's configuration): verify the bundle with it, now`)
	path, err := parseWithKind(fs, args)
	if err != nil {
		return err
	}
	if path == "" {
		return usageError("give the bundle FILE")
	}
	var pub ed25519.PublicKey
	if *keyText != "" {
		if pub, err = bundle.ParsePublicKey(*keyText); err != nil {
			return usageError("--key: %s", strings.TrimPrefix(err.Error(), "bundle: "))
		}
	}
	b, err := readBundle(path)
	if err != nil {
		return err
	}
	text, err := json.MarshalIndent(b.Manifest, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", text)
	if pub == nil {
		return nil
	}
	if err := b.Verify(map[string]ed25519.PublicKey{b.Manifest.Utility: pub}, time.Now()); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "signature: ok")
	return nil
}

// readInput reads a file to sign into a bundle, no longer than a whole bundle may be.
func readInput(path string) ([]byte, error) {
	data, err := smallfile.Read(path, bundle.MaxSize)
	if _, ok := errors.AsType[*smallfile.TooLargeError](err); ok {
		return nil, fmt.Errorf("%s: more than the %s a bundle may have", path, smallfile.Size(bundle.MaxSize))
	}
	return data, err
}

// readBundle reads and parses a bundle file (bundle.Parse), no more than a bundle may be.
func readBundle(path string) (*bundle.Bundle, error) {
	data, err := readInput(path)
	if err != nil {
		return nil, err
	}
	return bundle.Parse(data)
}
