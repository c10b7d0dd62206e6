// Package snapshot writes a graph of Go values to bytes and reads it back,
// with the pointers shared as they were: a compiled plan, whose products,
// ports and steps point at each other, kept between commands (see
// compiler's result cache).
//
// It is driven by reflection over the values' types, which must be made of
// booleans, numbers, strings, slices, arrays, maps with string keys,
// pointers and structs of exported fields; a type with anything else (an
// interface, a function, an unexported field) is written and read by a
// Custom codec, or refused. Every string is written once and referred to
// after, so that the names a plan repeats cost a few bytes, and share
// their memory once read.
//
// The objects that pointers point at are written after the value that
// holds them, one after the other, rather than where they are first met:
// a plan's pointers lead from product to product along the whole graph,
// and following them depth first would go as deep as the graph is long.
package snapshot

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
)

// Custom writes and reads the values of one type itself.
type Custom struct {
	Write func(w *Writer, v reflect.Value)
	Read  func(r *Reader, v reflect.Value)
}

// Customs are the codecs of the types that reflection cannot handle, by
// type.
type Customs map[reflect.Type]Custom

// Writer writes a snapshot.
type Writer struct {
	buf     []byte
	customs Customs
	ids     map[object]uint64 // pointers met so far, from 1
	queue   []reflect.Value   // their targets, in the order of their ids
	strings map[string]uint64 // strings written so far, from 1
	err     error
}

// object identifies what a pointer points at: two pointers of different
// types may hold one address (a struct and its first field).
type object struct {
	addr uintptr
	typ  reflect.Type
}

// Encode writes the value root points at, and everything it reaches.
func Encode(root any, customs Customs) ([]byte, error) {
	v := reflect.ValueOf(root)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil, fmt.Errorf("snapshot: Encode needs a pointer, not %T", root)
	}
	w := &Writer{customs: customs, ids: map[object]uint64{}, strings: map[string]uint64{}}
	// The root is the first object, so that what it reaches may point
	// back at it.
	w.ids[object{v.Pointer(), v.Type()}] = 1
	w.queue = append(w.queue, v.Elem())
	for i := 0; i < len(w.queue) && w.err == nil; i++ {
		w.value(w.queue[i])
	}
	return w.buf, w.err
}

// Uint writes a number.
func (w *Writer) Uint(n uint64) { w.buf = binary.AppendUvarint(w.buf, n) }

// String writes a string, or a reference to the same string written
// before.
func (w *Writer) String(s string) {
	if id, ok := w.strings[s]; ok {
		w.Uint(id)
		return
	}
	w.strings[s] = uint64(len(w.strings) + 1)
	w.Uint(0)
	w.Uint(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

// Fail makes the encoding fail: a custom codec met a value it cannot
// write.
func (w *Writer) Fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

func (w *Writer) value(v reflect.Value) {
	if c, ok := w.customs[v.Type()]; ok {
		c.Write(w, v)
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			w.Uint(1)
		} else {
			w.Uint(0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		w.buf = binary.AppendVarint(w.buf, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		w.Uint(v.Uint())
	case reflect.Float32, reflect.Float64:
		w.Uint(math.Float64bits(v.Float()))
	case reflect.String:
		w.String(v.String())
	case reflect.Slice:
		if v.IsNil() {
			w.Uint(0)
			return
		}
		w.Uint(uint64(v.Len()) + 1)
		w.elements(v)
	case reflect.Array:
		w.elements(v)
	case reflect.Map:
		if v.IsNil() {
			w.Uint(0)
			return
		}
		if v.Type().Key().Kind() != reflect.String {
			w.Fail(fmt.Errorf("snapshot: cannot write %s, whose keys are not strings", v.Type()))
			return
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.String(), b.String()) })
		w.Uint(uint64(len(keys)) + 1)
		for _, k := range keys {
			w.String(k.String())
			w.value(v.MapIndex(k))
		}
	case reflect.Pointer:
		if v.IsNil() {
			w.Uint(0)
			return
		}
		key := object{v.Pointer(), v.Type()}
		id, ok := w.ids[key]
		if !ok {
			id = uint64(len(w.ids) + 1)
			w.ids[key] = id
			w.queue = append(w.queue, v.Elem())
		}
		w.Uint(id)
	case reflect.Struct:
		fields, ok := fieldsOf(v.Type())
		if !ok {
			w.Fail(fmt.Errorf("snapshot: cannot write %s, which has unexported fields", v.Type()))
			return
		}
		for _, i := range fields {
			w.value(v.Field(i))
		}
	default:
		w.Fail(fmt.Errorf("snapshot: cannot write a %s", v.Type()))
	}
}

func (w *Writer) elements(v reflect.Value) {
	for i := range v.Len() {
		w.value(v.Index(i))
	}
}

// fieldsOf lists the fields of a struct type that a snapshot holds: all of
// them. ok is false when one is unexported: reflection cannot set it, and
// the type needs a Custom codec.
func fieldsOf(t reflect.Type) (fields []int, ok bool) {
	if f, done := fieldCache.Load(t); done {
		return f.([]int), f.([]int) != nil
	}
	for i := range t.NumField() {
		if !t.Field(i).IsExported() {
			fieldCache.Store(t, []int(nil))
			return nil, false
		}
		fields = append(fields, i)
	}
	if fields == nil {
		fields = []int{} // a struct without fields is fine
	}
	fieldCache.Store(t, fields)
	return fields, true
}

var fieldCache sync.Map // reflect.Type -> []int, nil for a type with unexported fields

// Reader reads a snapshot.
type Reader struct {
	buf     []byte
	customs Customs
	objects []reflect.Value // what the pointers read so far point at, by id
	strings []string        // the strings read so far, by id
	err     error
}

// errCorrupt says that a snapshot is not one Encode wrote for the type
// it is read as.
var errCorrupt = errors.New("snapshot: corrupt")

// Decode reads into the value root points at what Encode wrote from a
// value of the same type. It fails, rather than panics, on bytes that are
// not such a snapshot.
func Decode(data []byte, root any, customs Customs) (err error) {
	v := reflect.ValueOf(root)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("snapshot: Decode needs a pointer, not %T", root)
	}
	r := &Reader{buf: data, customs: customs, objects: []reflect.Value{v}}
	defer func() {
		// Bytes that are not a snapshot of the type may make reflection
		// panic (a pointer to the wrong type, say): they are corrupt.
		if recover() != nil {
			err = errCorrupt
		}
	}()
	for i := 0; i < len(r.objects) && r.err == nil; i++ {
		r.value(r.objects[i].Elem())
	}
	if r.err == nil && len(r.buf) != 0 {
		r.err = errCorrupt
	}
	return r.err
}

// Uint reads a number.
func (r *Reader) Uint() uint64 {
	n, size := binary.Uvarint(r.buf)
	if size <= 0 {
		r.Fail()
		return 0
	}
	r.buf = r.buf[size:]
	return n
}

// String reads a string.
func (r *Reader) String() string {
	id := r.Uint()
	if id > 0 {
		if id > uint64(len(r.strings)) {
			r.Fail()
			return ""
		}
		return r.strings[id-1]
	}
	n := r.Uint()
	if n > uint64(len(r.buf)) {
		r.Fail()
		return ""
	}
	s := string(r.buf[:n])
	r.buf = r.buf[n:]
	r.strings = append(r.strings, s)
	return s
}

// Fail marks the snapshot corrupt.
func (r *Reader) Fail() {
	if r.err == nil {
		r.err = errCorrupt
	}
	r.buf = nil
}

// length reads a slice's or a map's length, written plus one; ok is false
// for nil. A length beyond what is left to read is corrupt.
func (r *Reader) length() (n int, ok bool) {
	m := r.Uint()
	if m == 0 {
		return 0, false
	}
	if m-1 > uint64(len(r.buf)) {
		r.Fail()
		return 0, false
	}
	return int(m - 1), true
}

func (r *Reader) value(v reflect.Value) {
	if r.err != nil {
		return
	}
	if c, ok := r.customs[v.Type()]; ok {
		c.Read(r, v)
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(r.Uint() != 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, size := binary.Varint(r.buf)
		if size <= 0 {
			r.Fail()
			return
		}
		r.buf = r.buf[size:]
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(r.Uint())
	case reflect.Float32, reflect.Float64:
		v.SetFloat(math.Float64frombits(r.Uint()))
	case reflect.String:
		v.SetString(r.String())
	case reflect.Slice:
		n, ok := r.length()
		if !ok {
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		r.elements(v)
	case reflect.Array:
		r.elements(v)
	case reflect.Map:
		n, ok := r.length()
		if !ok {
			return
		}
		if v.Type().Key().Kind() != reflect.String {
			r.Fail()
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), n)
		for range n {
			k := reflect.New(v.Type().Key()).Elem()
			k.SetString(r.String())
			e := reflect.New(v.Type().Elem()).Elem()
			r.value(e)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Pointer:
		id := r.Uint()
		switch {
		case id == 0:
		case id <= uint64(len(r.objects)):
			p := r.objects[id-1]
			if p.Type() != v.Type() {
				r.Fail()
				return
			}
			v.Set(p)
		case id == uint64(len(r.objects))+1:
			p := reflect.New(v.Type().Elem())
			r.objects = append(r.objects, p)
			v.Set(p)
		default:
			r.Fail()
		}
	case reflect.Struct:
		fields, ok := fieldsOf(v.Type())
		if !ok {
			r.Fail()
			return
		}
		for _, i := range fields {
			r.value(v.Field(i))
		}
	default:
		r.Fail()
	}
}

func (r *Reader) elements(v reflect.Value) {
	for i := range v.Len() {
		if r.err != nil {
			return
		}
		r.value(v.Index(i))
	}
}
