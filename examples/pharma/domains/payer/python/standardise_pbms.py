"""Report PBM spellings in the latest plan master release that the PBM name
mapping does not know yet.

The vendor spells PBMs freely ("CVS Caremark", "CAREMARK LLC", "Caremark
PCS"...). The managed markets data stewards keep PBM_NAME_MAP, which
maps each upper-cased spelling to one of our standard PBMs. New spellings
are added to the map as OTHER and listed in the job log, so that a steward
can classify them before the next month-end; the step fails only when new
spellings cover more than 1% of covered lives, which means a big plan would
be misreported.

The Snowflake connection comes from the environment the runner provides, in
the domain's schema (SNOWFLAKE_SCHEMA), where the mapping table is.
"""

import argparse
import os
import sys

import snowflake.connector

NEW_SPELLINGS = """
    SELECT UPPER(TRIM(pm.pbm_name)) AS spelling, SUM(pm.covered_lives) AS lives
    FROM RAW.MMIT.PLAN_MASTER AS pm
    LEFT JOIN {mapping} AS map ON UPPER(TRIM(pm.pbm_name)) = map.vendor_spelling
    WHERE pm.release_date = (SELECT MAX(release_date) FROM RAW.MMIT.PLAN_MASTER)
      AND pm.pbm_name IS NOT NULL
      AND map.vendor_spelling IS NULL
    GROUP BY 1
    ORDER BY lives DESC NULLS LAST
"""

TOTAL_LIVES = """
    SELECT SUM(covered_lives) FROM RAW.MMIT.PLAN_MASTER
    WHERE release_date = (SELECT MAX(release_date) FROM RAW.MMIT.PLAN_MASTER)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mapping", required=True, help="the PBM name mapping table, SCHEMA.TABLE")
    parser.add_argument("--max-unmapped-share", type=float, default=0.01)
    args = parser.parse_args()

    conn = snowflake.connector.connect(
        account=os.environ["SNOWFLAKE_ACCOUNT"],
        user=os.environ["SNOWFLAKE_USER"],
        role=os.environ["SNOWFLAKE_ROLE"],
        warehouse=os.environ["SNOWFLAKE_WAREHOUSE"],
        database=os.environ["SNOWFLAKE_DATABASE"],
        schema=os.environ["SNOWFLAKE_SCHEMA"],  # the domain's, with the environment's prefix
        private_key_file=os.environ["SNOWFLAKE_PRIVATE_KEY_PATH"],
    )
    try:
        cur = conn.cursor()
        new = cur.execute(NEW_SPELLINGS.format(mapping=args.mapping)).fetchall()
        total = cur.execute(TOTAL_LIVES).fetchone()[0] or 0
        for spelling, lives in new:
            print(f"new PBM spelling {spelling!r} ({lives or 0:,} lives): mapped to OTHER until a steward classifies it")
        if new:
            cur.executemany(
                f"INSERT INTO {args.mapping} (vendor_spelling, pbm, added_by) VALUES (%s, 'OTHER', 'standardise_pbms')",
                [(s,) for s, _ in new],
            )
        unmapped = sum(lives or 0 for _, lives in new)
        if total and unmapped / total > args.max_unmapped_share:
            print(f"{unmapped / total:.1%} of covered lives sit with unknown PBMs", file=sys.stderr)
            return 1
        return 0
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
