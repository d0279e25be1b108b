"""Seeded generators of the course's own datasets. Each dataset has a data card in datasets/."""

from __future__ import annotations

import numpy as np
import pandas as pd

CHURN_SEED = 20261127


def build_churn(n_customers: int = 2000, seed: int = CHURN_SEED) -> pd.DataFrame:
    """Customers of a fictional subscription service, one row each, with planted defects.

    Churn is driven by short tenure, month-to-month contracts, many support calls and high
    charges, so a model has something real to learn. Planted defects (see datasets/churn.md):
    missing ``monthly_charges`` (about 3%), region spelled in mixed case, and 12 duplicated
    rows.
    """
    rng = np.random.default_rng(seed)
    n = n_customers
    contract = rng.choice(["month-to-month", "one-year", "two-year"], size=n, p=[0.55, 0.25, 0.2])
    tenure = np.where(
        contract == "month-to-month", rng.gamma(2.0, 8.0, n), rng.gamma(4.0, 9.0, n)
    ).round().clip(1, 72).astype(int)
    monthly = (rng.normal(65, 20, n) + 10 * (contract == "month-to-month")).clip(15, 130)
    support_calls = rng.poisson(1.2 + 1.5 * (monthly > 90), n)
    region = rng.choice(["north", "south", "east", "west"], size=n)
    signup = pd.Timestamp("2026-06-30") - pd.to_timedelta(tenure * 30, unit="D")
    logit = (
        -1.6
        + 1.3 * (contract == "month-to-month")
        - 0.9 * (contract == "two-year")
        - 0.045 * tenure
        + 0.45 * support_calls
        + 0.02 * (monthly - 65)
    )
    churned = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(1, n + 1)],
            "signup_date": signup.strftime("%Y-%m-%d"),
            "region": region,
            "contract": contract,
            "tenure_months": tenure,
            "monthly_charges": monthly.round(2),
            "support_calls": support_calls,
            "churned": churned.astype(int),
        }
    )
    # Planted defects, documented in the data card.
    missing = rng.choice(n, size=int(0.03 * n), replace=False)
    frame.loc[missing, "monthly_charges"] = np.nan
    shouting = rng.choice(n, size=int(0.05 * n), replace=False)
    frame.loc[shouting, "region"] = frame.loc[shouting, "region"].str.upper()
    duplicates = frame.iloc[rng.choice(n, size=12, replace=False)]
    frame = pd.concat([frame, duplicates], ignore_index=True)
    return frame


FRAUD_SEED = 20261128
MERCHANT_CATEGORIES = ("grocery", "fuel", "restaurant", "online_retail", "electronics", "travel")


def build_fraud(n_transactions: int = 10_000, seed: int = FRAUD_SEED,
                fraud_rate: float = 0.03) -> pd.DataFrame:
    """Card transactions of a fictional bank, one row each; about 3% are fraudulent.

    Each row's label is drawn first; then its features come from the legitimate or the
    fraudulent distribution, which overlap: fraud is more often online or in electronics,
    card-not-present, at night, larger, farther from home, in a burst of transactions and on
    young accounts, but every one of those also happens in honest transactions. A model can
    rank transactions well (ROC AUC about 0.95) but not separate them cleanly (see
    datasets/fraud.md).
    """
    rng = np.random.default_rng(seed)
    n = n_transactions
    fraud = rng.random(n) < fraud_rate
    categories = np.array(MERCHANT_CATEGORIES)
    category = np.where(
        fraud,
        rng.choice(categories, n, p=[0.08, 0.07, 0.05, 0.38, 0.27, 0.15]),
        rng.choice(categories, n, p=[0.32, 0.15, 0.20, 0.20, 0.07, 0.06]),
    )
    online = category == "online_retail"
    card_present = np.where(online, 0, rng.random(n) < np.where(fraud, 0.45, 0.88)).astype(int)
    amount = np.exp(rng.normal(np.where(fraud, 4.1, 3.4), 0.95, n)
                    + 0.7 * np.isin(category, ["electronics", "travel"]))
    hour_legit = rng.normal(14, 4, n)
    hour_fraud = np.where(rng.random(n) < 0.45, rng.normal(3, 2, n), rng.normal(14, 5, n))
    hour = (np.round(np.where(fraud, hour_fraud, hour_legit)) % 24).astype(int)
    distance = rng.lognormal(np.where(fraud, 2.4, 1.5), 1.1, n)
    recent = rng.poisson(np.where(fraud, 3.5, 2.0), n)
    age = np.where(fraud, rng.exponential(700, n), rng.uniform(30, 3650, n))
    return pd.DataFrame(
        {
            "amount": amount.round(2),
            "hour": hour,
            "merchant_category": category,
            "card_present": card_present,
            "distance_km": distance.round(1),
            "tx_last_24h": recent,
            "account_age_days": age.clip(1, 3650).astype(int),
            "is_fraud": fraud.astype(int),
        }
    )
