package cron

import (
	"strings"
	"testing"
	"time"
)

func TestPeriod(t *testing.T) {
	const day = 24 * time.Hour
	for _, tc := range []struct {
		expr string
		want time.Duration
	}{
		{"0 * * * *", time.Hour},
		{"*/15 * * * *", 15 * time.Minute},
		{"0 6 * * *", day},
		{"0 6,18 * * *", 12 * time.Hour},
		{"0 6 * * 1-5", 3 * day}, // Friday to Monday
		{"0 4 * * 2", 7 * day},
		{"0 0 * * MON", 7 * day},
		{"0 0 1 * *", 31 * day},
		{"0 0 1 */3 *", 92 * day}, // quarterly: Jul 1 to Oct 1 is 92 days
		{"0 0 1 1 *", 366 * day},  // yearly, across a leap year
		{"30 2 1,15 * *", 17 * day},
		{"0 0 * * 0", 7 * day},
		{"0 0 * * 7", 7 * day}, // 7 is Sunday too
		{"0 0 1 * 1", 7 * day}, // both day fields restricted: the 1st or a Monday, as in cron
		{"0 0 */2 * *", 2 * day},
		{"0 0 1-31/2 * 1", 2 * day}, // odd days or Mondays
		{"00 06 * * *", day},
		{"0 0 1-31 * *", day}, // every day named, beside a day of week of *
		{"0 0 * * 0-6", day},
		{"0 0 * * 1-7/2", 2 * day},  // Monday, Wednesday, Friday and Sunday
		{"0 0 * * 5-7/2", 5 * day},  // Friday and Sunday, as Fugit and croniter read it too
		{"0 0 * * */3", 3 * day},    // Sunday, Wednesday and Saturday: every cron steps */n from 0
		{"0 0 1 10/3 *", 365 * day}, // October alone: a/n steps on to the field's end, 12
		{"0 0 28/2 2 *", 366 * day}, // the 28th of February, and the 30th in no February
		{"*/5 * * * *", 5 * time.Minute},
		{"0 0 31 * *", 61 * day}, // 31 July to 31 August is one month; 31 December to 31 January too; 31 May to 31 July two
	} {
		got, err := Period(tc.expr)
		if err != nil || got != tc.want {
			t.Errorf("Period(%q) = %v, %v; want %v", tc.expr, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "* * * *", "* * * * * *", "61 * * * *", "* 24 * * *", "5-3 * * * *", "*/0 * * * *", "0 0 31 2 *", "x * * * *", "0 0 * * FUNDAY",
		"0 0 1 * */2", "0 0 */2 * 1", // a day field stepping from * beside a restricted one: cron implementations part
		"0 0 1-31 * 1", "0 0 1 * 0-6", "0 0 1 * 1-7", "0 0 15 * SUN-SAT", // every day, but not *, beside a restricted one: likewise
		"0 0 * * 1/2",                // stepping from one day of week: GitLab runs it on Monday alone
		"+5 * * * *", "*/+2 * * * *", // a sign, which no cron reads
		"*/100 * * * *", "005 * * * *", "0 0 * * 07", // more digits than GitLab's cron reads
		"0 5-5 * * *", "0 0 1 3-3 *", "0 0 * * SUN-SUN", "0 0 * * 7-7", "0 0 * * 1-1/2", // one value for a range: croniter reads the whole field
		"59/15 * * * *", "0 23/2 * * *", "0 0 31/2 * *", "0 0 1 12/3 *"} { // a step from the field's last value: older croniter steps over the whole field

		if _, err := Period(bad); err == nil {
			t.Errorf("Period(%q) succeeded; want an error", bad)
		}
	}
}

func TestRuns(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := Parse("0 6 * * 2,3")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // a Monday
	var got []string
	for _, r := range cs.Runs(from, from.AddDate(0, 0, 14), ny) {
		got = append(got, r.UTC().Format("Mon 2006-01-02 15:04"))
	}
	// 06:00 in New York is 11:00 UTC until the clocks go forward on
	// Sunday 8 March, and 10:00 after.
	want := []string{"Tue 2026-03-03 11:00", "Wed 2026-03-04 11:00", "Tue 2026-03-10 10:00", "Wed 2026-03-11 10:00"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("Runs = %v, want %v", got, want)
	}
}

// TestSundayAsZero checks that a day of week of 7 is written 0, and that
// every other expression is left as written.
func TestSundayAsZero(t *testing.T) {
	for expr, want := range map[string]string{
		"0 6 * * 7":       "0 6 * * 0",
		"0 6 * * 0,7":     "0 6 * * 0",
		"0 6 * * 1-7":     "0 6 * * 0-6",
		"0 6 * * 5-7":     "0 6 * * 0,5-6",
		"0 6 1 * 3,7":     "0 6 1 * 0,3",
		"0 6 * * */1":     "0 6 * * */1",
		"0 6 * * */3,7":   "0 6 * * */3,0",
		"0 6 * * */2,5-7": "0 6 * * */2,0,5-6",
		"0 6 * * */2,6-7": "0 6 * * */2,0,6",
		"0 6 * * 5-7/2":   "0 6 * * 0,5",
		"0 6 * * 0-7/2":   "0 6 * * 0,2,4,6",
		"0 6 * * 0-7/3":   "0 6 * * 0,3,6",
		"0 6 * * 3-7/2":   "0 6 * * 0,3,5",
		"0 6 * * FRI-7":   "0 6 * * 0,5-6",
		"0 6 * * *":       "0 6 * * *",
		"0 6 * * 1-5":     "0 6 * * 1-5",
		"0 6 * * SUN":     "0 6 * * SUN",
		"0 6 * * */2":     "0 6 * * */2",
		"*/15 * * * 0-6":  "*/15 * * * 0-6",
	} {
		got := SundayAsZero(expr)
		if got != want {
			t.Errorf("SundayAsZero(%q) = %q, want %q", expr, got, want)
		}
		if dow := strings.Fields(got)[4]; namesSeven(strings.Split(dow, ",")) {
			t.Errorf("SundayAsZero(%q) = %q still names 7, which Snowflake refuses", expr, got)
		}
		a, errA := Period(expr)
		b, errB := Period(SundayAsZero(expr))
		if a != b || errA != nil || errB != nil {
			t.Errorf("%q runs every %v (%v), written again every %v (%v)", expr, a, errA, b, errB)
		}
	}
}

func TestSame(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"0 0 * * *", "0 0 * * *", true},
		{"0 6 * * 1-5", "0 6 * * MON-FRI", true},
		{"0 0 * * 0", "0 0 * * 7", true},   // Sunday twice
		{"0 0 * * 0", "0 0 * * SUN", true}, //
		{"*/15 * * * *", "0,15,30,45 * * * *", true},
		{"0 6 * * 1-5", "0 6 * * 1-6", false},
		{"0 0 1 * *", "0 0 1 * 1", false},    // the 1st, or the 1st and Mondays
		{"0 0 * * *", "0 0 1-31 * *", false}, // the same days, kept apart: a star is read differently
		{"not cron", "not cron", true},
		{"not cron", "0 0 * * *", false},
	} {
		if got := Same(c.a, c.b); got != c.same {
			t.Errorf("Same(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
}
