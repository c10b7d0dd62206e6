package compiler

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/cron"
	"github.com/meshc/meshc/lang/diag"
)

// dstYears are the years whose clock changes clockChange looks at: fixed,
// so that a mesh checks the same whenever meshc runs, and four of them,
// as a weekly or monthly cron may miss the change in some years only.
var dstYears = [2]int{2026, 2030}

// everyTwoHours is the longest gap between runs that checkClockChange
// leaves alone.
const everyTwoHours = 2 * time.Hour

// clockChanges caches clockChange by cron expression and time zone:
// large meshes repeat a few schedules many times.
var clockChanges sync.Map

// checkClockChange warns when a product's cadence runs at a time of day
// that a clock change in its time zone skips or repeats. Snowflake
// documents that a task in a skipped hour does not run that day and one
// in a repeated hour runs twice; the other targets differ, so one mesh
// would run differently on each. A cron that runs every hour, or at
// least every two hours, is left alone: it loses or repeats one run of
// a dozen or more, as its users expect, and cannot move out of the hour.
func (c *compiler) checkClockChange(s plan.Schedule) {
	if s.Cadence != nil {
		c.warnClockChange(s.Cadence.Range, "", *s.Cadence, s.Timezone,
			"Move the run out of that hour, or give the schedule a time zone without daylight saving time, such as timezone = \"UTC\".")
	}
}

// checkSourceClockChange is checkClockChange for a product that runs on
// its inputs and reads only sources: every target runs it on the most
// frequent source's cadence, read in the product's time zone.
func (c *compiler) checkSourceClockChange(p *plan.Product) {
	s := p.Schedule
	if s.Cadence != nil || !s.OnInputs || len(p.Producers()) > 0 {
		return
	}
	if src := p.FastestSource(); src != nil {
		c.warnClockChange(s.Range, fmt.Sprintf("%s runs on the cadence of source %s, the most frequent it reads, in its time zone: in ", p.ID, src.ID), src.Cadence, s.Timezone,
			"Give the product a cadence of its own outside that hour, or a time zone without daylight saving time, such as schedule { timezone = \"UTC\" }.")
	}
}

// warnClockChange reports a cadence read in a time zone that runs when
// the clocks change there, if it does: at, after lead, with the fix.
func (c *compiler) warnClockChange(at diag.Range, lead string, cad plan.Cadence, zone, fix string) {
	if zone == "UTC" || cad.Period <= everyTwoHours {
		return
	}
	clash := clockChange(cad.Cron, zone)
	if clash == "" {
		return
	}
	if lead == "" {
		lead = "In "
	}
	c.warnf("cadence-clock-change", at, "Cadence runs when the clocks change",
		"%s%s, %s %s. Snowflake does not run a task at a time the clocks skip, and runs it twice at one they repeat; GitLab and Airflow may run it late or once instead, so the mesh would run differently on each target. %s",
		lead, zone, cad.String(), clash, fix)
}

// clockChange says when a cron expression runs at a local time that a
// clock change skips or repeats in a time zone, or returns "" when it
// never does (or the time zone is not known here).
func clockChange(expr, zone string) string {
	key := [2]string{expr, zone}
	if v, ok := clockChanges.Load(key); ok {
		return v.(string)
	}
	clash := findClockChange(expr, zone)
	clockChanges.Store(key, clash)
	return clash
}

func findClockChange(expr, zone string) string {
	cs, err := cron.Parse(expr)
	if err != nil || cs.EveryHour() {
		return "" // every hour: see checkClockChange
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return ""
	}
	var skipped, repeated string
	t := time.Date(dstYears[0], 1, 1, 0, 0, 0, 0, loc)
	stop := time.Date(dstYears[1], 1, 1, 0, 0, 0, 0, loc)
	for t.Before(stop) && (skipped == "" || repeated == "") {
		_, end := t.ZoneBounds()
		if end.IsZero() {
			break // no more changes
		}
		_, before := end.Add(-time.Second).Zone()
		_, after := end.Zone()
		shift := time.Duration(after-before) * time.Second
		switch {
		case shift > 0 && skipped == "":
			// The clocks go forward: the wall times from the change, read
			// on the old clock, to shift later never happen.
			if at, ok := cs.FirstRun(wallClock(end, before), shift); ok {
				skipped = fmt.Sprintf("runs at %s on %s, a time the clocks skip when they go forward", at.Format("15:04"), at.Format("2006-01-02"))
			}
		case shift < 0 && repeated == "":
			// The clocks go back: the wall times from the change, read on
			// the new clock, to -shift later happen twice.
			if at, ok := cs.FirstRun(wallClock(end, after), -shift); ok {
				repeated = fmt.Sprintf("runs at %s on %s, a time that happens twice when the clocks go back", at.Format("15:04"), at.Format("2006-01-02"))
			}
		}
		t = end
	}
	switch {
	case skipped != "" && repeated != "":
		return skipped + ", and " + strings.TrimPrefix(repeated, "runs ")
	case skipped != "":
		return skipped
	}
	return repeated
}

// wallClock is the local date and time an instant reads as on a clock
// offset seconds east of UTC, as a UTC time.
func wallClock(t time.Time, offset int) time.Time {
	return t.UTC().Add(time.Duration(offset) * time.Second)
}
