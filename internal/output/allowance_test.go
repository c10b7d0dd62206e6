package output

import "testing"

func TestAllowance(t *testing.T) {
	renders := 0
	render := func(n int) func() []byte {
		return func() []byte { renders++; return make([]byte, n) }
	}
	again := func() []byte { return []byte("again") }
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
		f := a.File("f", render(step.size), again)
		if kept := f.Render == nil; kept != step.kept || renders != step.renders || len(f.Data) != step.size && kept {
			t.Errorf("File(%d bytes): kept %v after %d renders, want %v after %d", step.size, kept, renders, step.kept, step.renders)
		}
		if !step.kept && (f.Data != nil || string(f.Render()) != "again") {
			t.Errorf("File(%d bytes) not kept: data %q, rendered again %q", step.size, f.Data, f.Render())
		}
	}
	var none *Allowance
	if f := none.File("f", render(1), again); f.Render == nil || renders != 3 {
		t.Errorf("a nil Allowance kept or rendered a file")
	}
}
