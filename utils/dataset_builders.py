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
