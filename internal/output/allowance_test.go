package output

import "testing"

func TestAllowance(t *testing.T) {
	renders := 0
	file := func(n int) func() []byte {
		return func() []byte { renders++; return make([]byte, n) }
	}
	a := NewAllowance(10)
	for _, step := range []struct {
		size    int
		kept    bool
		renders int
	}{
		{4, true, 1},
		{6, true, 2},  // exactly full
		{1, false, 3}, // over: rendered, not kept
		{0, false, 3}, // full: not even rendered
	} {
		got := a.Take(file(step.size))
		if (got != nil) != step.kept || renders != step.renders {
			t.Errorf("Take(%d bytes): kept %v after %d renders, want %v after %d", step.size, got != nil, renders, step.kept, step.renders)
		}
	}
	var none *Allowance
	if none.Take(file(1)) != nil || renders != 3 {
		t.Errorf("a nil Allowance kept or rendered a file")
	}
}
