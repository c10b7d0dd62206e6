package load

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// scratch holds what loading a file needs only until the file is decoded:
// the bodies, arguments and blocks parseFast makes of it, their content as
// the decoder reads them (content, arguments), and the identifiers the
// parser has seen. Each goroutine that loads files keeps one, reset after
// each file: at 10,000 products these were half of what loading allocated
// (521 of 974 MB), all of it garbage once a file was decoded.
//
// Nothing decoded may keep what a scratch hands out. Expressions, which
// are not reused, may be kept (a test kind keeps its SQL template).
type scratch struct {
	contents   reusable[hcl.BodyContent]
	attributes reusable[hcl.Attribute]
	blocks     reusable[hcl.Block]

	syntaxBodies     reusable[hclsyntax.Body]
	syntaxAttributes reusable[hclsyntax.Attribute]
	syntaxBlocks     reusable[hclsyntax.Block]

	// idents are the parser's identifiers (fastParser.ident), kept from
	// file to file: strings do not change, and the map need not grow
	// again for each file.
	idents map[string]string
}

// reset makes everything handed out reusable, and lets go of the syntax
// it pointed to; a body's map and list of blocks are kept, emptied.
func (s *scratch) reset() {
	s.contents.reset(func(c *hcl.BodyContent) {
		clear(c.Attributes)
		*c = hcl.BodyContent{Attributes: c.Attributes, Blocks: c.Blocks[:0]}
	})
	s.attributes.reset(nil)
	s.blocks.reset(nil)
	s.syntaxBodies.reset(func(b *hclsyntax.Body) {
		clear(b.Attributes)
		*b = hclsyntax.Body{Attributes: b.Attributes, Blocks: b.Blocks[:0]}
	})
	s.syntaxAttributes.reset(nil)
	s.syntaxBlocks.reset(nil)
}

// content hands out an empty content of b.
func (s *scratch) content(b *hclsyntax.Body) *hcl.BodyContent {
	c := s.contents.take()
	c.MissingItemRange = b.MissingItemRange()
	if c.Attributes == nil {
		c.Attributes = make(hcl.Attributes, len(b.Attributes))
	}
	return c
}

// attribute and block hand out an argument and a block as AsHCLAttribute
// and AsHCLBlock make them.
func (s *scratch) attribute(attr *hclsyntax.Attribute) *hcl.Attribute {
	a := s.attributes.take()
	*a = hcl.Attribute{Name: attr.Name, Expr: attr.Expr, Range: attr.SrcRange, NameRange: attr.NameRange}
	return a
}

func (s *scratch) block(block *hclsyntax.Block) *hcl.Block {
	b := s.blocks.take()
	*b = hcl.Block{Type: block.Type, Labels: block.Labels, Body: block.Body,
		DefRange: block.DefRange(), TypeRange: block.TypeRange, LabelRanges: block.LabelRanges}
	return b
}

// syntaxBody hands out a body with no arguments and no blocks, both empty
// rather than nil, as hclsyntax makes a body.
func (s *scratch) syntaxBody() *hclsyntax.Body {
	b := s.syntaxBodies.take()
	if b.Attributes == nil {
		b.Attributes = hclsyntax.Attributes{}
	}
	if b.Blocks == nil {
		b.Blocks = hclsyntax.Blocks{}
	}
	return b
}

// reusable hands out values of one type, the same ones again once reset.
type reusable[T any] struct {
	all  []*T
	used int // all[:used] are handed out
}

func (r *reusable[T]) take() *T {
	if r.used == len(r.all) {
		r.all = append(r.all, new(T))
	}
	r.used++
	return r.all[r.used-1]
}

// reset makes every value handed out reusable: renewed by renew, or
// zeroed when renew is nil.
func (r *reusable[T]) reset(renew func(*T)) {
	for _, v := range r.all[:r.used] {
		if renew != nil {
			renew(v)
		} else {
			var zero T
			*v = zero
		}
	}
	r.used = 0
}
