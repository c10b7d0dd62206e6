package snapshot

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type graph struct {
	Nodes  []*node
	ByName map[string]*node
	Empty  []string
	None   []string
	Extra  hidden
}

type node struct {
	Name  string
	Next  *node // a chain, as long as the graph
	Peers []*node
	Owner *graph
	Score float64
	Count int64
	Tags  [2]string
	Flag  bool
	Small uint8
}

// hidden has an unexported field: it needs a Custom codec.
type hidden struct{ secret string }

var customs = Customs{reflect.TypeFor[hidden](): {
	Write: func(w *Writer, v reflect.Value) { w.String(v.Interface().(hidden).secret) },
	Read:  func(r *Reader, v reflect.Value) { v.Set(reflect.ValueOf(hidden{r.String()})) },
}}

// chain makes a graph of n nodes, each pointing at the next, at its
// neighbours and at the graph.
func chain(n int) *graph {
	g := &graph{ByName: map[string]*node{}, Empty: []string{}, Extra: hidden{"x"}}
	for i := range n {
		nd := &node{Name: string(rune('a' + i%26)), Owner: g, Score: float64(i) / 3, Count: int64(-i), Tags: [2]string{"t", "u"}, Flag: i%2 == 0, Small: uint8(i)}
		g.Nodes = append(g.Nodes, nd)
		g.ByName[nd.Name] = nd
	}
	for i, nd := range g.Nodes {
		if i+1 < n {
			nd.Next = g.Nodes[i+1]
		}
		if i > 0 {
			nd.Peers = []*node{g.Nodes[i-1], nd}
		}
	}
	return g
}

// TestRoundTrip checks that a snapshot reads back equal, with its pointers
// shared as they were, nil and empty slices told apart, and a chain of
// 200,000 pointers read without recursing along it.
func TestRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 3, 200_000} {
		g := chain(n)
		data, err := Encode(g, customs)
		if err != nil {
			t.Fatal(err)
		}
		var got graph
		if err := Decode(data, &got, customs); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if n <= 3 {
			if diff := cmp.Diff(g, &got, cmp.AllowUnexported(hidden{})); diff != "" {
				t.Errorf("n=%d: (-want +got)\n%s", n, diff)
			}
		}
		if len(got.Nodes) != n || got.Empty == nil || got.None != nil || got.Extra.secret != "x" {
			t.Fatalf("n=%d: read back %d nodes, Empty %v, None %v, Extra %q", n, len(got.Nodes), got.Empty, got.None, got.Extra.secret)
		}
		for i, nd := range got.Nodes {
			if nd.Owner != &got || (i+1 < n && nd.Next != got.Nodes[i+1]) || (i > 0 && (nd.Peers[0] != got.Nodes[i-1] || nd.Peers[1] != nd)) {
				t.Fatalf("n=%d: node %d's pointers are not shared as written", n, i)
			}
			if n <= 26 && got.ByName[nd.Name] != nd { // names repeat past 26
				t.Fatalf("n=%d: ByName does not share node %d", n, i)
			}
		}
	}
}

// TestCorrupt checks that every prefix of a snapshot, and a snapshot with
// a byte changed, fails to decode or decodes, but never panics.
func TestCorrupt(t *testing.T) {
	data, err := Encode(chain(5), customs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		var g graph
		if Decode(data[:i], &g, customs) == nil {
			t.Errorf("a snapshot cut at byte %d of %d decoded", i, len(data))
		}
		for _, b := range []byte{0, 1, 0x7f, 0xff} {
			changed := append([]byte(nil), data...)
			changed[i] = b
			Decode(changed, &g, customs)
		}
	}
}

// TestRefused checks that a type that reflection cannot handle is
// refused, not written wrongly.
func TestRefused(t *testing.T) {
	for _, v := range []any{&graph{Extra: hidden{"x"}}, &struct{ F func() }{}, &struct{ M map[int]string }{M: map[int]string{1: "a"}}, &struct{ I any }{I: 1}} {
		if _, err := Encode(v, nil); err == nil {
			t.Errorf("%T was written", v)
		}
	}
}
