// Package cron reads the five-field cron expressions of cadences: which
// minutes of which days they run at, the longest gap between two runs,
// and when they run on a time zone's clock.
package cron

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // time zones' rules on machines without a tz database
)

// field describes one field of a cron expression.
type field struct {
	name     string
	min, max int
	names    []string // month or weekday names, indexed from min
}

var fields = [5]field{
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day of month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: strings.Fields("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC")},
	{name: "day of week", min: 0, max: 7, names: strings.Fields("SUN MON TUE WED THU FRI SAT")},
}

// Schedule is a parsed cron expression: for each field, which values
// match; star records whether day fields were left unrestricted, since cron
// matches a day when either day field matches if both are restricted.
type Schedule struct {
	sets             [5][]bool
	domStar, dowStar bool
}

// Same reports whether two cron expressions run at the same times, as
// "daily" and "0 0 * * *", or "0 6 * * 1-5" and "0 6 * * MON-FRI" do. An
// expression that does not parse is the same only as itself.
func Same(a, b string) bool {
	x, errA := Parse(a)
	y, errB := Parse(b)
	if errA != nil || errB != nil {
		return a == b
	}
	if x.domStar != y.domStar || x.dowStar != y.dowStar {
		return false
	}
	for i := range x.sets {
		xs, ys := x.sets[i], y.sets[i]
		if i == 4 { // 7 is Sunday, which Parse sets 0 for too
			xs, ys = xs[:7], ys[:7]
		}
		if !slices.Equal(xs, ys) {
			return false
		}
	}
	return true
}

// Parse reads a five-field cron expression, refusing what the targets'
// cron implementations would read differently.
func Parse(expr string) (*Schedule, error) {
	parts := strings.Fields(expr)
	if len(parts) != 5 {
		return nil, fmt.Errorf("it has %d fields", len(parts))
	}
	// Cron implementations part on a day field that steps from * while
	// the other is restricted: some take it as unrestricted (runs on the
	// days both name), others as restricted (runs on the days either
	// names), so the targets would run it on different days.
	for _, f := range []struct{ stepped, other, name string }{{parts[2], parts[4], "month"}, {parts[4], parts[2], "week"}} {
		if strings.HasPrefix(f.stepped, "*/") && f.other != "*" {
			return nil, fmt.Errorf("its day of %s %q steps from * while the other day field is %q, which cron implementations read differently: some run on the days both fields name, others on the days either names. Write the stepped field as a range, such as %s",
				f.name, f.stepped, f.other, map[string]string{"month": "1-31", "week": "0-6"}[f.name]+f.stepped[1:])
		}
	}
	cs := &Schedule{domStar: parts[2] == "*", dowStar: parts[4] == "*"}
	for i, f := range parts {
		set, err := parseField(f, fields[i])
		if err != nil {
			return nil, err
		}
		cs.sets[i] = set
	}
	if cs.sets[4][7] { // 7 is Sunday too
		cs.sets[4][0] = true
	}
	// A day field that names every day without being * is restricted for
	// Vixie cron, so with the other day field restricted too it runs on
	// every day; GitLab's cron (Fugit) and croniter take it for *, and run
	// on the days the other field names.
	for _, f := range []struct {
		days               []bool
		field, other, name string
	}{{cs.sets[2][1:], parts[2], parts[4], "month"}, {cs.sets[4][:7], parts[4], parts[2], "week"}} {
		if f.field != "*" && f.other != "*" && !slices.Contains(f.days, false) {
			return nil, fmt.Errorf("its day of %s %q names every day while the other day field is %q, which cron implementations read differently: some run on every day, others take it for * and run on the days the other field names. Write * for every day of the %s, or name fewer days",
				f.name, f.field, f.other, f.name)
		}
	}
	return cs, nil
}

func parseField(f string, cf field) ([]bool, error) {
	set := make([]bool, cf.max+1)
	for _, part := range strings.Split(f, ",") {
		rangePart, stepPart, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, ok := number(stepPart)
			if !ok || n < 1 {
				return nil, fmt.Errorf("the %s step %q is not a positive number", cf.name, stepPart)
			}
			if len(stepPart) > 2 {
				// GitLab's cron (Fugit) reads at most two digits.
				return nil, fmt.Errorf("the %s step %q has more than two digits, which GitLab's cron does not read; a step past %d names only the first value, so write that value instead", cf.name, stepPart, cf.max)
			}
			step = n
		}
		lo, hi := cf.min, cf.max
		if rangePart != "*" {
			a, b, isRange := strings.Cut(rangePart, "-")
			var err error
			if lo, err = value(a, cf); err != nil {
				return nil, err
			}
			hi = lo
			if isRange {
				if hi, err = value(b, cf); err != nil {
					return nil, err
				}
				if hi < lo && cf.name == "day of week" && hi == 0 {
					return nil, fmt.Errorf("the day of week range %q runs backwards, as Sunday is 0 here: end it with 7, the other number for Sunday, as in %s-7", rangePart, a)
				}
				if hi < lo {
					return nil, fmt.Errorf("the %s range %q runs backwards", cf.name, rangePart)
				}
				if hi == lo {
					// croniter takes a range whose ends are one value
					// ("5-5", "SUN-SUN") for the whole field, since its
					// versions of 2024; its older ones and the others, for
					// that value.
					return nil, fmt.Errorf("the %s range %q starts and ends at one value, which cron implementations read differently: croniter, Airflow's, reads it as the whole field in its versions since 2024, others as that value alone. Write the value alone, %s", cf.name, rangePart, a)
				}
			} else if hasStep {
				if cf.name == "day of week" {
					// Fugit runs "1/2" on Monday alone; croniter and
					// meshc step on from Monday, up to 6 or 7.
					fix := fmt.Sprintf("Write the days it steps over as a range, such as %s-6/%s or %s-7/%s", a, stepPart, a, stepPart)
					if lo >= 6 {
						fix = "Write the day alone, " + a
					}
					return nil, fmt.Errorf("the day of week %q steps from a single day, which cron implementations read differently: GitLab's runs on that day alone, others step from it up to Saturday or to Sunday. %s", part, fix)
				}
				if lo == cf.max {
					// croniter reads "12/2" as the range "12-12/2", which
					// its versions from 2024 to mid-2026 took for the whole
					// field stepped from its start, where the others run
					// in December.
					return nil, fmt.Errorf("the %s %q steps from the field's last value, which cron implementations read differently: most read it as %s alone, but croniter, Airflow's, reads it as the whole field stepped from %d in its versions from 2024 to mid-2026. Write the value alone, %s", cf.name, part, a, cf.min, a)
				}
				hi = cf.max
			}
		}
		for v := lo; v <= hi; v += step {
			set[v] = true
		}
	}
	return set, nil
}

func value(s string, cf field) (int, error) {
	for i, n := range cf.names {
		if strings.EqualFold(s, n) {
			return cf.min + i, nil
		}
	}
	n, ok := number(s)
	if !ok || n < cf.min || n > cf.max {
		return 0, fmt.Errorf("the %s %q is not between %d and %d", cf.name, s, cf.min, cf.max)
	}
	// GitLab's cron (Fugit) reads a day of week as one digit and the
	// other fields as two: "007", or a day of week "07", is no cron there.
	if digits := len(strconv.Itoa(cf.max)); len(s) > digits {
		return 0, fmt.Errorf("the %s %q has more digits than GitLab's cron reads: write it %d", cf.name, s, n)
	}
	return n, nil
}

// number reads a whole number written in decimal digits alone: strconv
// also takes a sign ("+5"), which no cron implementation does.
func number(s string) (int, bool) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// periods caches periods by expression: large meshes repeat a few
// schedules many times.
var periods sync.Map

// Period returns the longest gap between two runs of a cron expression,
// measured over four years from a fixed date so that the answer never
// depends on when meshc runs and covers leap years.
func Period(expr string) (time.Duration, error) {
	key := strings.Join(strings.Fields(expr), " ")
	if p, ok := periods.Load(key); ok {
		return p.(time.Duration), nil
	}
	cs, err := Parse(key)
	if err != nil {
		return 0, err
	}
	// Runs within a day are the same every matching day.
	times := cs.timesOfDay()
	var longest, last int = 0, -1
	for i := 1; i < len(times); i++ {
		longest = max(longest, times[i]-times[i-1])
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	matched := 0
	for day := 0; day < 4*366; day++ {
		t := start.AddDate(0, 0, day)
		if !cs.matchesDay(t) {
			continue
		}
		matched++
		base := day * 24 * 60
		if last >= 0 {
			longest = max(longest, base+times[0]-last)
		}
		last = base + times[len(times)-1]
	}
	if matched < 2 {
		return 0, fmt.Errorf("it would run less than twice in four years")
	}
	period := time.Duration(longest) * time.Minute
	periods.Store(key, period)
	return period, nil
}

func (cs *Schedule) matchesDay(t time.Time) bool {
	if !cs.sets[3][int(t.Month())] {
		return false
	}
	dom, dow := cs.sets[2][t.Day()], cs.sets[4][int(t.Weekday())]
	switch {
	case cs.domStar && cs.dowStar:
		return true
	case cs.domStar:
		return dow
	case cs.dowStar:
		return dom
	}
	return dom || dow
}

// EveryHour reports whether the expression runs in every hour of the day.
func (cs *Schedule) EveryHour() bool {
	for _, h := range cs.sets[1][:24] {
		if !h {
			return false
		}
	}
	return true
}

// FirstRun returns the first minute in [from, from+span) of wall-clock
// time, as a clock reads it whatever its zone, at which the expression
// runs.
func (cs *Schedule) FirstRun(from time.Time, span time.Duration) (time.Time, bool) {
	for m := from.Truncate(time.Minute); m.Before(from.Add(span)); m = m.Add(time.Minute) {
		if !m.Before(from) && cs.sets[0][m.Minute()] && cs.sets[1][m.Hour()] && cs.matchesDay(m) {
			return m, true
		}
	}
	return time.Time{}, false
}

// Runs returns the instants in [from, to) at which the expression runs on
// loc's clock, in order. A time of day that a clock change skips is read
// as Go reads it (moved by the change), which is close enough for
// comparing schedules.
func (cs *Schedule) Runs(from, to time.Time, loc *time.Location) []time.Time {
	times := cs.timesOfDay()
	var runs []time.Time
	y, mo, d := from.In(loc).Date()
	for day := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC); ; day = day.AddDate(0, 0, 1) {
		if time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc).After(to) {
			return runs
		}
		if !cs.matchesDay(day) {
			continue
		}
		for _, minute := range times {
			t := time.Date(day.Year(), day.Month(), day.Day(), minute/60, minute%60, 0, 0, loc)
			if !t.Before(from) && t.Before(to) {
				runs = append(runs, t)
			}
		}
	}
}

// timesOfDay returns the minutes after midnight at which the expression
// runs on a day it runs, in order.
func (cs *Schedule) timesOfDay() []int {
	var times []int
	for h := 0; h < 24; h++ {
		for m := 0; m < 60; m++ {
			if cs.sets[1][h] && cs.sets[0][m] {
				times = append(times, h*60+m)
			}
		}
	}
	return times
}

// SundayAsZero writes a valid cron expression whose day of week names 7
// (Sunday, for cron and meshc) with 0 instead, for Snowflake's cron, which
// takes days of week up to 6 only: the days the field's parts name are
// written again from 0 to 6 ("1-7" as "0-6", "5-7/2" as "0,5", "0-7/2" as
// "0,2,4,6"). A leading
// "*" or "*/n" part is kept as it is: it gives Snowflake the same days
// without a 7, and keeps the field unrestricted, as the day fields' rule
// needs. Any other expression is returned as it is.
func SundayAsZero(expr string) string {
	words := strings.Fields(expr)
	parts := strings.Split(words[4], ",")
	var star []string
	if strings.HasPrefix(parts[0], "*") {
		star, parts = parts[:1], parts[1:]
	}
	if len(parts) == 0 {
		return expr // "*" or "*/n" alone names no 7
	}
	days, err := parseField(strings.Join(parts, ","), fields[4])
	if err != nil || !namesSeven(parts) {
		return expr
	}
	days[0] = days[0] || days[7]
	runs := star
	for lo := 0; lo <= 6; lo++ {
		if !days[lo] {
			continue
		}
		hi := lo
		for hi < 6 && days[hi+1] {
			hi++
		}
		if hi == lo {
			runs = append(runs, strconv.Itoa(lo))
		} else {
			runs = append(runs, strconv.Itoa(lo)+"-"+strconv.Itoa(hi))
		}
		lo = hi
	}
	words[4] = strings.Join(runs, ",")
	return strings.Join(words, " ")
}

// namesSeven reports whether a day-of-week part's range starts or ends at
// 7, which Snowflake refuses even where a step leaves Sunday out
// ("0-7/2").
func namesSeven(parts []string) bool {
	for _, part := range parts {
		rangePart, _, _ := strings.Cut(part, "/")
		lo, hi, _ := strings.Cut(rangePart, "-")
		for _, bound := range []string{lo, hi} {
			if v, err := value(bound, fields[4]); err == nil && v == 7 {
				return true
			}
		}
	}
	return false
}
