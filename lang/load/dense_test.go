package load

import "testing"

// TestDenseSlicesStayApart checks that what dense hands out never shares
// room: a slice appended past its length is moved, not spilled into the
// next one's values.
func TestDenseSlicesStayApart(t *testing.T) {
	var d dense[int]
	a := d.slice(2)
	b := d.slice(3)
	one := d.new()
	copy(b, []int{7, 8, 9})
	*one = 5
	a = append(a, 1, 2, 3) // past a's capacity of 2
	a[0] = 4
	if b[0] != 7 || b[1] != 8 || b[2] != 9 || *one != 5 {
		t.Errorf("appending to one slice changed the others: %v %d", b, *one)
	}
	for range 3 * denseRun { // across arrays
		p := d.new()
		if *p != 0 {
			t.Fatalf("a value handed out twice: %d", *p)
		}
		*p = 1
	}
	if big := d.slice(denseRun + 1); len(big) != denseRun+1 || cap(big) != denseRun+1 {
		t.Errorf("a run longer than an array: len %d, cap %d", len(big), cap(big))
	}
}
