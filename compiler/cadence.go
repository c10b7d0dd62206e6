package compiler

import (
	"strconv"
	"strings"
	"time"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/cron"
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
	period, err := cron.Period(s.V)
	if err != nil {
		c.errorf("invalid-cadence", s.Range, "Invalid cron expression",
			"The cron expression %q is not valid: %s. A cron expression has five fields, minute hour day-of-month month day-of-week, as in \"0 6 * * 1-5\".", s.V, err)
		return plan.Cadence{}, false
	}
	expr := strings.Join(strings.Fields(s.V), " ")
	return plan.Cadence{Cron: expr, CronSundayZero: cron.SundayAsZero(expr), Period: period, Range: s.Range}, true
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
