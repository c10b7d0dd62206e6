package load

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/meshc/meshc/internal/suggest"
	"github.com/meshc/meshc/lang/ast"
	"github.com/zclconf/go-cty/cty"
)

// scratch holds what loading a file needs only until the file is decoded:
// the bodies, arguments and blocks parseFast makes of it, its commonest
// expressions, their content as the decoder reads them (content,
// arguments), and the identifiers the parser has seen. Each goroutine
// that loads files keeps one, reset after each file: at 10,000 products
// these were nearly two thirds of what loading allocated (615 of 974 MB),
// all of it garbage once a file was decoded.
//
// Nothing decoded may keep what a scratch hands out, but for expressions
// that the decoder says it keeps (keep).
type scratch struct {
	contents   reusable[hcl.BodyContent]
	attributes reusable[hcl.Attribute]
	blocks     reusable[hcl.Block]

	syntaxBodies     reusable[hclsyntax.Body]
	syntaxAttributes reusable[hclsyntax.Attribute]
	syntaxBlocks     reusable[hclsyntax.Block]

	// The commonest expressions: quoted strings and heredocs, literals,
	// references, calls and lists. Unlike the rest, the decoded mesh may
	// keep an expression (a test kind's SQL, a policy's condition): the
	// decoder then says so (keep), and those of the file are not reused.
	literals  reusable[hclsyntax.LiteralValueExpr]
	texts     reusable[hclsyntax.TemplateExpr]
	roots     reusable[hclsyntax.ScopeTraversalExpr]
	calls     reusable[hclsyntax.FunctionCallExpr]
	tuples    reusable[hclsyntax.TupleConsExpr]
	keepExprs bool

	// sources are buffers to read files into: the texts of files
	// decoded and dropped (dropText), 27 MB of garbage at 10,000
	// products when each file was read into a buffer of its own.
	sources [][]byte

	// nearest remembers the step argument each argument name is nearest
	// (suggest.Nearest), "" for none: steps' arguments have few names
	// (sql, file), each compared with stepOwnArgs once.
	nearest map[string]string

	// idents are the parser's identifiers (fastParser.ident), kept from
	// file to file: strings do not change, and the map need not grow
	// again for each file. Past maxIdents it starts afresh (reset).
	idents map[string]string

	// The commonest small parts of the decoded mesh (dense): references
	// with their names, tests with their arguments, steps with theirs,
	// and inputs. Steps' references are apart from the others, as the
	// checker lets go of steps first (when declaring), and an array
	// shared with an input's reference would live as long as the input.
	refs, stepRefs refPool
	tests          dense[ast.TestUse]
	testBlocks     dense[ast.TestBlock]
	values         dense[ast.Value]
	steps          dense[ast.Step]
	args           dense[ast.Arg]
	inputs         dense[ast.Input]
}

// maxIdents bounds the identifiers a scratch keeps. Most that a mesh
// repeats (attributes' names, types, columns' names, tags) are seen again
// in the next few files, while products' and steps' names are seen in
// one: kept from every file, a goroutine's map held hundreds of thousands
// at 100,000 products, and looking one up missed the processor's caches
// (ident took 15 times its time at 10,000 products; docs/performance.md).
const maxIdents = 1 << 12

// reset makes everything handed out reusable, and lets go of the syntax
// it pointed to; the maps and lists of bodies, blocks and expressions are
// kept, emptied.
func (s *scratch) reset() {
	if len(s.idents) > maxIdents {
		s.idents = nil
	}
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
	s.syntaxBlocks.reset(func(b *hclsyntax.Block) {
		*b = hclsyntax.Block{Labels: b.Labels[:0], LabelRanges: b.LabelRanges[:0]}
	})
	if s.keepExprs {
		s.literals.forget()
		s.texts.forget()
		s.roots.forget()
		s.calls.forget()
		s.tuples.forget()
		s.keepExprs = false
		return
	}
	s.literals.reset(nil)
	s.texts.reset(func(t *hclsyntax.TemplateExpr) {
		clear(t.Parts)
		*t = hclsyntax.TemplateExpr{Parts: t.Parts[:0]}
	})
	s.roots.reset(func(r *hclsyntax.ScopeTraversalExpr) {
		clear(r.Traversal)
		*r = hclsyntax.ScopeTraversalExpr{Traversal: r.Traversal[:0]}
	})
	s.calls.reset(func(c *hclsyntax.FunctionCallExpr) {
		clear(c.Args)
		*c = hclsyntax.FunctionCallExpr{Args: c.Args[:0]}
	})
	s.tuples.reset(func(t *hclsyntax.TupleConsExpr) {
		clear(t.Exprs)
		*t = hclsyntax.TupleConsExpr{Exprs: t.Exprs[:0]}
	})
}

// source hands out a buffer to read a file into, nil when there is none.
func (s *scratch) source() []byte {
	if len(s.sources) == 0 {
		return nil
	}
	buf := s.sources[len(s.sources)-1]
	s.sources = s.sources[:len(s.sources)-1]
	return buf
}

// nearestStepArg is suggest.Nearest(name, stepOwnArgs), remembered.
func (s *scratch) nearestStepArg(name string) string {
	m, ok := s.nearest[name]
	if !ok {
		if s.nearest == nil {
			s.nearest = map[string]string{}
		}
		m = suggest.Nearest(name, stepOwnArgs)
		s.nearest[name] = m
	}
	return m
}

// keep says that the decoded mesh keeps an expression of the file being
// decoded, so that none of its expressions is reused.
func (s *scratch) keep(expr hcl.Expression) hcl.Expression {
	s.keepExprs = true
	return expr
}

// literal, text and root hand out a literal value, a string or heredoc
// of one literal part, and a reference's root, as hclsyntax makes them.
func (s *scratch) literal(v cty.Value, at hcl.Range) *hclsyntax.LiteralValueExpr {
	l := s.literals.take()
	*l = hclsyntax.LiteralValueExpr{Val: v, SrcRange: at}
	return l
}

func (s *scratch) text(part *hclsyntax.LiteralValueExpr, at hcl.Range) *hclsyntax.TemplateExpr {
	t := s.texts.take()
	t.Parts = append(t.Parts[:0], part)
	t.SrcRange = at
	return t
}

func (s *scratch) root(name string, at hcl.Range) *hclsyntax.ScopeTraversalExpr {
	r := s.roots.take()
	r.Traversal = append(r.Traversal[:0], hcl.TraverseRoot{Name: name, SrcRange: at})
	r.SrcRange = at
	return r
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

// forget lets go of every value handed out, for good: it is not handed
// out again.
func (r *reusable[T]) forget() {
	clear(r.all[:r.used]) // so that the list does not keep them alive
	r.all = r.all[r.used:]
	r.used = 0
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

// dense hands out values of one type, for what the decoded mesh keeps,
// from arrays of many. Allocated one by one, they sat scattered among the
// garbage that decoding leaves in the collector's spans of their size,
// each span kept for a few of them (at 10,000 products, 107 MB of empty
// slots beside 93 MB of objects after loading); side by side, they fill
// their spans. Nothing is handed out twice: an array lives as long as any
// value of it.
type dense[T any] struct{ free []T }

// refPool hands out references and their names (dense).
type refPool struct {
	refs  dense[ast.Ref]
	parts dense[ast.RefPart]
}

// denseRun is how many values an array holds.
const denseRun = 256

func (d *dense[T]) new() *T { return &d.slice(1)[0] }

// slice hands out n values, as a slice of length n whose capacity is n.
func (d *dense[T]) slice(n int) []T {
	if len(d.free) < n {
		d.free = make([]T, max(n, denseRun))
	}
	s := d.free[:n:n]
	d.free = d.free[n:]
	return s
}
