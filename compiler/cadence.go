package compiler

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/suggest"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
)

// keywordCadences are the named cadences and the cron expressions they stand
// for: on the hour, at midnight, on Monday at midnight, on the 1st.
var keywordCadences = map[string]plan.Cadence{
	"hourly":  {Keyword: "hourly", Cron: "0 * * * *", Period: time.Hour},
	"daily":   {Keyword: "daily", Cron: "0 0 * * *", Period: 24 * time.Hour},
	"weekly":  {Keyword: "weekly", Cron: "0 0 * * 1", Period: 7 * 24 * time.Hour},
	"monthly": {Keyword: "monthly", Cron: "0 0 1 * *", Period: 31 * 24 * time.Hour},
}

// cadence parses a cadence: a keyword or a five-field cron expression.
func (c *compiler) cadence(s ast.String) (plan.Cadence, bool) {
	if k, ok := keywordCadences[s.V]; ok {
		k.Range, k.CronSundayZero = s.Range, k.Cron
		return k, true
	}
	if len(strings.Fields(s.V)) <= 1 {
		c.errorf("invalid-cadence", s.Range, "Invalid cadence",
			"%q is not a cadence.%s A cadence is hourly, daily, weekly, monthly, or a cron expression of five fields (minute hour day-of-month month day-of-week), as in \"0 6 * * 1-5\".",
			s.V, suggest.DidYouMean(s.V, []string{"hourly", "daily", "weekly", "monthly"}))
		return plan.Cadence{}, false
	}
	period, err := cronPeriod(s.V)
	if err != nil {
		c.errorf("invalid-cadence", s.Range, "Invalid cron expression",
			"The cron expression %q is not valid: %s. A cron expression has five fields, minute hour day-of-month month day-of-week, as in \"0 6 * * 1-5\".", s.V, err)
		return plan.Cadence{}, false
	}
	cron := strings.Join(strings.Fields(s.V), " ")
	return plan.Cadence{Cron: cron, CronSundayZero: sundayAsZero(cron), Period: period, Range: s.Range}, true
}

// sundayAsZero writes a valid cron expression whose day of week names 7
// (Sunday, for cron and meshc) with 0 instead, for Snowflake's cron, which
// takes days of week up to 6 only: the days the field's parts name are
// written again from 0 to 6 ("1-7" as "0-6", "5-7/2" as "0,5", "0-7/2" as
// "0,2,4,6"). A leading
// "*" or "*/n" part is kept as it is: it gives Snowflake the same days
// without a 7, and keeps the field unrestricted, as the day fields' rule
// needs. Any other expression is returned as it is.
func sundayAsZero(expr string) string {
	fields := strings.Fields(expr)
	parts := strings.Split(fields[4], ",")
	var star []string
	if strings.HasPrefix(parts[0], "*") {
		star, parts = parts[:1], parts[1:]
	}
	if len(parts) == 0 {
		return expr // "*" or "*/n" alone names no 7
	}
	days, err := parseCronField(strings.Join(parts, ","), cronFields[4])
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
	fields[4] = strings.Join(runs, ",")
	return strings.Join(fields, " ")
}

// namesSeven reports whether a day-of-week part's range starts or ends at
// 7, which Snowflake refuses even where a step leaves Sunday out
// ("0-7/2").
func namesSeven(parts []string) bool {
	for _, part := range parts {
		rangePart, _, _ := strings.Cut(part, "/")
		lo, hi, _ := strings.Cut(rangePart, "-")
		for _, bound := range []string{lo, hi} {
			if v, err := cronValue(bound, cronFields[4]); err == nil && v == 7 {
				return true
			}
		}
	}
	return false
}

var durationUnits = map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}

// maxDuration bounds durations well below time.Duration's limit: no SLA or
// data age is measured in decades.
const maxDuration = 10 * 366 * 24 * time.Hour

// parseDuration reads durations such as "30m", "36h", "7d" or "2w".
func parseDuration(s string) (time.Duration, bool) {
	// Digits, then a unit: read by hand, as every test with a duration
	// argument reads one (a regular expression's match allocated).
	if len(s) < 2 {
		return 0, false
	}
	digits, unit := s[:len(s)-1], durationUnits[s[len(s)-1]]
	if unit == 0 || strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n <= 0 || n > int64(maxDuration/unit) {
		return 0, false
	}
	return time.Duration(n) * unit, true
}

func (c *compiler) duration(s ast.String) (time.Duration, bool) {
	d, ok := parseDuration(s.V)
	if !ok {
		c.invalidDuration(s.V, s.Range)
	}
	return d, ok
}

func (c *compiler) invalidDuration(s string, at diag.Range) {
	c.errorf("invalid-duration", at, "Invalid duration",
		"%q is not a duration. Write a whole number and a unit, m (minutes), h (hours), d (days) or w (weeks), as in \"36h\" or \"7d\", of at most ten years.", s)
}

// cronField describes one field of a cron expression.
type cronField struct {
	name     string
	min, max int
	names    []string // month or weekday names, indexed from min
}

var cronFields = []cronField{
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day of month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: strings.Fields("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC")},
	{name: "day of week", min: 0, max: 7, names: strings.Fields("SUN MON TUE WED THU FRI SAT")},
}

// cronSchedule is a parsed cron expression: for each field, which values
// match; star records whether day fields were left unrestricted, since cron
// matches a day when either day field matches if both are restricted.
type cronSchedule struct {
	sets             [5][]bool
	domStar, dowStar bool
}

func parseCron(expr string) (*cronSchedule, error) {
	fields := strings.Fields(expr)
	if len(fields) != 5 {
		return nil, fmt.Errorf("it has %d fields", len(fields))
	}
	// Cron implementations part on a day field that steps from * while
	// the other is restricted: some take it as unrestricted (runs on the
	// days both name), others as restricted (runs on the days either
	// names), so the targets would run it on different days.
	for _, f := range []struct{ stepped, other, name string }{{fields[2], fields[4], "month"}, {fields[4], fields[2], "week"}} {
		if strings.HasPrefix(f.stepped, "*/") && f.other != "*" {
			return nil, fmt.Errorf("its day of %s %q steps from * while the other day field is %q, which cron implementations read differently: some run on the days both fields name, others on the days either names. Write the stepped field as a range, such as %s",
				f.name, f.stepped, f.other, map[string]string{"month": "1-31", "week": "0-6"}[f.name]+f.stepped[1:])
		}
	}
	cs := &cronSchedule{domStar: fields[2] == "*", dowStar: fields[4] == "*"}
	for i, f := range fields {
		set, err := parseCronField(f, cronFields[i])
		if err != nil {
			return nil, err
		}
		cs.sets[i] = set
	}
	if cs.sets[4][7] { // 7 is Sunday too
		cs.sets[4][0] = true
	}
	return cs, nil
}

func parseCronField(f string, cf cronField) ([]bool, error) {
	set := make([]bool, cf.max+1)
	for _, part := range strings.Split(f, ",") {
		rangePart, stepPart, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepPart)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("the %s step %q is not a positive number", cf.name, stepPart)
			}
			step = n
		}
		lo, hi := cf.min, cf.max
		if rangePart != "*" {
			a, b, isRange := strings.Cut(rangePart, "-")
			var err error
			if lo, err = cronValue(a, cf); err != nil {
				return nil, err
			}
			hi = lo
			if isRange {
				if hi, err = cronValue(b, cf); err != nil {
					return nil, err
				}
				if hi < lo && cf.name == "day of week" && hi == 0 {
					return nil, fmt.Errorf("the day of week range %q runs backwards, as Sunday is 0 here: end it with 7, the other number for Sunday, as in %s-7", rangePart, a)
				}
				if hi < lo {
					return nil, fmt.Errorf("the %s range %q runs backwards", cf.name, rangePart)
				}
			} else if hasStep {
				hi = cf.max
			}
		}
		for v := lo; v <= hi; v += step {
			set[v] = true
		}
	}
	return set, nil
}

func cronValue(s string, cf cronField) (int, error) {
	for i, n := range cf.names {
		if strings.EqualFold(s, n) {
			return cf.min + i, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < cf.min || n > cf.max {
		return 0, fmt.Errorf("the %s %q is not between %d and %d", cf.name, s, cf.min, cf.max)
	}
	return n, nil
}

// cronPeriods caches periods by expression: large meshes repeat a few
// schedules many times.
var cronPeriods sync.Map

// cronPeriod returns the longest gap between two runs of a cron expression,
// measured over four years from a fixed date so that the answer never
// depends on when meshc runs and covers leap years.
func cronPeriod(expr string) (time.Duration, error) {
	key := strings.Join(strings.Fields(expr), " ")
	if p, ok := cronPeriods.Load(key); ok {
		return p.(time.Duration), nil
	}
	cs, err := parseCron(key)
	if err != nil {
		return 0, err
	}
	// Runs within a day are the same every matching day.
	var times []int // minutes since midnight
	for h := 0; h < 24; h++ {
		for m := 0; m < 60; m++ {
			if cs.sets[1][h] && cs.sets[0][m] {
				times = append(times, h*60+m)
			}
		}
	}
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
	cronPeriods.Store(key, period)
	return period, nil
}

func (cs *cronSchedule) matchesDay(t time.Time) bool {
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
