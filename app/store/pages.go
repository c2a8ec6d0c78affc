package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
)

// The layout of a bbolt file (format version 2), as far as checkPages reads it. All
// numbers are little-endian: bbolt writes the machine's order, and kiosks are amd64
// or arm64.
const (
	boltMagic   = 0xED0CDAED
	boltVersion = 2

	pageHeader  = 16 // id u64, flags u16, count u16, overflow u32
	elementSize = 16 // branch: pos u32, ksize u32, pgid u64; leaf: flags u32, pos u32, ksize u32, vsize u32
	bucketValue = 16 // root u64, sequence u64; an inline bucket's page follows when root is 0
	metaSize    = 64 // magic, version, page size, flags, root bucket, freelist, pgid, txid, checksum

	branchPage   = 0x01
	leafPage     = 0x02
	freelistPage = 0x10
	bucketLeaf   = 0x01

	noFreelist = ^uint64(0)
)

// errPage marks what checkPages finds wrong with a page.
var errPage = errors.New("page")

// checkPages reads every page of the database file at path that a transaction can reach
// (the root bucket's tree, its buckets' trees, the free-page list) and checks what bbolt
// takes on trust when it walks them at open: each page within the file and named once,
// branch or leaf, its elements within it, its keys in order within the bounds its
// parent sets. bbolt walks them in a goroutine of its own, where damage is a panic or a
// fault (SIGSEGV) that kills the process; here it is an error, read with ReadAt, not
// through the map. The file is whole (openWhole) and not held by another process.
func checkPages(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	w := walker{f: f, size: uint64(st.Size())}
	if err := w.meta(); err != nil {
		return err
	}
	if err := w.tree(w.root, nil, nil, true); err != nil {
		return err
	}
	return w.freelist()
}

type walker struct {
	f        *os.File
	size     uint64
	pageSize uint64
	hwm      uint64 // the first page id past the last the commit uses
	root     uint64
	list     uint64   // the free-page list's page, or noFreelist
	seen     []uint64 // a bit for each page read
	// The walk's depth, and a page buffer and a slice of elements for each.
	depth int
	bufs  [][]byte
	els   [][]element
}

// meta reads the meta page bbolt would use: of the two, the valid one of the later
// transaction.
func (w *walker) meta() error {
	var metas [][]byte
	// Page 0's meta says where page 1 is; without it, page 1 is looked for where the
	// common page sizes put it.
	at := []uint64{4096, 8192, 16384, 32768, 65536}
	if m := w.metaAt(0); m != nil {
		metas, at = append(metas, m), []uint64{uint64(le32(m[8:]))}
	}
	for _, a := range at {
		if m := w.metaAt(a); m != nil && uint64(le32(m[8:])) == a {
			metas = append(metas, m)
			break
		}
	}
	if len(metas) == 0 {
		return fmt.Errorf("%w: no valid meta page", errPage)
	}
	best := metas[0]
	for _, m := range metas[1:] {
		if le64(m[48:]) > le64(best[48:]) {
			best = m
		}
	}
	w.pageSize, w.root, w.list, w.hwm = uint64(le32(best[8:])), le64(best[16:]), le64(best[32:]), le64(best[40:])
	if w.pageSize < 512 || w.pageSize > 1<<20 || w.hwm > w.size/w.pageSize || w.hwm < 3 {
		return fmt.Errorf("%w: meta: page size %d, %d pages in a file of %d bytes", errPage, w.pageSize, w.hwm, w.size)
	}
	w.seen = make([]uint64, (w.hwm+63)/64)
	w.saw(0)
	w.saw(1)
	return nil
}

// metaAt is the meta of the page at byte off, if it is a valid one.
func (w *walker) metaAt(off uint64) []byte {
	m := make([]byte, metaSize)
	if w.read(m, off+pageHeader) != nil || !validMeta(m) {
		return nil
	}
	return m
}

func validMeta(m []byte) bool {
	h := fnv.New64a()
	h.Write(m[:56])
	return le32(m) == boltMagic && le32(m[4:]) == boltVersion && le64(m[56:]) == h.Sum64()
}

// read fills b from the file at offset off.
func (w *walker) read(b []byte, off uint64) error {
	if _, err := w.f.ReadAt(b, int64(off)); err != nil {
		return fmt.Errorf("%w at byte %d: %w", errPage, off, err)
	}
	return nil
}

// page reads page id, of one of the types kinds (bits) with its overflow pages, once: a
// page two parents name is damage.
// It reads into the buffer of the walk's depth: a parent's page, whose keys bound its
// children's, stays as it is while they are read.
func (w *walker) page(id uint64, kinds uint16) ([]byte, error) {
	if id < 2 || id >= w.hwm {
		return nil, fmt.Errorf("%w %d: outside the database's %d pages", errPage, id, w.hwm)
	}
	for len(w.bufs) <= w.depth {
		w.bufs = append(w.bufs, nil)
	}
	p := grow(w.bufs[w.depth], w.pageSize)
	if err := w.read(p, id*w.pageSize); err != nil {
		return nil, err
	}
	over, flags := uint64(le32(p[12:])), le16(p[8:])
	if le64(p) != id {
		return nil, fmt.Errorf("%w %d: says it is page %d", errPage, id, le64(p))
	}
	if over >= w.hwm-id {
		return nil, fmt.Errorf("%w %d: %d overflow pages run past the database's %d pages", errPage, id, over, w.hwm)
	}
	if flags&kinds == 0 || flags&(flags-1) != 0 {
		return nil, fmt.Errorf("%w %d: of type %#x where a page of the types %#x is named", errPage, id, flags, kinds)
	}
	for i := id; i <= id+over; i++ {
		if !w.saw(i) {
			return nil, fmt.Errorf("%w %d: named twice", errPage, i)
		}
	}
	if over > 0 {
		p = grow(p, (over+1)*w.pageSize)
		if err := w.read(p[w.pageSize:], (id+1)*w.pageSize); err != nil {
			return nil, err
		}
	}
	w.bufs[w.depth] = p
	return p, nil
}

// saw notes page id as read, and reports whether it was not already.
func (w *walker) saw(id uint64) bool {
	bit := uint64(1) << (id % 64)
	if w.seen[id/64]&bit != 0 {
		return false
	}
	w.seen[id/64] |= bit
	return true
}

// grow is b with n bytes, its own first: in its array when that holds them.
func grow(b []byte, n uint64) []byte {
	if uint64(cap(b)) < n {
		return append(b, make([]byte, n-uint64(len(b)))...)
	}
	return b[:n]
}

// elementsOf reads p's elements into the walk depth's slice of elements.
func (w *walker) elementsOf(p []byte) ([]element, error) {
	for len(w.els) <= w.depth {
		w.els = append(w.els, nil)
	}
	es, err := elements(p, w.els[w.depth][:0])
	w.els[w.depth] = es
	return es, err
}

// tree checks the tree under page id, its keys from min (included) to max (excluded),
// nil for no bound; the root's tree holds buckets only.
func (w *walker) tree(id uint64, min, max []byte, root bool) error {
	w.depth++
	defer func() { w.depth-- }()
	p, err := w.page(id, branchPage|leafPage)
	if err != nil {
		return err
	}
	es, err := w.elementsOf(p)
	if err == nil && len(es) == 0 && le16(p[8:]) == branchPage {
		// bbolt's cursor reads a branch's first element unasked.
		err = errors.New("a branch without elements")
	}
	if err != nil {
		return fmt.Errorf("%w %d: %w", errPage, id, err)
	}
	if err := ordered(es, min, max); err != nil {
		return fmt.Errorf("%w %d: %w", errPage, id, err)
	}
	for i, e := range es {
		switch {
		case e.branch:
			next := max
			if i+1 < len(es) {
				next = es[i+1].key
			}
			err = w.tree(e.child, e.key, next, root)
		case e.bucket:
			err = w.bucket(e.value)
		case root:
			err = fmt.Errorf("%w %d: key %d of the root is not a bucket", errPage, id, i)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// bucket checks a bucket from its value in its parent: its own tree, or the page kept
// in the value (an inline bucket: a leaf with no bucket in it).
func (w *walker) bucket(v []byte) error {
	if len(v) < bucketValue {
		return fmt.Errorf("%w: a bucket's value of %d bytes", errPage, len(v))
	}
	if root := le64(v); root != 0 {
		return w.tree(root, nil, nil, false)
	}
	inline := v[bucketValue:]
	// bbolt writes an inline bucket's page with id 0 and no overflow; another id is one it
	// frees when it writes the bucket next: a page of the file, any page.
	if len(inline) < pageHeader || le16(inline[8:]) != leafPage || le64(inline) != 0 || le32(inline[12:]) != 0 {
		return fmt.Errorf("%w: an inline bucket is not a leaf of its own", errPage)
	}
	// Its elements below the page that holds it, whose elements are being walked.
	w.depth++
	defer func() { w.depth-- }()
	es, err := w.elementsOf(inline)
	if err == nil {
		err = ordered(es, nil, nil)
	}
	for _, e := range es {
		if e.bucket {
			err = errors.New("a bucket in an inline bucket")
		}
	}
	if err != nil {
		return fmt.Errorf("%w: inline bucket: %w", errPage, err)
	}
	return nil
}

// freelist checks the free-page list's page, when the commit wrote one.
func (w *walker) freelist() error {
	if w.list == noFreelist {
		return nil
	}
	p, err := w.page(w.list, freelistPage)
	if err != nil {
		return err
	}
	n, at := uint64(le16(p[10:])), uint64(pageHeader)
	if n == 0xFFFF {
		// More ids than a count holds: the first id is the count.
		n, at = le64(p[pageHeader:]), pageHeader+8
	}
	if n > (uint64(len(p))-at)/8 {
		return fmt.Errorf("%w %d: %d free pages do not fit it", errPage, w.list, n)
	}
	for i := range n {
		if id := le64(p[at+8*i:]); id < 2 || id >= w.hwm {
			return fmt.Errorf("%w %d: free page %d outside the database", errPage, w.list, id)
		}
	}
	return nil
}

// element is one element of a branch or leaf page.
type element struct {
	key, value []byte
	branch     bool
	child      uint64 // a branch element's page
	bucket     bool   // a leaf element that is a bucket
}

// elements appends a page's elements to es, each key and value within the page.
func elements(p []byte, es []element) ([]element, error) {
	branch, n := le16(p[8:])&branchPage != 0, uint64(le16(p[10:]))
	if n > (uint64(len(p))-pageHeader)/elementSize {
		return es, fmt.Errorf("%d elements do not fit it", n)
	}
	for i := range n {
		at := pageHeader + i*elementSize
		h := p[at : at+elementSize]
		e := element{branch: branch}
		var pos, ksize, vsize uint64
		if branch {
			pos, ksize, e.child = uint64(le32(h)), uint64(le32(h[4:])), le64(h[8:])
		} else {
			pos, ksize, vsize = uint64(le32(h[4:])), uint64(le32(h[8:])), uint64(le32(h[12:]))
			e.bucket = le32(h)&bucketLeaf != 0
		}
		start := at + pos
		if start+ksize+vsize > uint64(len(p)) {
			return es, fmt.Errorf("element %d runs past the page", i)
		}
		e.key, e.value = p[start:start+ksize], p[start+ksize:start+ksize+vsize]
		es = append(es, e)
	}
	return es, nil
}

// ordered checks that keys are not empty (bbolt asserts it as it reads a page to
// change it) and rise strictly, the first at least min, all below max.
func ordered(es []element, min, max []byte) error {
	for i, e := range es {
		switch {
		case len(e.key) == 0:
			return fmt.Errorf("key %d is empty", i)
		case i == 0 && min != nil && bytes.Compare(e.key, min) < 0:
			return errors.New("its first key is below its parent's")
		case i > 0 && bytes.Compare(es[i-1].key, e.key) >= 0:
			return fmt.Errorf("key %d is not above the one before it", i)
		case max != nil && bytes.Compare(e.key, max) >= 0:
			return fmt.Errorf("key %d is not below the next of its parent's", i)
		}
	}
	return nil
}

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }
