package gitlab

import (
	"testing"

	"github.com/meshc/meshc/compiler/plan"
)

// TestZoneNamesStandAlone checks that the name a schedule writes a time
// zone with depends on the name its product writes alone: a product in
// EST5EDT (a link to America/New_York since tzdata 2024b) added to a mesh
// renames no other product's schedule, and one zone's names share one.
func TestZoneNamesStandAlone(t *testing.T) {
	names := func(tzs ...string) func(string) string {
		p := &plan.Plan{Defaults: plan.Defaults{Timezone: "UTC"}}
		for _, tz := range tzs {
			p.Products = append(p.Products, &plan.Product{Schedule: plan.Schedule{Timezone: tz}})
		}
		s := &schedules{plan: p}
		s.zoneNames = s.nameZones()
		return s.zoneName
	}
	alone := names("US/Eastern", "GB")
	with := names("US/Eastern", "GB", "EST5EDT", "GB-Eire", "Etc/UTC")
	for tz, want := range map[string]string{"US/Eastern": "America/New_York", "GB": "Europe/London"} {
		if alone(tz) != want || with(tz) != want {
			t.Errorf("%s is written %q alone and %q with other products; want %q", tz, alone(tz), with(tz), want)
		}
	}
	for tz, want := range map[string]string{"EST5EDT": "America/New_York", "GB-Eire": "Europe/London", "Etc/UTC": "UTC"} {
		if with(tz) != want {
			t.Errorf("%s is written %q; want %q, as its zone's other names", tz, with(tz), want)
		}
	}
}
