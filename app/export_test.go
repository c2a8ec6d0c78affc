package app

import "github.com/liangzihu/kiosk/app/bundle"

// BundleLeftOut is bundleLeftOut, for the tests: why staff are told a utility's current
// bundle is not shown.
func (k *Kiosk) BundleLeftOut(id string, a *bundle.Applied) string { return k.bundleLeftOut(id, a) }
