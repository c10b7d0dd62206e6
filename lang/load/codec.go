package load

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/meshc/meshc/lang/diag"
	"github.com/zclconf/go-cty/cty"
)

// This file is the binary form of decoded files that the cache keeps
// (cache.go): a compact encoding of the ast types, written by reflection
// and read by the decoders codec_gen.go generates from the same types.
//
// Every range in the file is written without the file's display name and
// given the current one when read back, so that an entry serves the same
// file whether meshc was pointed at it as examples/pharma or as ., and a
// large mesh's ranges cost a few bytes. Other strings are written as they are
// (a short one once per entry, then by its number): a description that
// happens to read "mesh.hcl" stays that.
// Values the encoding does not know (an interface, a function, a map not
// keyed by strings) can only be empty: a file holding one is not cached,
// never cached wrongly.

// errNotCacheable says a decoded file holds a value the encoding cannot
// write; the file is parsed again next time.
var errNotCacheable = errors.New("not cacheable")

type entryWriter struct {
	buf  []byte
	file *diag.File // whose ranges are written
	// named is set when a string holds the file's display name (a
	// diagnostic's detail, say), which depends on where meshc was
	// pointed, or a range is in another file: the file is then not
	// cached.
	named bool
	// shared numbers the short strings written so far, in the order
	// written: names, types and keywords repeat across a chunk's files,
	// and one written again is written as its number.
	shared map[string]int
}

type entryReader struct {
	buf  []byte
	file *diag.File // whose ranges are read
	// corrupt is set once the entry turned out not to decode.
	corrupt bool
	// shared holds the short strings read so far, by number (see
	// entryWriter.shared): reading one again costs no allocation, and
	// the decoded mesh holds one copy of it per entry.
	shared []string
}

// maxShared is the longest string written once per entry.
const maxShared = 32

// decoders read what the codecs of build write, for decodeChunk.
type decoders struct {
	diagnostics func(*entryReader) diag.Diagnostics
	// blocks decode a top-level block's value, by the block's type.
	blocks map[string]func(*entryReader) (value any, isNil bool)
}

// generated are the decoders of codec_gen.go, which TestCodecGenerated
// makes from the same types as build, to read the same fields in the same
// order without reflection: decoding was about a fifth of a warm check's
// processor time, and reflection much of that. Without codec_gen.go
// (deleted to make it again, after a change to the ast types stopped it
// compiling), entries are decoded by reflection.
var generated decoders

// reflected are decoders by reflection, from the codecs themselves.
var reflected = sync.OnceValue(func() *decoders {
	diags := codecFor(reflect.TypeFor[diag.Diagnostics]())
	ds := &decoders{
		diagnostics: func(d *entryReader) (v diag.Diagnostics) {
			diags.dec(d, reflect.ValueOf(&v).Elem())
			return v
		},
		blocks: map[string]func(*entryReader) (any, bool){},
	}
	for typ, k := range blockKinds {
		c := codecFor(k.value)
		ds.blocks[typ] = func(d *entryReader) (any, bool) {
			v := reflect.New(k.value).Elem()
			c.dec(d, v)
			return v.Interface(), v.IsNil()
		}
	}
	return ds
})

// theDecoders are the decoders that decodeChunk uses.
func theDecoders() *decoders {
	if generated.diagnostics != nil {
		return &generated
	}
	return reflected()
}

// codec writes and reads one type.
type codec struct {
	enc func(e *entryWriter, v reflect.Value) error
	dec func(d *entryReader, v reflect.Value)
}

var (
	rangeType = reflect.TypeFor[diag.Range]()
	ctyType   = reflect.TypeFor[cty.Value]()
	codecs    sync.Map // reflect.Type -> *codec, complete ones only

	// building holds, under buildMu, the codecs being built: a recursive
	// type (TypeExpr.Elem) finds its own there while it is incomplete.
	// They are published to codecs only once complete, since files are
	// encoded and decoded on several goroutines at once.
	buildMu  sync.Mutex
	building map[reflect.Type]*codec
)

// codecFor returns the codec of t, building it the first time.
func codecFor(t reflect.Type) *codec {
	if c, ok := codecs.Load(t); ok {
		return c.(*codec)
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	building = map[reflect.Type]*codec{}
	c := buildingCodec(t)
	for t, c := range building {
		codecs.Store(t, c)
	}
	building = nil
	return c
}

// buildingCodec is codecFor for the types inside one being built.
func buildingCodec(t reflect.Type) *codec {
	if c, ok := codecs.Load(t); ok {
		return c.(*codec)
	}
	if c, ok := building[t]; ok {
		return c
	}
	c := &codec{}
	building[t] = c
	build(c, t)
	return c
}

func build(c *codec, t reflect.Type) {
	switch {
	case t == rangeType:
		c.enc, c.dec = encodeRange, decodeRange
		return
	case t == ctyType:
		c.enc, c.dec = encodeCty, decodeCty
		return
	}
	switch t.Kind() {
	case reflect.String:
		c.enc = func(e *entryWriter, v reflect.Value) error { e.string(v.String()); return nil }
		c.dec = func(d *entryReader, v reflect.Value) { v.SetString(d.string()) }
	case reflect.Bool:
		c.enc = func(e *entryWriter, v reflect.Value) error { e.uint(boolBit(v.Bool())); return nil }
		c.dec = func(d *entryReader, v reflect.Value) { v.SetBool(d.uint() == 1) }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		c.enc = func(e *entryWriter, v reflect.Value) error { e.buf = binary.AppendVarint(e.buf, v.Int()); return nil }
		c.dec = func(d *entryReader, v reflect.Value) {
			n := d.int()
			if v.OverflowInt(n) {
				d.fail()
				return
			}
			v.SetInt(n)
		}
	case reflect.Pointer:
		elem := buildingCodec(t.Elem())
		c.enc = func(e *entryWriter, v reflect.Value) error {
			if v.IsNil() {
				e.uint(0)
				return nil
			}
			e.uint(1)
			return elem.enc(e, v.Elem())
		}
		c.dec = func(d *entryReader, v reflect.Value) {
			if d.uint() == 0 || d.corrupt {
				return
			}
			p := reflect.New(t.Elem())
			elem.dec(d, p.Elem())
			v.Set(p)
		}
	case reflect.Slice:
		elem := buildingCodec(t.Elem())
		// The ast never holds nil in a list of pointers, and the compiler
		// relies on it: such a list is not written, and one read back
		// with a nil is corrupt.
		pointers := t.Elem().Kind() == reflect.Pointer
		c.enc = func(e *entryWriter, v reflect.Value) error {
			e.count(v)
			for i := range v.Len() {
				if pointers && v.Index(i).IsNil() {
					return errNotCacheable
				}
				if err := elem.enc(e, v.Index(i)); err != nil {
					return err
				}
			}
			return nil
		}
		c.dec = func(d *entryReader, v reflect.Value) {
			n, ok := d.count()
			if !ok {
				return
			}
			s := reflect.MakeSlice(t, n, n)
			for i := range n {
				elem.dec(d, s.Index(i))
				if pointers && s.Index(i).IsNil() {
					d.fail()
					return
				}
			}
			v.Set(s)
		}
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			buildZeroOnly(c)
			return
		}
		elem := buildingCodec(t.Elem())
		pointers := t.Elem().Kind() == reflect.Pointer // never nil, as in lists
		// A target's options, by name: written in the order of their
		// names, so that an entry does not depend on the map's order.
		c.enc = func(e *entryWriter, v reflect.Value) error {
			e.count(v)
			keys := v.MapKeys()
			slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
			for _, k := range keys {
				if pointers && v.MapIndex(k).IsNil() {
					return errNotCacheable
				}
				e.string(k.String())
				if err := elem.enc(e, v.MapIndex(k)); err != nil {
					return err
				}
			}
			return nil
		}
		c.dec = func(d *entryReader, v reflect.Value) {
			n, ok := d.count()
			if !ok {
				return
			}
			m := reflect.MakeMapWithSize(t, n)
			for range n {
				k := reflect.New(t.Key()).Elem()
				k.SetString(d.string())
				e := reflect.New(t.Elem()).Elem()
				elem.dec(d, e)
				if d.corrupt || pointers && e.IsNil() {
					d.fail()
					return
				}
				m.SetMapIndex(k, e)
			}
			v.Set(m)
		}
	case reflect.Struct:
		buildStruct(c, t)
	default:
		buildZeroOnly(c)
	}
}

// buildZeroOnly makes the codec of a type the encoding does not know (an
// interface, a function, a map not keyed by strings): only its zero value
// is written.
func buildZeroOnly(c *codec) {
	c.enc = func(e *entryWriter, v reflect.Value) error {
		if !v.IsZero() {
			return errNotCacheable
		}
		return nil
	}
	c.dec = func(*entryReader, reflect.Value) {}
}

// buildStruct makes the codec of a struct: its fields in order.
func buildStruct(c *codec, t reflect.Type) {
	var fields []*codec
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			panic(fmt.Sprintf("load: the cache cannot encode %s: field %s is unexported", t, f.Name))
		}
		fields = append(fields, buildingCodec(f.Type))
	}
	c.enc = func(e *entryWriter, v reflect.Value) error {
		for i, f := range fields {
			if err := f.enc(e, v.Field(i)); err != nil {
				return err
			}
		}
		return nil
	}
	c.dec = func(d *entryReader, v reflect.Value) {
		for i, f := range fields {
			if d.corrupt {
				return
			}
			f.dec(d, v.Field(i))
		}
	}
}

func boolBit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// A range is written as one number, 0 for the zero range, 1 for the
// whole file, or else its start plus 2 and then its length: most ranges
// are short, and a length takes a byte where an end would take two.
// Decoding a file never makes a range in another file, and a file with
// one is not cached.
func encodeRange(e *entryWriter, v reflect.Value) error {
	var r diag.Range
	if v.CanAddr() {
		r = *v.Addr().Interface().(*diag.Range) // without boxing a copy
	} else {
		r = v.Interface().(diag.Range)
	}
	start, end := r.Offsets()
	switch {
	case r.IsZero():
		e.uint(0)
	case r.File() != e.file:
		e.named = true
	case start < 0 && (start != -1 || end != -1), end < start:
		return errNotCacheable // no range the loader makes: never cached wrongly
	case start == -1:
		e.uint(1)
	default:
		e.uint(uint64(start) + 2)
		e.uint(uint64(end - start))
	}
	return nil
}

func decodeRange(d *entryReader, v reflect.Value) {
	d.rangeInto(v.Addr().Interface().(*diag.Range))
}

func (d *entryReader) rangeInto(r *diag.Range) {
	switch n := d.uint(); n {
	case 0:
	case 1:
		*r = d.file.Whole()
	default:
		start, length := n-2, d.uint()
		if start > math.MaxInt32 || length > math.MaxInt32-start {
			d.fail()
			return
		}
		*r = d.file.Range(int(start), int(start+length))
	}
}

// A cty value is written as a tag and its parts: the values HCL literals
// make (strings, numbers, booleans, tuples, objects, and nulls of the
// first three). Numbers keep their exact binary form; HCL reads numbers
// of any size, and printing one with a huge exponent in decimal would
// take minutes.
const (
	ctyNil = iota
	ctyString
	ctyNumber
	ctyBool
	ctyTuple
	ctyObject
	ctyNullString
	ctyNullNumber
	ctyNullBool
)

func encodeCty(e *entryWriter, v reflect.Value) error {
	return e.cty(v.Interface().(cty.Value))
}

func (e *entryWriter) cty(val cty.Value) error {
	if val == cty.NilVal {
		e.uint(ctyNil)
		return nil
	}
	if !val.IsKnown() || val.IsMarked() {
		return errNotCacheable
	}
	t := val.Type()
	if val.IsNull() {
		switch t {
		case cty.String:
			e.uint(ctyNullString)
		case cty.Number:
			e.uint(ctyNullNumber)
		case cty.Bool:
			e.uint(ctyNullBool)
		default:
			return errNotCacheable
		}
		return nil
	}
	switch {
	case t == cty.String:
		e.uint(ctyString)
		e.string(val.AsString())
	case t == cty.Number:
		b, err := val.AsBigFloat().GobEncode()
		if err != nil {
			return errNotCacheable
		}
		e.uint(ctyNumber)
		e.bytes(b)
	case t == cty.Bool:
		e.uint(ctyBool)
		e.uint(boolBit(val.True()))
	case t.IsTupleType():
		e.uint(ctyTuple)
		e.uint(uint64(val.LengthInt()))
		for _, x := range val.AsValueSlice() {
			if err := e.cty(x); err != nil {
				return err
			}
		}
	case t.IsObjectType():
		m := val.AsValueMap()
		e.uint(ctyObject)
		e.uint(uint64(len(m)))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			e.string(k)
			if err := e.cty(m[k]); err != nil {
				return err
			}
		}
	default:
		return errNotCacheable
	}
	return nil
}

func decodeCty(d *entryReader, v reflect.Value) {
	if val := d.cty(0); !d.corrupt {
		*v.Addr().Interface().(*cty.Value) = val
	}
}

// maxCtyDepth bounds the nesting of a cached value, as loading bounds the
// nesting of the file it came from.
const maxCtyDepth = maxNesting

func (d *entryReader) cty(depth int) cty.Value {
	if depth > maxCtyDepth {
		d.fail()
		return cty.NilVal
	}
	switch tag := d.uint(); tag {
	case ctyNil:
		return cty.NilVal
	case ctyString:
		return cty.StringVal(d.string())
	case ctyNumber:
		var f big.Float
		if err := f.GobDecode(d.bytesField()); err != nil {
			d.fail()
			return cty.NilVal
		}
		return cty.NumberVal(&f)
	case ctyBool:
		return cty.BoolVal(d.uint() == 1)
	case ctyTuple, ctyObject:
		return d.ctyComposite(tag == ctyObject, depth)
	case ctyNullString:
		return cty.NullVal(cty.String)
	case ctyNullNumber:
		return cty.NullVal(cty.Number)
	case ctyNullBool:
		return cty.NullVal(cty.Bool)
	}
	d.fail()
	return cty.NilVal
}

// ctyComposite reads a tuple or an object, whose tag was just read.
func (d *entryReader) ctyComposite(object bool, depth int) cty.Value {
	n := d.uint()
	if !d.fits(n) {
		return cty.NilVal
	}
	if !object {
		elems := make([]cty.Value, 0, n)
		for range n {
			elems = append(elems, d.cty(depth+1))
		}
		if d.corrupt {
			return cty.NilVal
		}
		return cty.TupleVal(elems)
	}
	attrs := make(map[string]cty.Value, n)
	for range n {
		k := d.string()
		attrs[k] = d.cty(depth + 1)
	}
	if d.corrupt {
		return cty.NilVal
	}
	return cty.ObjectVal(attrs)
}

func (e *entryWriter) uint(n uint64) { e.buf = binary.AppendUvarint(e.buf, n) }

// string writes a string: a short one written before in the entry as its
// number, shifted left with the low bit set; any other as its length,
// shifted left, and its bytes. One that holds the file's display name (a
// diagnostic's detail, say) depends on where meshc was pointed, so the
// file is then not cached.
func (e *entryWriter) string(s string) {
	if e.file != nil && strings.Contains(s, e.file.Name) {
		e.named = true
	}
	if len(s) <= maxShared {
		if i, ok := e.shared[s]; ok {
			e.uint(uint64(i)<<1 | 1)
			return
		}
		if e.shared == nil {
			e.shared = map[string]int{}
		}
		e.shared[s] = len(e.shared)
	}
	e.uint(uint64(len(s)) << 1)
	e.buf = append(e.buf, s...)
}

// unwrite drops what was written after mark, and the short strings
// numbered from shared on: a file that turns out not to be cacheable is
// written as a 0 in its place.
func (e *entryWriter) unwrite(mark, shared int) {
	e.buf = e.buf[:mark]
	maps.DeleteFunc(e.shared, func(_ string, i int) bool { return i >= shared })
}

func (e *entryWriter) bytes(b []byte) {
	e.uint(uint64(len(b)))
	e.buf = append(e.buf, b...)
}

// fail marks the entry corrupt and stops reading it.
func (d *entryReader) fail() {
	d.corrupt = true
	d.buf = nil
}

func (d *entryReader) uint() uint64 {
	n, k := binary.Uvarint(d.buf)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.buf = d.buf[k:]
	return n
}

func (d *entryReader) int() int64 {
	n, k := binary.Varint(d.buf)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.buf = d.buf[k:]
	return n
}

func (d *entryReader) string() string {
	n := d.uint()
	if n&1 == 1 {
		if i := n >> 1; i < uint64(len(d.shared)) {
			return d.shared[i]
		}
		d.fail()
		return ""
	}
	b := d.take(n >> 1)
	s := string(b)
	if len(b) <= maxShared && !d.corrupt {
		d.shared = append(d.shared, s)
	}
	return s
}

func (d *entryReader) bytesField() []byte { return d.take(d.uint()) }

// fits reports whether n items of at least a byte each fit in the rest of
// the entry; when they do not, the entry is corrupt: a count past its end
// must fail, not allocate.
// count writes the length of a list or a map, as one more than it, so that
// 0 says nil.
func (e *entryWriter) count(v reflect.Value) {
	if v.IsNil() {
		e.uint(0)
		return
	}
	e.uint(uint64(v.Len()) + 1)
}

// count reads what entryWriter.count wrote: ok is false for nil, and for
// more elements than the bytes left could hold (the entry is then corrupt).
func (d *entryReader) count() (n int, ok bool) {
	c := d.uint()
	if c == 0 || d.corrupt || !d.fits(c-1) {
		return 0, false
	}
	return int(c - 1), true
}

func (d *entryReader) fits(n uint64) bool {
	if n > uint64(len(d.buf)) {
		d.fail()
		return false
	}
	return true
}

func (d *entryReader) take(n uint64) []byte {
	if !d.fits(n) {
		return nil
	}
	b := d.buf[:n]
	d.buf = d.buf[n:]
	return b
}
