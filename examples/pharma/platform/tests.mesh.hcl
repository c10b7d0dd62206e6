# Test kinds the data platform team adds to the standard library, written
# like stdlib's (see meshc's stdlib/tests.mesh.hcl): the SQL returns the
# failing rows, and the test passes when it returns none.

test_kind "valid_npi" {
  description  = "The column holds well-formed National Provider Identifiers: ten digits starting with 1 or 2, the last being the Luhn check digit computed with the 80840 card-issuer prefix, as CMS assigns them."
  on           = "column"
  column_types = ["string"]

  # The 80840 prefix adds 24 to the Luhn sum; positions 1, 3, 5, 7 and 9 are
  # doubled, and the check digit in position 10 makes the total a multiple
  # of ten. TRY_TO_NUMBER rather than a cast: Snowflake may compute the
  # digits before it filters out the malformed values, whose letters would
  # then fail the query instead of being reported.
  sql = <<-SQL
    WITH npis AS (
      SELECT DISTINCT ${column} AS npi
      FROM ${table}
      WHERE ${column} IS NOT NULL
    ),
    digits AS (
      SELECT n.npi, p.value::INT AS pos, TRY_TO_NUMBER(SUBSTR(n.npi, p.value::INT, 1)) AS d
      FROM npis AS n, LATERAL FLATTEN(input => ARRAY_GENERATE_RANGE(1, 11)) AS p
      WHERE REGEXP_LIKE(n.npi, '[12][0-9]{9}')
    )
    SELECT npi FROM npis WHERE NOT REGEXP_LIKE(npi, '[12][0-9]{9}')
    UNION ALL
    SELECT npi
    FROM digits
    GROUP BY npi
    HAVING MOD(24 + SUM(IFF(pos IN (1, 3, 5, 7, 9), d * 2 - IFF(d >= 5, 9, 0), d)), 10) <> 0
  SQL
}
