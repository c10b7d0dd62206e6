"""Segment prescribers for each of our brands: a Snowpark handler.

Runs inside Snowflake through the platform's snowpark runner, so that
prescriber-level prescribing never leaves the account. For each brand, it
takes the last 13 weeks of prescriptions in the brand's market, computes
each prescriber's market volume, brand share and trend, and assigns one of
five segments. Rule-based segments for the clear cases, k-means for the
splitters and growers, so that the segments stay explainable to the field.
"""

import pandas as pd
from sklearn.cluster import KMeans
from snowflake.snowpark import Session
from snowflake.snowpark import functions as F

MODEL_VERSION = "kmeans-13w-2026.09"
OUR_BRANDS = {"ZENTIVRA": "NSCLC_2L", "CARDELTA": "HEART_FAILURE"}


def features(session: Session, brand: str, market: str) -> pd.DataFrame:
    rx = session.table("SALES_WH.FACT_RX_WEEKLY")
    last = rx.select(F.max("WEEK_ENDING_DATE")).collect()[0][0]
    recent = rx.filter((F.col("MARKET") == market) & (F.col("WEEK_ENDING_DATE") > F.dateadd("week", F.lit(-13), F.lit(last))))
    recent = recent.with_column("IS_BRAND", F.col("BRAND_NAME") == brand)
    recent = recent.with_column("LATE", F.col("WEEK_ENDING_DATE") > F.dateadd("week", F.lit(-6), F.lit(last)))
    agg = recent.group_by("PRESCRIBER_NPI").agg(
        F.sum("TRX").alias("MARKET_TRX"),
        F.sum(F.iff(F.col("IS_BRAND"), F.col("TRX"), F.lit(0))).alias("BRAND_TRX"),
        F.sum(F.iff(F.col("LATE"), F.col("TRX"), F.lit(0))).alias("LATE_TRX"),
        F.sum(F.iff(F.col("LATE"), F.lit(0), F.col("TRX"))).alias("EARLY_TRX"),
    )
    dim = session.table("SALES_WH.DIM_PRESCRIBER").filter(~F.col("PDRP_OPT_OUT"))
    joined = agg.join(dim, agg["PRESCRIBER_NPI"] == dim["NPI"])
    return joined.select("NPI", "MARKET_TRX", "BRAND_TRX", "LATE_TRX", "EARLY_TRX").to_pandas()


def segment(df: pd.DataFrame) -> pd.DataFrame:
    df["BRAND_SHARE_13W"] = (df["BRAND_TRX"] / df["MARKET_TRX"]).fillna(0).clip(0, 1)
    df["MARKET_TRX_DECILE"] = pd.qcut(df["MARKET_TRX"].rank(method="first"), 10, labels=False) + 1
    df["GROWTH"] = (df["LATE_TRX"] - df["EARLY_TRX"]) / df["EARLY_TRX"].where(df["EARLY_TRX"] > 0, 1)

    df["SEGMENT"] = None
    df.loc[df["LATE_TRX"] == 0, "SEGMENT"] = "LAPSED"
    df.loc[df["SEGMENT"].isna() & (df["BRAND_SHARE_13W"] >= 0.7), "SEGMENT"] = "LOYALIST"
    df.loc[df["SEGMENT"].isna() & (df["BRAND_SHARE_13W"] == 0), "SEGMENT"] = "COMPETITOR_LOYAL"

    rest = df["SEGMENT"].isna()
    if rest.sum() >= 2:
        model = KMeans(n_clusters=2, n_init=10, random_state=42)
        labels = model.fit_predict(df.loc[rest, ["BRAND_SHARE_13W", "GROWTH"]])
        growing = model.cluster_centers_[:, 1].argmax()
        df.loc[rest, "SEGMENT"] = ["GROWER" if l == growing else "SPLITTER" for l in labels]
    df["SEGMENT"] = df["SEGMENT"].fillna("SPLITTER")
    return df


def main(session: Session) -> str:
    frames = []
    for brand, market in OUR_BRANDS.items():
        df = segment(features(session, brand, market))
        df["BRAND_NAME"] = brand
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    out["MODEL_VERSION"] = MODEL_VERSION
    result = session.create_dataframe(
        out[["NPI", "BRAND_NAME", "SEGMENT", "MARKET_TRX_DECILE", "BRAND_SHARE_13W", "MODEL_VERSION"]]
    ).with_column("SCORED_AT", F.sysdate())
    result.write.mode("overwrite").save_as_table("HCP_SEGMENTS")
    return f"scored {len(out)} prescriber-brand pairs with {MODEL_VERSION}"
