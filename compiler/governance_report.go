package compiler

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/meshc/meshc/lang/diag"
)

// PolicyOutcome is what one policy found: the objects it applied to, those
// that break it, and those a waiver exempts. Every violation is also a
// diagnostic; this is the same information grouped by policy, for the
// report that meshc check prints after the diagnostics.
type PolicyOutcome struct {
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Domain      string     `json:"domain,omitempty"` // the domain of a domain's policy; empty for a central one
	Set         string     `json:"set,omitempty"`    // the policy set it belongs to, if any
	Stdlib      bool       `json:"stdlib,omitempty"` // declared by the standard library
	Enforcement string     `json:"enforcement"`      // as written: advisory, soft_mandatory or hard_mandatory
	On          string     `json:"on"`               // the kind of object
	Range       diag.Range `json:"range"`            // the policy block
	// Active is false for a central policy in a set the mesh does not opt
	// into: it was checked, not applied.
	Active bool `json:"active"`
	// Evaluated is false when the policy has errors of its own (reported)
	// and was not applied.
	Evaluated bool `json:"evaluated"`
	// Failed is true when an expression could not be evaluated for some
	// object (reported once); those objects count neither way.
	Failed  bool `json:"failed,omitempty"`
	Objects int  `json:"objects"` // objects of its kind in its scope
	Applied int  `json:"applied"` // of those, the ones its when condition selects, judged
	// Undecided counts the objects it could not judge, as what it reads
	// of them has errors (reported), its expression failed on them
	// (Failed), or their product is left out (LeftOut): they count
	// neither way, in Applied or not.
	Undecided int `json:"undecided,omitempty"`
	// LeftOut counts, among those, the objects of products that policies
	// leave out, as their blueprint or a test failed (reported).
	LeftOut    int            `json:"left_out,omitempty"`
	Violations []PolicyObject `json:"violations,omitempty"`
	Waived     []WaivedObject `json:"waived,omitempty"`
}

// PolicyObject is an object that breaks a policy.
type PolicyObject struct {
	Kind    string     `json:"kind"`
	ID      string     `json:"id"`
	Range   diag.Range `json:"range"`
	Message string     `json:"message"`
	// ExpiredWaiver names the waiver that exempted the object until it
	// expired, if any.
	ExpiredWaiver string `json:"expired_waiver,omitempty"`
	// RefusedWaiver names a waiver that names the object but is not
	// applied, as it has errors of its own or its policy takes no waiver
	// (reported), and RefusedWhy says why, as in "its reason is empty":
	// the report says so beside the violation, for a reader of the report
	// alone.
	RefusedWaiver string     `json:"refused_waiver,omitempty"`
	RefusedRange  diag.Range `json:"refused_range,omitzero"`
	RefusedWhy    string     `json:"refused_why,omitempty"`
}

// WaivedObject is an object that breaks a soft-mandatory policy and that a
// waiver exempts.
type WaivedObject struct {
	PolicyObject
	Waiver      string     `json:"waiver"`
	WaiverRange diag.Range `json:"waiver_range"`
	Approver    string     `json:"approver"`
	Reason      string     `json:"reason"`
	Expires     string     `json:"expires"`
	// DaysLeft is how many days the waiver stays valid after today: 0 on
	// its expires day. Expiring is true within the waiver-expiring
	// warning's notice (14 days), when the report marks the object, so
	// that whoever reads the report alone sees the fixes or the renewal
	// due.
	DaysLeft int  `json:"days_left"`
	Expiring bool `json:"expiring,omitempty"`
}

// expiringIn says when a waiver the report marks as expiring lapses:
// "expiring today", "expiring in 9 days".
func (v WaivedObject) expiringIn() string {
	switch v.DaysLeft {
	case 0:
		return "expiring today"
	case 1:
		return "expiring tomorrow"
	}
	return fmt.Sprintf("expiring in %d days", v.DaysLeft)
}

// Origin says where the policy comes from: "domain physician", "stdlib set
// baseline", "central" or "central set NAME".
func (o *PolicyOutcome) Origin() string {
	switch {
	case o.Domain != "":
		return "domain " + o.Domain
	case o.Stdlib:
		return "stdlib set " + o.Set
	case o.Set != "":
		return "central set " + o.Set
	}
	return "central"
}

// levelRank orders policies in the report, the strictest first.
func levelRank(level string) int {
	switch level {
	case hardMandatory:
		return 0
	case softMandatory:
		return 1
	case advisory:
		return 2
	}
	return 3
}

func sortPolicyOutcomes(out []*PolicyOutcome) {
	slices.SortStableFunc(out, func(a, b *PolicyOutcome) int {
		return cmp.Or(
			cmp.Compare(levelRank(a.Enforcement), levelRank(b.Enforcement)),
			cmp.Compare(a.Domain, b.Domain), // central ("") first
			cmp.Compare(a.Name, b.Name))
	})
}

// WritePolicyReport prints what each policy found, grouped by policy: the
// strictest first, central before domain policies, with each policy's
// origin, the objects it applied to, its violations and the objects
// waivers exempt, marking those whose waiver expires within the
// waiver-expiring warning's notice. Policies of sets the mesh does not opt
// into are counted at the end. It prints nothing when the mesh has no
// policy.
//
//	Policies: 2 applied, 0 violated, 1 with waived objects
//
//	hard_mandatory  pii_columns_protected  stdlib set baseline (stdlib:policies.mesh.hcl:47:1)
//	  column: applies to 3 of 105, all comply
//
//	soft_mandatory  products_have_freshness_sla  stdlib set baseline (stdlib:policies.mesh.hcl:57:1)
//	  product: applies to 12 of 12, 1 waived
//	    waived    physician.prescribers_v2  by waiver prescribers_v2_sla (platform/waivers.mesh.hcl:7:1; approver ..., expires 2027-06-30): REASON
func WritePolicyReport(w io.Writer, res *Result) error {
	var active, inactive []*PolicyOutcome
	for _, o := range res.Policies {
		if o.Active {
			active = append(active, o)
		} else {
			inactive = append(inactive, o)
		}
	}
	if len(active) == 0 && len(inactive) == 0 {
		return nil
	}
	var b bytes.Buffer
	applied, violated, waived := 0, 0, 0
	expiring := map[string]bool{} // the waivers, by where they are
	for _, o := range active {
		for _, v := range o.Waived {
			if v.Expiring {
				expiring[v.WaiverRange.String()] = true
			}
		}
		if o.Evaluated {
			applied++
		}
		if len(o.Violations) > 0 {
			violated++
		}
		if len(o.Waived) > 0 {
			waived++
		}
	}
	notEvaluated := ""
	if n := len(active) - applied; n > 0 {
		notEvaluated = fmt.Sprintf(", %d not evaluated", n)
	}
	soon := ""
	if n := len(expiring); n > 0 {
		soon = fmt.Sprintf(", %s expiring within %d days", count(n, "waiver", "waivers"), waiverNoticeDays)
	}
	fmt.Fprintf(&b, "Policies: %d applied%s, %d violated, %d with waived objects%s\n", applied, notEvaluated, violated, waived, soon)
	for _, o := range active {
		fmt.Fprintf(&b, "\n%s  %s  %s (%s)\n", o.Enforcement, o.Name, o.Origin(), o.Range)
		switch {
		case !o.Evaluated:
			fmt.Fprintf(&b, "  %s: not evaluated: the policy has errors, reported above\n", o.On)
			continue
		case o.Objects == 0:
			fmt.Fprintf(&b, "  %s: no object of this kind\n", o.On)
			continue
		case o.Undecided == o.Objects && !o.Failed && o.Objects == 1:
			fmt.Fprintf(&b, "  %s: its one object not judged, as what it reads has errors\n", o.On)
			continue
		case o.Undecided == o.Objects && !o.Failed:
			fmt.Fprintf(&b, "  %s: none of its %d objects judged, as what they read has errors\n", o.On, o.Objects)
			continue
		}
		var status []string
		if n := len(o.Violations); n > 0 {
			status = append(status, fmt.Sprintf("%d violated", n))
		}
		if n := len(o.Waived); n > 0 {
			waived := fmt.Sprintf("%d waived", n)
			switch soon := countFunc(o.Waived, func(v WaivedObject) bool { return v.Expiring }); {
			case soon == 1 && n == 1:
				waived += fmt.Sprintf(", by a waiver expiring within %d days", waiverNoticeDays)
			case soon == 1:
				waived += fmt.Sprintf(", 1 of them by a waiver expiring within %d days", waiverNoticeDays)
			case soon > 1:
				waived += fmt.Sprintf(", %d of them by waivers expiring within %d days", soon, waiverNoticeDays)
			}
			status = append(status, waived)
		}
		if o.Failed {
			status = append(status, "could not be evaluated for some, reported above")
		}
		if len(status) == 0 {
			status = append(status, "all comply")
		}
		line := fmt.Sprintf("  %s: applies to %d of %d, %s", o.On, o.Applied, o.Objects, strings.Join(status, ", "))
		// Those it failed on are said already; its other undecided
		// objects are not told from them, but for the left out.
		notJudged := o.Undecided
		if o.Failed {
			notJudged = o.LeftOut
		}
		if notJudged > 0 {
			line += fmt.Sprintf("; %d of the %d not judged, as what they read has errors", notJudged, o.Objects)
		}
		fmt.Fprintln(&b, line)
		for _, v := range o.Violations {
			note := ""
			switch {
			case v.ExpiredWaiver != "":
				note = fmt.Sprintf(" (waiver %s expired)", v.ExpiredWaiver)
			case v.RefusedWaiver != "":
				note = fmt.Sprintf(" (waiver %s at %s not applied: %s)", v.RefusedWaiver, v.RefusedRange, v.RefusedWhy)
			}
			fmt.Fprintf(&b, "    violated  %s  %s  %s%s\n", v.ID, v.Range, continued(v.Message), note)
		}
		for _, v := range o.Waived {
			expires := v.Expires
			if v.Expiring {
				expires += ", " + v.expiringIn()
			}
			fmt.Fprintf(&b, "    waived    %s  by waiver %s (%s; approver %s, expires %s): %s\n", v.ID, v.Waiver, v.WaiverRange, v.Approver, expires, continued(sentence(v.Reason)))
		}
	}
	if len(inactive) > 0 {
		sets := map[string]int{}
		for _, o := range inactive {
			sets[o.Set]++
		}
		var parts []string
		for _, s := range sortedKeys(sets) {
			parts = append(parts, fmt.Sprintf("%s (%s)", s, count(sets[s], "policy", "policies")))
		}
		fmt.Fprintf(&b, "\nNot applied, as the mesh does not opt into their sets (policy_sets in the mesh block): %s\n", strings.Join(parts, ", "))
	}
	_, err := w.Write(diag.Printable(b.Bytes())) // messages and reasons are the mesh's words
	return err
}

// continued indents the lines after the first of a message or a reason
// written over several lines, so that each object's entry in the report
// stays one block under its policy.
func continued(text string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines[1:] {
		if line != "" {
			lines[i+1] = "      " + line
		}
	}
	return strings.Join(lines, "\n")
}

func countFunc[T any](s []T, f func(T) bool) int {
	n := 0
	for _, x := range s {
		if f(x) {
			n++
		}
	}
	return n
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
