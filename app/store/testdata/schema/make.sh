#!/usr/bin/env bash
# Makes the fixtures of TestOlderSchemas: a database written by each kiosk release that
# brought a schema version, with the store of that release (its commit), all under one
# data key (data.key, made by the first). Each bucket holds the key "fixture" with the
# version that wrote it, so that the test sees the data survive the migrations.
# Run from the repository's top: bash app/store/testdata/schema/make.sh
set -euo pipefail
out=$(pwd)/app/store/testdata/schema
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -f "$out"/data.key "$out"/v*.db.gz
# commit:schema version it brought (git log -- app/store/schema.go)
for cv in a1ee2a1:1 6564ca1:2 1d9314b:3 12bed52:4 8ef6ab4:5; do
	commit=${cv%:*} v=${cv#*:}
	git worktree add --detach "$work/src$v" "$commit" >/dev/null
	mkdir -p "$work/src$v/cmd/fixture"
	cat >"$work/src$v/cmd/fixture/main.go" <<'GO'
package main

import (
	"log"
	"os"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/store"
)

func main() {
	s, err := store.Open(store.Options{Dir: os.Args[1], KeyFile: os.Args[2]})
	if err != nil {
		log.Fatal(err)
	}
	v, err := s.SchemaVersion()
	if err != nil || strconv.Itoa(v) != os.Args[3] {
		log.Fatalf("schema %d (%v), want %s", v, err, os.Args[3])
	}
	err = s.Update(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if string(name) == "meta" {
				return nil
			}
			return b.Put([]byte("fixture"), []byte("schema "+os.Args[3]))
		})
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
}
GO
	(cd "$work/src$v" && go run ./cmd/fixture "$work/data$v" "$out/data.key" "$v")
	gzip -9n <"$work/data$v/kiosk.db" >"$out/v$v.db.gz"
	git worktree remove --force "$work/src$v"
done
ls -l "$out"
