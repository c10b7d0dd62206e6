package compiler

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/meshc/meshc/lang/load"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// The functions of policy expressions: a documented selection of go-cty's
// standard library, HCL's try and can, and a few helpers for meshes. All
// are pure, so a policy gives the same answer on every machine. Functions
// that format numbers into text of any width (format) or repeat text are
// left out: an expression must not be able to make meshc allocate without
// bound. What calls make in one evaluation is bounded as a whole too, by
// the budget that lang/load charges them to (lang/load/budget.go); the
// caps below stop a single call before it allocates. docs/governance.md
// lists every function; TestGovernanceDocs keeps the two in step.

// Parameters say AllowMarked: meshc marks no value, and go-cty would
// otherwise walk every argument, however deep, looking for marks.

// maxText bounds the text a policy function may produce.
const maxText = 1 << 20

// policyFunctions returns the functions for one compilation: layer_index
// knows the mesh's layers.
func (c *compiler) policyFunctions() map[string]function.Function {
	fns := load.ExpressionFunctions()
	for name, f := range map[string]function.Function{
		// text
		"lower":       stdlib.LowerFunc,
		"upper":       stdlib.UpperFunc,
		"title":       stdlib.TitleFunc,
		"trimspace":   stdlib.TrimSpaceFunc,
		"trim":        stdlib.TrimFunc,
		"trimprefix":  stdlib.TrimPrefixFunc,
		"trimsuffix":  stdlib.TrimSuffixFunc,
		"replace":     replaceFunc,
		"split":       splitFunc,
		"join":        joinFunc,
		"substr":      stdlib.SubstrFunc,
		"regex":       stdlib.RegexFunc,
		"regexall":    regexAllFunc,
		"startswith":  textTest(strings.HasPrefix),
		"endswith":    textTest(strings.HasSuffix),
		"strcontains": textTest(strings.Contains),
		// collections
		"length":          lengthFunc,
		"contains":        stdlib.ContainsFunc,
		"concat":          stdlib.ConcatFunc,
		"distinct":        stdlib.DistinctFunc,
		"flatten":         stdlib.FlattenFunc,
		"keys":            stdlib.KeysFunc,
		"values":          stdlib.ValuesFunc,
		"lookup":          stdlib.LookupFunc,
		"element":         stdlib.ElementFunc,
		"coalesce":        stdlib.CoalesceFunc,
		"coalescelist":    stdlib.CoalesceListFunc,
		"compact":         stdlib.CompactFunc,
		"sort":            stdlib.SortFunc,
		"reverse":         stdlib.ReverseListFunc,
		"slice":           stdlib.SliceFunc,
		"setintersection": stdlib.SetIntersectionFunc,
		"setunion":        stdlib.SetUnionFunc,
		"setsubtract":     stdlib.SetSubtractFunc,
		"alltrue":         allTrueFunc,
		"anytrue":         anyTrueFunc,
		// conversions
		"tostring": stdlib.MakeToFunc(cty.String),
		"tonumber": stdlib.MakeToFunc(cty.Number),
		"tobool":   stdlib.MakeToFunc(cty.Bool),
		"tolist":   stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset":    stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		// numbers
		"min":   stdlib.MinFunc,
		"max":   stdlib.MaxFunc,
		"abs":   stdlib.AbsoluteFunc,
		"ceil":  stdlib.CeilFunc,
		"floor": stdlib.FloorFunc,
		// meshes
		"matches":     c.matchesFunc(),
		"has_test":    hasTestFunc,
		"layer_index": c.layerIndexFunc(),
		"duration":    durationFunc,
	} {
		fns[name] = f
	}
	return fns
}

func functionNames(fns map[string]function.Function) []string { return sortedKeys(fns) }

// textTest makes startswith, endswith and strcontains. A null text matches
// nothing, so that an absent description simply fails the test.
func textTest(test func(s, sub string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{
			{Name: "text", Type: cty.String, AllowNull: true, AllowMarked: true},
			{Name: "part", Type: cty.String, AllowMarked: true},
		},
		Type:         function.StaticReturnType(cty.Bool),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if args[0].IsNull() {
				return cty.False, nil
			}
			return cty.BoolVal(test(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

func refineNotNull(b *cty.RefinementBuilder) *cty.RefinementBuilder { return b.NotNull() }

// replaceFunc is go-cty's replace, refusing results longer than maxText.
var replaceFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "text", Type: cty.String, AllowMarked: true},
		{Name: "substr", Type: cty.String, AllowMarked: true},
		{Name: "replace", Type: cty.String, AllowMarked: true},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		s, sub, repl := args[0].AsString(), args[1].AsString(), args[2].AsString()
		n := strings.Count(s, sub)
		if len(s)+n*(len(repl)-len(sub)) > maxText {
			return cty.NilVal, function.NewArgErrorf(2, "the result would be longer than %d bytes", maxText)
		}
		return cty.StringVal(strings.ReplaceAll(s, sub, repl)), nil
	},
})

// maxParts bounds the elements split may make: a list of a million (one
// per character of text of maxText) would take most of an evaluation's
// budget at once.
const maxParts = 10000

// splitFunc is go-cty's split, refusing to make more than maxParts parts.
var splitFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "separator", Type: cty.String, AllowMarked: true},
		{Name: "text", Type: cty.String, AllowMarked: true},
	},
	Type:         function.StaticReturnType(cty.List(cty.String)),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		sep, text := args[0].AsString(), args[1].AsString()
		parts := utf8.RuneCountInString(text) // each character, for an empty separator
		if sep != "" {
			parts = strings.Count(text, sep) + 1
		}
		if parts > maxParts {
			return cty.NilVal, function.NewArgErrorf(1, "the text would split into more than %d parts", maxParts)
		}
		return stdlib.SplitFunc.Call(args)
	},
})

// regexAllFunc is go-cty's regexall, refusing to make more than maxParts
// matches: a pattern that matches the empty text matches between every
// two characters, and each match is a value tens of bytes large.
var regexAllFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "pattern", Type: cty.String, AllowMarked: true},
		{Name: "string", Type: cty.String, AllowMarked: true},
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		return stdlib.RegexAllFunc.ReturnTypeForValues(args)
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if args[0].IsKnown() && args[1].IsKnown() {
			// An invalid pattern is go-cty's to report.
			if re, err := regexp.Compile(args[0].AsString()); err == nil && len(re.FindAllStringIndex(args[1].AsString(), maxParts+1)) > maxParts {
				return cty.NilVal, function.NewArgErrorf(1, "the pattern would match more than %d times", maxParts)
			}
		}
		return stdlib.RegexAllFunc.Call(args)
	},
})

// joinFunc is go-cty's join, refusing results longer than maxText: a
// list of a text's characters joined with the text is its square.
var joinFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "separator", Type: cty.String, AllowMarked: true},
	},
	VarParam:     &function.Parameter{Name: "lists", Type: cty.List(cty.String), AllowMarked: true},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		sep, size, n := len(args[0].AsString()), 0, 0
		for _, list := range args[1:] {
			if !list.IsWhollyKnown() || list.IsNull() {
				continue // go-cty's join answers these
			}
			for _, e := range list.AsValueSlice() {
				if !e.IsNull() {
					size += len(e.AsString())
				}
				n++
			}
		}
		if n > 1 && size+(n-1)*sep > maxText {
			return cty.NilVal, function.NewArgErrorf(1, "the result would be longer than %d bytes", maxText)
		}
		return stdlib.JoinFunc.Call(args)
	},
})

// lengthFunc counts the elements of a list, set, map or object, or the
// characters of a string.
var lengthFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true, AllowMarked: true},
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		t := args[0].Type()
		switch {
		case t == cty.String, t == cty.DynamicPseudoType, t.IsCollectionType(), t.IsTupleType(), t.IsObjectType():
			return cty.Number, nil
		}
		return cty.NilType, function.NewArgErrorf(0, "length takes a string, a list, a set or a map, not %s", t.FriendlyName())
	},
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, _ := args[0].Unmark()
		t := v.Type()
		switch {
		case v.IsNull():
			return cty.NilVal, function.NewArgErrorf(0, "the value is null")
		case !v.IsKnown():
			return cty.UnknownVal(cty.Number), nil
		case t == cty.String:
			return stdlib.Strlen(v)
		case t.IsObjectType():
			return cty.NumberIntVal(int64(len(t.AttributeTypes()))), nil
		}
		return v.Length(), nil
	},
})

func boolReduce(all bool) function.Function {
	return function.New(&function.Spec{
		Params:       []function.Parameter{{Name: "list", Type: cty.List(cty.Bool), AllowMarked: true}},
		Type:         function.StaticReturnType(cty.Bool),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			for it := args[0].ElementIterator(); it.Next(); {
				_, v := it.Element()
				if v.IsNull() {
					return cty.NilVal, function.NewArgErrorf(0, "the list holds null")
				}
				if !v.IsKnown() {
					return cty.UnknownVal(cty.Bool), nil
				}
				if v.True() != all {
					return cty.BoolVal(!all), nil
				}
			}
			return cty.BoolVal(all), nil
		},
	})
}

var (
	allTrueFunc = boolReduce(true)
	anyTrueFunc = boolReduce(false)
)

// matchesFunc is matches(text, pattern): whether the whole text matches an
// RE2 regular expression. Patterns are compiled once per compilation. An
// unknown text still has its pattern compiled, so that a pattern written
// wrong is reported where the policy is declared (checkExpr evaluates
// conditions on unknown objects), not only once some object reaches it.
func (c *compiler) matchesFunc() function.Function {
	var mu sync.Mutex
	cache := map[string]*regexp.Regexp{}
	return function.New(&function.Spec{
		Params: []function.Parameter{
			{Name: "text", Type: cty.String, AllowNull: true, AllowUnknown: true, AllowMarked: true},
			{Name: "pattern", Type: cty.String, AllowMarked: true},
		},
		Type:         function.StaticReturnType(cty.Bool),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			pattern := args[1].AsString()
			mu.Lock()
			re, ok := cache[pattern]
			if !ok {
				var err error
				re, err = wholeText(pattern)
				if err != nil {
					mu.Unlock()
					return cty.NilVal, function.NewArgErrorf(1, "invalid regular expression: %s; write an RE2 pattern for the whole text, such as \"[A-Z][A-Z0-9_]*\"", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
				}
				cache[pattern] = re
			}
			mu.Unlock()
			switch {
			case !args[0].IsKnown():
				return cty.UnknownVal(cty.Bool).RefineNotNull(), nil
			case args[0].IsNull():
				return cty.False, nil
			}
			return cty.BoolVal(re.MatchString(args[0].AsString())), nil
		},
	})
}

// wholeText compiles a pattern that matches a whole text. The parsed
// pattern is anchored, not its text: a)|(b would break out of a textual
// ^(?:...)$ and match texts that merely start with a, and \Q would quote
// the wrapping's end.
func wholeText(pattern string) (*regexp.Regexp, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, err
	}
	whole := &syntax.Regexp{Op: syntax.OpConcat, Sub: []*syntax.Regexp{{Op: syntax.OpBeginText}, re, {Op: syntax.OpEndText}}}
	return regexp.Compile(whole.String())
}

// hasTestFunc is has_test(object, kind): whether a product, port or
// column has a test of the given kind; false for null. The null keyword
// has no type, and without AllowDynamicType go-cty would answer unknown
// for it rather than call Impl.
var hasTestFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "object", Type: cty.DynamicPseudoType, AllowNull: true, AllowDynamicType: true, AllowMarked: true},
		{Name: "kind", Type: cty.String, AllowMarked: true},
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		t := args[0].Type()
		if t != cty.DynamicPseudoType && !(t.IsObjectType() && t.HasAttribute("tests") && t.AttributeType("tests").Equals(strList)) {
			return cty.NilType, function.NewArgErrorf(0, "has_test takes a product, a port or a column, not %s", t.FriendlyName())
		}
		return cty.Bool, nil
	},
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if args[0].IsNull() {
			return cty.False, nil
		}
		tests := args[0].GetAttr("tests")
		if !tests.IsKnown() || tests.IsNull() {
			return cty.UnknownVal(cty.Bool), nil
		}
		kind := args[1].AsString()
		for it := tests.ElementIterator(); it.Next(); {
			_, t := it.Element()
			if t.IsKnown() && !t.IsNull() && t.AsString() == kind {
				return cty.True, nil
			}
		}
		return cty.False, nil
	},
})

// layerIndexFunc is layer_index(layer): the layer's position in the mesh's
// layers, lowest first, from 0; -1 for null (no layer).
func (c *compiler) layerIndexFunc() function.Function {
	return function.New(&function.Spec{
		Params:       []function.Parameter{{Name: "layer", Type: cty.String, AllowNull: true, AllowMarked: true}},
		Type:         function.StaticReturnType(cty.Number),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if args[0].IsNull() {
				return cty.NumberIntVal(-1), nil
			}
			name := args[0].AsString()
			i, ok := c.layers[name]
			if !ok {
				if len(c.plan.Layers) == 0 {
					return cty.NilVal, function.NewArgErrorf(0, "the mesh has no layers, so there is no layer %q", name)
				}
				return cty.NilVal, function.NewArgErrorf(0, "there is no layer %q; the mesh's layers are %s", name, strings.Join(c.plan.Layers, ", "))
			}
			return cty.NumberIntVal(int64(i)), nil
		},
	})
}

// durationFunc is duration(text): a duration such as "36h" in seconds, for
// comparing with period_seconds and freshness_seconds.
var durationFunc = function.New(&function.Spec{
	Params:       []function.Parameter{{Name: "text", Type: cty.String, AllowMarked: true}},
	Type:         function.StaticReturnType(cty.Number),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		d, ok := parseDuration(args[0].AsString())
		if !ok {
			return cty.NilVal, function.NewArgErrorf(0, "%q is not a duration: write a whole number and one unit, m, h, d or w, such as \"36h\" or \"7d\"", args[0].AsString())
		}
		return cty.NumberIntVal(int64(d.Seconds())), nil
	},
})
