"""Validate the NPIs of the staged AMA release before they are merged.

An NPI is ten digits, starting with 1 or 2, whose last digit is a Luhn check
digit computed over the nine others with the card-issuer prefix 80840 (CMS,
"NPI check digit", 2009). Rows that fail go to a rejects table that the
physician MDM data stewards work through with the AMA licensee; they are not
merged into the golden record.

The connection comes from the environment the runner provides
(SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER, SNOWFLAKE_ROLE, SNOWFLAKE_WAREHOUSE,
SNOWFLAKE_DATABASE, SNOWFLAKE_SCHEMA and key-pair authentication); nothing is
hard-coded, and the tables it is given are the domain's, in that schema.
"""

import argparse
import os
import sys

import snowflake.connector


def luhn_ok(npi: str) -> bool:
    if len(npi) != 10 or not npi.isdigit() or npi[0] not in "12":
        return False
    total = 24  # the 80840 prefix's contribution
    for i, ch in enumerate(reversed(npi[:9])):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", required=True, help="staged physicians, SCHEMA.TABLE")
    parser.add_argument("--rejects", required=True, help="rejects table, SCHEMA.TABLE")
    parser.add_argument("--max-reject-rate", type=float, default=0.005,
                        help="fail the step when more than this share of NPIs is invalid")
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
        cur.execute(f"SELECT ama_me_number, npi FROM {args.table} WHERE npi IS NOT NULL")
        rows = cur.fetchall()
        rejects = [(me, npi, "check digit or format") for me, npi in rows if not luhn_ok(npi)]

        cur.execute(
            f"CREATE OR REPLACE TRANSIENT TABLE {args.rejects} "
            "(ama_me_number STRING, npi STRING, reason STRING, rejected_at TIMESTAMP_NTZ DEFAULT SYSDATE())"
        )
        if rejects:
            cur.executemany(
                f"INSERT INTO {args.rejects} (ama_me_number, npi, reason) VALUES (%s, %s, %s)",
                rejects,
            )

        rate = len(rejects) / max(len(rows), 1)
        print(f"validated {len(rows)} NPIs, rejected {len(rejects)} ({rate:.3%})")
        if rate > args.max_reject_rate:
            print(f"reject rate above {args.max_reject_rate:.3%}: is this the right AMA file?", file=sys.stderr)
            return 1
        return 0
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
