# The standard data tests. Each test kind renders to one Snowflake SQL query
# that returns the failing rows: the test passes when the query returns no
# row. Every target runs the same query, so a test means the same thing on
# GitLab, Airflow and Snowflake.
#
# In the sql template, ${table} is the tested table or view and ${column}
# the tested column, both already quoted as Snowflake identifiers, and each
# parameter is already rendered as SQL: strings as quoted literals, numbers
# and durations (in seconds) as numbers, ports as quoted table names, columns
# as quoted identifiers, and sql parameters as written.

test_kind "not_null" {
  description = "The column holds no NULL; a variant column, no JSON null either, for which IS NULL is false."
  on          = "column"
  sql         = "SELECT * FROM ${table} WHERE ${column} IS NULL%{if column_type == "variant"} OR IS_NULL_VALUE(${column})%{endif}"
}

test_kind "unique" {
  description = "No two rows share a non-NULL value of the column."
  on          = "column"
  sql         = <<-SQL
    SELECT ${column}, COUNT(*) AS occurrences
    FROM ${table}
    WHERE ${column} IS NOT NULL
    GROUP BY ${column}
    HAVING COUNT(*) > 1
  SQL
}

test_kind "accepted_values" {
  description = "Every non-NULL value of the column is one of the given values."
  on          = "column"

  param "values" {
    type        = list(string)
    description = "The accepted values."
  }

  sql = "SELECT * FROM ${table} WHERE ${column} NOT IN (${join(", ", values)})"
}

test_kind "relationships" {
  description = "Every non-NULL value of the column exists in a column of another port (a foreign key)."
  on          = "column"

  param "to" {
    type        = port
    description = "The port holding the referenced values."
  }
  param "field" {
    type        = column
    of          = "to"
    description = "The referenced column of that port."
  }

  # NOT EXISTS rather than a join, so that a parent value present twice does
  # not repeat the failing rows.
  sql = <<-SQL
    SELECT child.*
    FROM ${table} AS child
    WHERE child.${column} IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM ${to} AS parent WHERE parent.${field} = child.${column})
  SQL
}

test_kind "row_count" {
  description = "The table holds at least min rows and, when max is given, at most max."
  on          = "port"

  param "min" {
    type        = number
    description = "The least number of rows."
  }
  param "max" {
    type        = number
    optional    = true
    description = "The greatest number of rows."
  }

  sql = <<-SQL
    SELECT COUNT(*) AS row_count
    FROM ${table}
    HAVING COUNT(*) < ${min}%{if max != null} OR COUNT(*) > ${max}%{endif}
  SQL
}

test_kind "freshness" {
  description  = "The newest value of the column is at most max_age old."
  on           = "column"
  column_types = ["date", "timestamp_ntz", "timestamp_ltz", "timestamp_tz"]

  param "max_age" {
    type        = duration
    description = "The greatest accepted age, such as \"36h\" or \"7d\"."
  }

  # TIMESTAMP_NTZ columns are compared with the UTC wall clock (SYSDATE),
  # the others with the session's current time.
  sql = <<-SQL
    SELECT MAX(${column}) AS newest
    FROM ${table}
    HAVING MAX(${column}) IS NULL
        OR MAX(${column}) < DATEADD(second, -${max_age}, %{if column_type == "timestamp_ntz"}SYSDATE()%{else}CURRENT_TIMESTAMP()%{endif})
  SQL
}

test_kind "expression" {
  description = "A boolean SQL expression holds for every row; rows where it is false are failures."
  on          = "port"

  param "condition" {
    type        = sql
    description = "A boolean SQL expression over the port's columns, such as \"amount >= 0\"."
  }

  sql = "SELECT * FROM ${table} WHERE NOT (${condition})"
}

test_kind "custom_sql" {
  description = "A SQL query written by the team; the rows it returns are the failures."
  on          = "product"

  param "query" {
    type        = sql
    description = "A SELECT statement that returns the failing rows."
  }

  sql = "${query}"
}
