// Package headline finds the texts that name a utility in the kiosk's content (its
// catalogue's name, its public information's title) and the names the kiosk's own
// catalogue gives the utilities: what bundle.CheckNames holds a bundle's files to, at
// the kiosk and in kioskctl bundle sign.
package headline

import (
	"sync"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/info"
)

// Of are the texts that name utility id in cat and inf (either may be nil): its
// catalogue's name and its information's title, in both languages; file names the
// bundle's file each is in, from its name in the bundle (bundle.InfoFile,
// bundle.CatalogFile).
func Of(cat *catalog.Catalog, inf *info.Set, id string, file func(string) string) []bundle.Headline {
	var out []bundle.Headline
	if cat != nil {
		if u, ok := cat.Utility(id); ok {
			out = append(out, bundle.Headline{File: file(bundle.CatalogFile), Key: "name", Text: u.Name.ZH},
				bundle.Headline{File: file(bundle.CatalogFile), Key: "name_en", Text: u.Name.EN})
		}
	}
	if inf != nil {
		if c, ok := inf.Utility(id); ok {
			out = append(out, bundle.Headline{File: file(bundle.InfoFile), Key: "title", Text: c.Title.ZH},
				bundle.Headline{File: file(bundle.InfoFile), Key: "title_en", Text: c.Title.EN})
		}
	}
	return out
}

// Shipped are the names the kiosk's own catalogue gives the utilities, by ID.
var Shipped = sync.OnceValues(func() (map[string][]string, error) {
	cat, err := catalog.Default()
	if err != nil {
		return nil, err
	}
	names := map[string][]string{}
	for _, u := range cat.Utilities {
		names[u.ID] = append(names[u.ID], u.Name.ZH, u.Name.EN)
	}
	return names, nil
})
