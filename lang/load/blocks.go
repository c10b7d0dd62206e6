package load

import (
	"maps"
	"reflect"
	"slices"

	"github.com/hashicorp/hcl/v2"
)

// blockKind is a kind of top-level block: where in the mesh it may appear,
// how it is decoded, and the type it decodes to, which the cache writes.
type blockKind struct {
	places int
	decode func(*decoder, *hcl.Block) any
	value  reflect.Type
}

// blockKinds are the blocks a mesh file may hold, by type. The file schema,
// the cache's types and the placement rules all come from here, so that a
// new kind of block cannot be left out of any of them.
var blockKinds = map[string]blockKind{
	"mesh":        kind(inRoot, (*decoder).meshBlock),
	"defaults":    kind(inRoot, (*decoder).defaults),
	"environment": kind(inRoot, (*decoder).environment),
	"domain":      kind(inDomain, (*decoder).domain),
	"source":      kind(inDomain, (*decoder).source),
	"product":     kind(inDomain, (*decoder).product),
	"secret":      kind(inRoot|inDomain|inShared, (*decoder).secret),
	"runner":      kind(inRoot|inShared|inStdlib, (*decoder).runner),
	"test_kind":   kind(inRoot|inShared|inStdlib, (*decoder).testKind),
	"target":      kind(inRoot|inShared|inStdlib, (*decoder).target),
	"policy":      kind(inRoot|inDomain|inShared|inStdlib, (*decoder).policy),
	"waiver":      kind(inRoot|inDomain|inShared, (*decoder).waiver),
	"blueprint":   kind(inRoot|inShared, (*decoder).blueprint),
}

func kind[T any](places int, decode func(*decoder, *hcl.Block) T) blockKind {
	return blockKind{places: places, decode: func(d *decoder, b *hcl.Block) any { return decode(d, b) }, value: reflect.TypeFor[T]()}
}

// unnamed are the blocks written without a name.
var unnamed = map[string]bool{"defaults": true}

// fileSchema is what a mesh file holds: top-level blocks only.
var fileSchema = func() *hcl.BodySchema {
	s := &hcl.BodySchema{}
	for _, typ := range slices.Sorted(maps.Keys(blockKinds)) {
		b := hcl.BlockHeaderSchema{Type: typ}
		if !unnamed[typ] {
			b.LabelNames = []string{"name"}
		}
		s.Blocks = append(s.Blocks, b)
	}
	return s
}()
