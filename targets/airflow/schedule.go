package airflow

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshc/meshc/compiler/plan"
)

// schedule is when a product's DAG runs: on a cron, when the ports it
// reads have all been published, or either (asset-or-time).
type schedule struct {
	cadence  *plan.Cadence
	timezone string
	ports    []*plan.Port // by ID
	// from says where the cadence comes from when it is not the product's
	// own, for the DAG's documentation.
	from string
}

// schedule maps a product's schedule. A product on a cadence runs on its
// cron; with on_inputs as well, also when the ports it reads have all been
// published (asset-or-time). A product on its inputs alone runs when they
// have all been published. Sources publish
// no Asset, so a product that reads only sources runs on their cadence:
// the most frequent one, so that no delivery waits for the next.
func (b *builder) schedule(p *plan.Product) schedule {
	s := schedule{cadence: p.Schedule.Cadence, timezone: p.Schedule.Timezone}
	if !p.Schedule.OnInputs {
		return s // on its cadence only
	}
	for _, in := range p.Inputs {
		if in.Port != nil {
			s.ports = append(s.ports, in.Port)
		}
	}
	slices.SortFunc(s.ports, func(x, y *plan.Port) int { return strings.Compare(x.ID, y.ID) })
	s.ports = slices.Compact(s.ports)
	if src := p.FastestSource(); s.cadence == nil && len(s.ports) == 0 && src != nil {
		s.cadence = &src.Cadence
		s.from = fmt.Sprintf("the cadence of source %s, the most frequent of its inputs", src.ID)
	}
	return s
}
