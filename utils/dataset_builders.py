"""Seeded generators of the course's own datasets. Each dataset has a data card in datasets/."""

from __future__ import annotations

import re

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


# -- support_tickets: a text corpus ------------------------------------------------------------
TICKETS_SEED = 20261128

# What each team's tickets are about: one core sentence per ticket, drawn from its team's
# templates. Slots in braces are filled from TICKET_SLOTS. The teams share many words on
# purpose ("cancel", "charge", "app", "account", "router", "order"), so that no single word
# decides the team and word pairs (n-grams) carry part of the signal.
TICKET_TEMPLATES: dict[str, list[str]] = {
    "billing": [
        "I was charged twice for {month} and I need a refund for the second payment",
        "my bill for {month} is {amount}, much higher than usual, what is this extra charge",
        "the direct debit failed and now there is a late fee on my account",
        "please cancel the duplicate payment of {amount} taken on {day}",
        "why did the price of my {plan} go up without any notice",
        "I paid {amount} by card but the invoice still says unpaid",
        "can I get a copy of my invoice for {month}, I need it for my expenses",
        "you charged me for {extra} that I never ordered",
        "the refund you promised in {month} never reached my card",
        "my card was declined but the money left my bank account anyway",
        "I want to change the payment method from card to direct debit",
        "there is a charge of {amount} for roaming but I was at home the whole month",
        "the discount on my {plan} is not applied to this bill",
        "I am being billed for the {plan} but I switched to a cheaper plan in {month}",
    ],
    "technical": [
        "{app} keeps crashing on my {device} since the last update",
        "the stream buffers every few minutes even though my internet is fast",
        "no signal at home since {day}, calls drop after a few seconds",
        "mobile data is extremely slow in the evening, pages take ages to load",
        "I get error code {code} when I try to play anything",
        "the router restarts by itself several times a day and the wifi disappears",
        "video quality drops to very blurry on the {device} but not on my phone",
        "{app} is not working, it freezes on the loading screen",
        "sound and picture are out of sync on the {device}",
        "I cannot connect the {device} to the wifi, it says authentication failed",
        "the app logs me out every time I open it and then shows a blank page",
        "downloads stop at 99 percent and never finish",
        "the internet connection drops every night around {time}",
        "my {device} says no service even with full bars",
    ],
    "account": [
        "I forgot my password and the reset email never arrives",
        "please change the email address on my account to my new one",
        "I moved house, how do I update my address on the account",
        "I am locked out of my account after too many login attempts",
        "can I add my {relative} to the {plan} as a second user",
        "I want to change the name on the account after getting married",
        "the two factor code is sent to my old phone number",
        "how do I remove a device from my account, I sold my old {device}",
        "someone else seems to be using my account, I see logins from {city}",
        "I would like to upgrade to the {plan}, what do I need to do",
        "please merge my two accounts, I have one under each email",
        "I cannot log in to the app although my password is correct",
        "where can I download all the data you hold about me",
        "I want to pause my subscription for two months while I travel, not cancel it",
    ],
    "cancellation": [
        "I want to cancel my subscription at the end of this month",
        "please close my account, I am moving to {competitor}",
        "how much notice do I have to give to end my contract",
        "I would like to terminate the {plan}, it is too expensive for me",
        "will I be charged a fee if I cancel before the contract ends",
        "I am leaving, please do not renew my contract in {month}",
        "cancel everything please, I no longer need the service",
        "I found a better deal with {competitor}, how do I leave",
        "my {relative} passed away, I need to cancel the account in their name",
        "I tried to cancel online but the cancel button does nothing",
        "stop my subscription, I have not used it for months",
        "I want to end my contract early because the coverage is so bad",
        "confirm that my account is closed and that no more payments will be taken",
        "I cancelled last month but you still took a payment, I want out",
    ],
    "delivery": [
        "my order {order} has not arrived yet, it was due on {day}",
        "the new router was delivered to the wrong address",
        "the SIM card never came in the post, order {order}",
        "the parcel arrived damaged and the {device} does not turn on",
        "tracking for order {order} has not moved for a week",
        "I was not at home and the courier took the parcel back, can you send it again",
        "I received the wrong {device}, I ordered a different model",
        "please cancel my order {order}, I do not need the router any more",
        "when will the replacement {device} be shipped",
        "the box arrived but the charger and cable were missing",
        "I need to return the old router, where do I send it",
        "my delivery was marked as delivered but nothing came",
        "can I change the delivery address for order {order}",
        "the courier left the package outside in the rain",
    ],
}

# Sentences any team's customer may add: context, urgency, politeness. They carry no label.
TICKET_FILLERS = [
    "I have been a customer for {years} years.",
    "This is the third time I contact you about this.",
    "Please help, it is urgent.",
    "I already tried turning it off and on again.",
    "Nobody answered my last email.",
    "I called yesterday but waited 40 minutes on hold.",
    "Thanks in advance for your help.",
    "Very disappointed with the service lately.",
    "My customer number is {customer}.",
    "It happened again this morning.",
    "Let me know if you need more details.",
    "I am using the {plan}.",
]

TICKET_SLOTS: dict[str, list[str]] = {
    "month": ["January", "February", "March", "April", "May", "June"],
    "day": ["Monday", "Tuesday", "Friday", "the weekend", "the 3rd", "the 15th", "yesterday"],
    "amount": ["$12.99", "$23.50", "$47.00", "$89.90", "$15", "$120"],
    "plan": ["basic plan", "premium plan", "family plan", "unlimited data plan", "sports pack"],
    "extra": ["the sports pack", "a second SIM", "premium channels", "extra data"],
    "app": ["the app", "the TV app", "the streaming app", "the website"],
    "device": ["smart TV", "tablet", "laptop", "Android phone", "iPhone", "TV box"],
    "code": ["E102", "E431", "503", "NX-07", "4004"],
    "time": ["8pm", "midnight", "2am", "6pm"],
    "relative": ["wife", "husband", "son", "daughter", "mother", "father"],
    "city": ["Lisbon", "Toronto", "Lagos", "Manila", "Leeds"],
    "competitor": ["a competitor", "another provider", "the cheaper network"],
    "order": ["#48213", "#50377", "#51902", "#47725", "#52618"],
    "years": ["2", "3", "5", "10"],
    "customer": ["C00417", "C01288", "C00093", "C01754"],
}

# Paraphrases swapped in at random, so that the same request is not always worded the same.
TICKET_PARAPHRASES: dict[str, list[str]] = {
    "I want to": ["I would like to", "I need to", "I wish to"],
    "^please": ["could you please", "kindly", "can you"],  # only where it opens the sentence
    "my account": ["my profile", "the account"],
    "cancel": ["stop", "cancel"],
    "extremely": ["really", "very", "super"],
    "not working": ["broken", "not loading", "down"],
    "since": ["ever since", "since"],
    "the app": ["your app", "the mobile app"],
    "refund": ["refund", "reimbursement"],
    "router": ["router", "modem", "hub"],
    "invoice": ["invoice", "bill", "statement"],
}

TICKET_GREETINGS = ["Hi,", "Hello,", "Dear support,", "Hey", "Good morning,", ""]
TICKET_SIGNOFFS = ["Thanks", "Regards", "Best wishes", "Cheers", "thx", ""]
TICKET_SHORTHAND = {"please": "pls", "thanks": "thx", "you": "u", "because": "bc",
                    "message": "msg", "account": "acct"}
TICKET_SHARES = {"technical": 0.30, "billing": 0.26, "account": 0.18, "cancellation": 0.14,
                 "delivery": 0.12}


def _fill(template: str, rng: np.random.Generator) -> str:
    out = template
    for slot, values in TICKET_SLOTS.items():
        while "{" + slot + "}" in out:
            out = out.replace("{" + slot + "}", str(rng.choice(values)), 1)
    return out


def _paraphrase(sentence: str, rng: np.random.Generator) -> str:
    for phrase, options in TICKET_PARAPHRASES.items():
        pattern = ("^" if phrase.startswith("^") else r"\b") + re.escape(phrase.lstrip("^")) + r"\b"
        if re.search(pattern, sentence) and rng.random() < 0.5:
            sentence = re.sub(pattern, str(rng.choice(options)), sentence, count=1)
    return sentence


def _typo(word: str, rng: np.random.Generator) -> str:
    """One keyboard slip: two letters swapped, one dropped or one doubled."""
    if len(word) < 4 or not word.isalpha():
        return word
    i = int(rng.integers(1, len(word) - 1))
    kind = rng.integers(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == 1:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def build_support_tickets(n_tickets: int = 2400, seed: int = TICKETS_SEED) -> pd.DataFrame:
    """Customer-support tickets of the churn dataset's fictional service, labelled by team.

    Each ticket is a core sentence from its team's templates, often with a sentence borrowed
    from another team's templates (a customer with two problems, labelled by the first one),
    fillers, a greeting and a sign-off; chat messages are short and lower-case; about 3% of
    words carry a typo. See datasets/support_tickets.md.
    """
    rng = np.random.default_rng(seed)
    teams = list(TICKET_SHARES)
    labels = rng.choice(teams, size=n_tickets, p=list(TICKET_SHARES.values()))
    channels = rng.choice(["email", "chat", "app"], size=n_tickets, p=[0.45, 0.4, 0.15])
    start = pd.Timestamp("2026-01-01")
    seconds = np.sort(rng.integers(0, 181 * 24 * 3600, size=n_tickets))
    texts = []
    for team, channel in zip(labels, channels, strict=True):
        sentences = [_paraphrase(_fill(str(rng.choice(TICKET_TEMPLATES[team])), rng), rng)]
        connector = ""
        if rng.random() < 0.3:  # a second, lesser problem from another team
            other = str(rng.choice([t for t in teams if t != team]))
            sentences.append(_fill(str(rng.choice(TICKET_TEMPLATES[other])), rng))
            connector = str(rng.choice(["Also, ", "And ", "On top of that, "]))
        n_fillers = int(rng.integers(0, 3 if channel == "email" else 2))
        for filler in rng.choice(TICKET_FILLERS, size=n_fillers, replace=False):
            sentences.append(_fill(str(filler), rng))
        order = list(rng.permutation(len(sentences)))
        if rng.random() < 0.8:  # the main problem usually comes first
            order.remove(0)
            order.insert(0, 0)
        if connector and order[0] != 1:  # "Also, ..." only where the second problem follows
            sentences[1] = connector + sentences[1]
        body = ". ".join(s.rstrip(".") for s in (sentences[i] for i in order)) + "."
        if channel == "email":
            greeting = str(rng.choice(TICKET_GREETINGS))
            signoff = str(rng.choice(TICKET_SIGNOFFS))
            text = " ".join(part for part in (greeting, body, signoff) if part)
        else:
            text = body
        words = text.split(" ")
        for i, word in enumerate(words):
            roll = rng.random()
            if roll < 0.03:
                words[i] = _typo(word, rng)
            elif channel == "chat" and roll < 0.10 and word.lower() in TICKET_SHORTHAND:
                words[i] = TICKET_SHORTHAND[word.lower()]
        text = " ".join(words)
        if channel == "chat":
            text = text.lower().rstrip(".")
            if rng.random() < 0.3:
                text += str(rng.choice(["!!", "?", " asap", " :("]))
        elif rng.random() < 0.1:
            text = text.upper()  # an angry customer
        texts.append(text[0].upper() + text[1:] if channel != "chat" else text)
    return pd.DataFrame(
        {
            "ticket_id": [f"T{i:05d}" for i in range(1, n_tickets + 1)],
            "created_at": (start + pd.to_timedelta(seconds, unit="s")).strftime(
                "%Y-%m-%d %H:%M:%S"),
            "channel": channels,
            "text": texts,
            "team": labels,
        }
    )


# -- shop: raw exports of a small online shop, with planted defects (datasets/shop.md) -------

SHOP_SEED = 20261130
SHOP_START = pd.Timestamp("2026-10-01", tz="UTC")
SHOP_CATEGORIES = ("books", "clothing", "electronics", "garden", "toys")
SHOP_PRICES = {"books": (2.6, 0.4), "clothing": (3.4, 0.5), "electronics": (4.6, 0.7),
               "garden": (3.3, 0.6), "toys": (3.0, 0.5)}  # log-normal unit price per category
SHOP_CATEGORY_VARIANTS = {"books": ["Books", "BOOKS", " books"],
                          "clothing": ["Clothing", "clothing ", "CLOTHING"],
                          "electronics": ["Electronics", "ELECTRONICS", "electronics "],
                          "garden": ["Garden", "GARDEN", " garden"],
                          "toys": ["Toys", "TOYS", "toys "]}
SHOP_COUNTRIES = {"GB": 0.35, "DE": 0.25, "FR": 0.2, "NL": 0.12, "IE": 0.08}
SHOP_COUNTRY_VARIANTS = {"GB": ["UK", "U.K.", "united kingdom", "United Kingdom", "gb"],
                         "DE": ["Germany", "de"], "FR": ["France", "fr"],
                         "NL": ["Netherlands", "nl"], "IE": ["Ireland", "ie"]}
SHOP_QUANTITY_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
SHOP_MAX_AMOUNT = 5_000.0  # a valid order total is > 0 and at most this (see the data card)
# Planted defects of the committed raw files: name -> count (the data card lists each one).
SHOP_DEFECTS = {
    "customers_duplicate_lines": 6,
    "customers_country_variant": 30,
    "customers_country_missing": 8,
    "customers_email_missing": 10,
    "orders_exact_duplicates": 25,
    "orders_reexported": 15,
    "orders_amount_decimal_comma": 40,
    "orders_amount_na": 10,
    "orders_amount_empty": 12,
    "orders_quantity_text": 8,
    "orders_category_missing": 20,
    "orders_category_variant": 60,
    "orders_orphan_customer": 12,
    "orders_reject_negative_quantity": 5,
    "orders_reject_amount_out_of_range": 4,
    "orders_reject_unparseable_date": 3,
}


def _shop_timestamps(utc: pd.Series, style: np.ndarray) -> list[str]:
    """Write UTC times as the shop's systems do: 'Z' (utc), '+01:00' (local) or naive (UTC)."""
    z = utc.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    local = (utc + pd.Timedelta(hours=1)).dt.strftime("%Y-%m-%dT%H:%M:%S+01:00")
    naive = utc.dt.strftime("%Y-%m-%d %H:%M:%S")
    return list(np.where(style == "offset", local, np.where(style == "naive", naive, z)))


def _shop_orders(rng: np.random.Generator, n: int, n_days: int, customer_ids: np.ndarray,
                 first: int = 1) -> pd.DataFrame:
    """Clean orders (typed, UTC), sorted by time: the truth the raw exports are written from."""
    seconds = np.sort(rng.integers(0, n_days * 86_400, size=n))
    category = rng.choice(SHOP_CATEGORIES, size=n, p=[0.25, 0.25, 0.15, 0.15, 0.2])
    mean = np.array([SHOP_PRICES[c][0] for c in category])
    spread = np.array([SHOP_PRICES[c][1] for c in category])
    price = np.exp(rng.normal(mean, spread)).clip(1.0, 480.0)
    quantity = (rng.poisson(0.8, n) + 1).clip(1, 5)
    return pd.DataFrame({
        "order_id": [f"O{i:06d}" for i in range(first, first + n)],
        "customer_id": rng.choice(customer_ids, size=n),
        "ordered_at": SHOP_START + pd.to_timedelta(seconds, unit="s"),
        "category": category,
        "quantity": quantity,
        "amount": (price * quantity).round(2),
    })


def build_shop(n_customers: int = 400, n_orders: int = 2000, n_days: int = 28,
               seed: int = SHOP_SEED) -> dict[str, pd.DataFrame]:
    """Raw exports of a fictional online shop: customers (JSON lines) and orders (CSV).

    Returns ``{"customers": ..., "orders": ...}`` as frames of raw values (strings and
    ``None``), exactly as the exports hold them, with the defects of ``SHOP_DEFECTS`` planted
    on disjoint rows (datasets/shop.md lists each one and how a pipeline should treat it).
    """
    rng = np.random.default_rng(seed)
    d = SHOP_DEFECTS
    # Customers.
    ids = np.array([f"C{i:04d}" for i in range(1, n_customers + 1)])
    country = rng.choice(list(SHOP_COUNTRIES), size=n_customers, p=list(SHOP_COUNTRIES.values()))
    signup = SHOP_START - pd.to_timedelta(rng.integers(1, 3 * 365, size=n_customers), unit="D")
    customers = pd.DataFrame({
        "customer_id": ids,
        "email": [f"customer{i:04d}@example.com" for i in range(1, n_customers + 1)],
        "country": country.astype(object),
        "signup_date": signup.strftime("%Y-%m-%d"),
        "segment": rng.choice(["consumer", "business"], size=n_customers, p=[0.85, 0.15]),
    }).astype(object)
    rows = rng.permutation(n_customers)
    cuts = np.cumsum([d["customers_country_variant"], d["customers_country_missing"],
                      d["customers_email_missing"]])
    variant, no_country, no_email = np.split(rows[:cuts[-1]], cuts[:-1])
    customers.loc[variant, "country"] = [
        str(rng.choice(SHOP_COUNTRY_VARIANTS[c])) for c in customers.loc[variant, "country"]]
    customers.loc[no_country, "country"] = None
    customers.loc[no_email, "email"] = None
    repeated = np.sort(rng.choice(n_customers, size=d["customers_duplicate_lines"], replace=False))
    customers = pd.concat([customers, customers.iloc[repeated]]).sort_index(kind="stable")
    customers = customers.reset_index(drop=True)

    # Orders: the truth, then its raw export.
    truth = _shop_orders(rng, n_orders, n_days, ids)
    raw = truth.astype({"quantity": object, "amount": object, "category": object})
    raw["quantity"] = truth["quantity"].astype(str)
    raw["amount"] = truth["amount"].map(lambda x: f"{x:.2f}")
    style = rng.choice(["z", "offset", "naive"], size=n_orders, p=[0.75, 0.15, 0.10])
    raw["ordered_at"] = _shop_timestamps(truth["ordered_at"], style)
    export_day = truth["ordered_at"].dt.normalize() + pd.Timedelta(days=1, hours=2)
    raw["exported_at"] = export_day.dt.strftime("%Y-%m-%dT%H:%M:%SZ")

    names = ["orders_reject_unparseable_date", "orders_reject_negative_quantity",
             "orders_reject_amount_out_of_range", "orders_orphan_customer",
             "orders_quantity_text", "orders_amount_decimal_comma", "orders_amount_na",
             "orders_amount_empty", "orders_category_missing", "orders_category_variant",
             "orders_exact_duplicates", "orders_reexported"]
    rows = rng.permutation(n_orders)
    cuts = np.cumsum([d[name] for name in names])
    picked = dict(zip(names, np.split(rows[:cuts[-1]], cuts[:-1]), strict=False))
    bad_dates = ["31/10/2026 14:20", "not recorded", "2026-10-32T09:15:00Z"]
    raw.loc[picked["orders_reject_unparseable_date"], "ordered_at"] = bad_dates
    neg = picked["orders_reject_negative_quantity"]
    raw.loc[neg, "quantity"] = (-truth.loc[neg, "quantity"]).astype(str)
    huge = picked["orders_reject_amount_out_of_range"]
    raw.loc[huge, "amount"] = (truth.loc[huge, "amount"] * 1000 + 10_000).map(lambda x: f"{x:.2f}")
    raw.loc[picked["orders_orphan_customer"], "customer_id"] = [
        f"C{i:04d}" for i in range(9001, 9001 + d["orders_orphan_customer"])]
    text = picked["orders_quantity_text"]
    raw.loc[text, "quantity"] = truth.loc[text, "quantity"].map(SHOP_QUANTITY_WORDS)
    comma = picked["orders_amount_decimal_comma"]
    raw.loc[comma, "amount"] = raw.loc[comma, "amount"].str.replace(".", ",")
    raw.loc[picked["orders_amount_na"], "amount"] = "N/A"
    raw.loc[picked["orders_amount_empty"], "amount"] = None
    raw.loc[picked["orders_category_missing"], "category"] = None
    spelled = picked["orders_category_variant"]
    raw.loc[spelled, "category"] = [
        str(rng.choice(SHOP_CATEGORY_VARIANTS[c])) for c in truth.loc[spelled, "category"]]
    # Re-exports: the same order, exported again three days later, written differently
    # (amount with a decimal comma, time with the other notation); its values are unchanged.
    again = raw.loc[picked["orders_reexported"]].copy()
    again["exported_at"] = (export_day[again.index] + pd.Timedelta(days=3)).dt.strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    again["amount"] = again["amount"].str.replace(".", ",")
    flip = np.where(style[again.index] == "offset", "z", "offset")
    again["ordered_at"] = _shop_timestamps(truth.loc[again.index, "ordered_at"], flip)
    copies = raw.loc[picked["orders_exact_duplicates"]]
    orders = pd.concat([raw, copies, again])
    orders = orders.sort_values(["exported_at"], kind="stable").reset_index(drop=True)
    columns = ["order_id", "customer_id", "ordered_at", "category", "quantity", "amount",
               "exported_at"]
    return {"customers": customers, "orders": orders[columns]}


def write_shop_batches(folder, n_days: int = 14, orders_per_day: int = 150,
                       seed: int = SHOP_SEED + 1) -> pd.DataFrame:
    """Write the shop's daily order files into ``folder`` and return their delivery schedule.

    Each business day's orders (UTC) go to ``orders_<day>.csv``. The schedule (one row per
    delivery: ``run_date``, ``business_date``, ``file``, ``note``) says on which day the
    pipeline first sees each file: normally the morning after, but day 5 arrives two days late
    (after day 6), and day 2 is re-delivered with corrections on the last run date as
    ``orders_<day>_v2.csv`` (5 amounts corrected, 4 late orders added). Needs ``n_days >= 7``.
    """
    from pathlib import Path

    if n_days < 7:
        raise ValueError(f"n_days must be at least 7 for the late and re-delivered days "
                         f"(got {n_days}).")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    customer_ids = np.array([f"C{i:04d}" for i in range(1, 401)])
    orders = _shop_orders(rng, n_days * orders_per_day, n_days, customer_ids)
    day = orders["ordered_at"].dt.strftime("%Y-%m-%d")
    write = orders.assign(ordered_at=orders["ordered_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    days = sorted(day.unique())
    late, redelivered = days[4], days[1]
    schedule = []
    for i, business_date in enumerate(days):
        file = f"orders_{business_date}.csv"
        write[day == business_date].to_csv(folder / file, index=False, lineterminator="\n")
        arrives = i + 1 if business_date != late else i + 3
        note = "late: arrives after the next day's file" if business_date == late else "on time"
        schedule.append((arrives, business_date, file, note))
    # The re-delivery: the same day with corrected amounts and a few late orders added.
    v2 = write[day == redelivered].copy()
    fix = rng.choice(v2.index, size=5, replace=False)
    v2.loc[fix, "amount"] = (v2.loc[fix, "amount"] * 1.1).round(2)
    extra = _shop_orders(rng, 4, 1, customer_ids, first=len(orders) + 1)
    extra["ordered_at"] = (extra["ordered_at"] + pd.Timedelta(days=1)).dt.strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    v2 = pd.concat([v2, extra], ignore_index=True)
    v2.to_csv(folder / f"orders_{redelivered}_v2.csv", index=False, lineterminator="\n")
    schedule.append((n_days + 1, redelivered, f"orders_{redelivered}_v2.csv",
                     "re-delivery: corrects the earlier file of this day"))
    start = SHOP_START.tz_localize(None)
    frame = pd.DataFrame(schedule, columns=["run", "business_date", "file", "note"])
    frame.insert(0, "run_date", (start + pd.to_timedelta(frame.pop("run"), unit="D"))
                 .dt.strftime("%Y-%m-%d"))
    return frame.sort_values(["run_date", "business_date"], kind="stable").reset_index(drop=True)


def write_shop_large_orders(folder, n_rows: int = 1_000_000, seed: int = SHOP_SEED + 2):
    """Write ``orders_large.csv`` (clean orders, UTC) with ``n_rows`` rows; return its path.

    A file to read in chunks: one million rows is about 60 MB on disk.
    """
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    rng = np.random.default_rng(seed)
    seconds = np.sort(rng.integers(0, 365 * 86_400, size=n_rows))
    start = np.datetime64(SHOP_START.tz_localize(None), "s")
    category = rng.integers(0, len(SHOP_CATEGORIES), size=n_rows)
    mean = np.array([SHOP_PRICES[c][0] for c in SHOP_CATEGORIES])[category]
    spread = np.array([SHOP_PRICES[c][1] for c in SHOP_CATEGORIES])[category]
    quantity = (rng.poisson(0.8, n_rows) + 1).clip(1, 5)
    amount = (np.exp(rng.normal(mean, spread)).clip(1.0, 480.0) * quantity).round(2)
    number = pa.array(np.arange(1, n_rows + 1)).cast(pa.string())
    table = pa.table({
        "order_id": pa.compute.binary_join_element_wise(
            "O", pa.compute.utf8_lpad(number, 7, "0"), ""),
        "customer_id": pa.compute.binary_join_element_wise(
            "C", pa.compute.utf8_lpad(pa.array(rng.integers(1, 401, n_rows)).cast(pa.string()),
                                      4, "0"), ""),
        "ordered_at": pa.compute.binary_join_element_wise(
            pa.compute.strftime(pa.array(start + seconds.astype("timedelta64[s]")),
                                format="%Y-%m-%dT%H:%M:%S"), "Z", ""),
        "category": pa.DictionaryArray.from_arrays(
            pa.array(category.astype("int8")), pa.array(SHOP_CATEGORIES)).cast(pa.string()),
        "quantity": pa.array(quantity),
        "amount": pa.array(amount),
    })
    path = folder / "orders_large.csv"
    options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
    with open(path, "wb") as out:
        out.write((",".join(table.column_names) + "\n").encode())
        pa_csv.write_csv(table, out, options)
    return path
