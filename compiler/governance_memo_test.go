package compiler

import (
	"bytes"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/meshc/meshc/internal/synth"
)

// TestConditionMemoInvisible checks that remembering conditions' results,
// judging products a round at a time, and judging the commonest conditions
// without HCL (compileFast) change nothing a user sees, on policies that
// pass, fail, are undecided or fail to evaluate on some objects, with and
// without a when.
func TestConditionMemoInvisible(t *testing.T) {
	fsys := synth.Mesh(600)
	fsys["governance/policies.mesh.hcl"] = &fstest.MapFile{Data: []byte(benchPolicies + `
policy "plain_columns_described" {
  enforcement = "advisory"
  on          = "column"
  when        = column.classification == null && column.type_name != "integer"
  assert      = column.description != null || has_test(column, "not_null")
  message     = "Column ${column.id} of ${port.id} has no description"
}

policy "no_fives" {
  enforcement = "soft_mandatory"
  on          = "product"
  assert      = !endswith(product.name, "5") || domain.layer == "raw"
  message     = "Product ${product.id} ends in 5"
}

policy "wide_public_ports" {
  enforcement = "advisory"
  on          = "port"
  when        = port.visibility == "public"
  assert      = length(port.columns) > 9 && !endswith(port.product, "3")
  message     = "Port ${port.id} is narrow"
}

policy "same_layer_reads" {
  enforcement = "advisory"
  on          = "input"
  when        = input.cross_domain
  assert      = input.producer_layer == product.layer
  message     = "Input ${input.id} reads another layer"
}

policy "fast_wide_ports" {
  enforcement = "advisory"
  on          = "port"
  when        = port.visibility == "public" && port.description != null
  assert      = length(port.tests) > 5 || trimspace(port.description) == "" || !matches(port.object_name, ".*[13579]")
  message     = "Port ${port.id} is narrow"
}

policy "numeric_versions" {
  enforcement = "advisory"
  on          = "product"
  when        = product.layer != "raw"
  assert      = tonumber(product.version) > 0
  message     = "Product ${product.id} has a version that is not a number"
}
`)}
	remembered := checkOutput(t, fsys)
	remember = false
	defer func() { remember = true }()
	if diff := cmp.Diff(checkOutput(t, fsys), remembered); diff != "" {
		t.Errorf("remembering conditions changes the output (-evaluated +remembered):\n%s", diff)
	}
	remember = true
	// The mesh is one round; rounds of 7 products split it into 86, the
	// last one short, with objects of every kind across their bounds.
	defer func(n int) { roundProducts = n }(roundProducts)
	roundProducts = 7
	if diff := cmp.Diff(checkOutput(t, fsys), remembered); diff != "" {
		t.Errorf("judging products a round at a time changes the output (-rounds +one round):\n%s", diff)
	}
	fastConditions = false
	defer func() { fastConditions = true }()
	if diff := cmp.Diff(checkOutput(t, fsys), remembered); diff != "" {
		t.Errorf("judging conditions without HCL changes the output (-HCL +fast):\n%s", diff)
	}
	for _, want := range []string{"Policy plain_columns_described violated", "Policy no_fives violated", "Policy wide_public_ports violated", "Policy same_layer_reads violated", "numeric_versions", "Policy fast_wide_ports violated"} {
		if !bytes.Contains([]byte(remembered), []byte(want)) {
			t.Errorf("the output lacks %q, so the test covers less than it should", want)
		}
	}
}

// TestConditionMemoTrial checks that a memo stays on when its keys repeat
// and is turned off when they mostly do not, whatever the order of hits
// and misses.
func TestConditionMemoTrial(t *testing.T) {
	cond := &condition{memo: true}
	for _, tc := range []struct {
		name     string
		distinct int // keys cycle through this many values
		wantOn   bool
	}{
		{"a flag", 2, true},
		{"a few values", 20, true},
		{"half", memoTrial / 2, true},
		{"mostly new", memoTrial/2 + 1, false},
		{"every object its own", 1 << 20, false},
	} {
		memo := newConditionMemo(cond)
		evaluated := 0
		for i := range 1000 {
			key := []byte{byte(i % tc.distinct), byte(i % tc.distinct >> 8), byte(i % tc.distinct >> 16)}
			if memo.result == nil {
				evaluated++
				continue
			}
			if _, ok := memo.lookup(key); !ok {
				evaluated++
				if memo.result != nil { // the lookup may have turned it off
					memo.result[string(key)] = conditionResult{value: true, known: true}
				}
			}
		}
		if on := memo.result != nil; on != tc.wantOn {
			t.Errorf("%s: memo on = %v, want %v (%d evaluations)", tc.name, on, tc.wantOn, evaluated)
		}
		if tc.wantOn && evaluated != tc.distinct {
			t.Errorf("%s: %d evaluations, want one per distinct key, %d", tc.name, evaluated, tc.distinct)
		}
	}
}
