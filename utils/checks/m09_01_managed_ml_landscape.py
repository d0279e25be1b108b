"""Checks for 09_cloud_ml/01_managed_ml_landscape: local work mapped onto managed services, a
monthly cost function, the break-even traffic, portable choices.

The checks receive the learner's answers, then what the notebook gave them (``LOCAL_WORK`` and
``CAPABILITIES``, the ``ASSUMPTIONS`` dict of prices, ``CHOICES``). Costs are recomputed from the
assumptions passed in, so the checks hold for any prices an instructor puts in the parameters
cell; the cost function is also called with other prices, to catch numbers read from globals.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..check_helpers import call_learner, expect_function, expect_number, near, type_name
from ..exercises import Exercise, expect, fail

NOTEBOOK = "09_cloud_ml/01_managed_ml_landscape"

ASSUMPTION_KEYS = ("instance_price_per_hour", "instances", "hours_per_month",
                   "serverless_price_per_second", "ms_per_request")
RTOL = 1e-6
CENT = 0.005  # a cost rounded to whole cents is still right


def _expect_assumptions(assumptions: object) -> dict:
    """The notebook's ASSUMPTIONS (an input, not the learner's answer): complete and numeric."""
    expect(isinstance(assumptions, Mapping) and all(k in assumptions for k in ASSUMPTION_KEYS),
           "`ASSUMPTIONS` lacks some of its keys: re-run the setup cell that defines it.")
    return {key: float(assumptions[key]) for key in ASSUMPTION_KEYS}


def _flat_monthly(a: Mapping) -> float:
    return a["instance_price_per_hour"] * a["instances"] * a["hours_per_month"]


def _price_per_request(a: Mapping) -> float:
    return a["ms_per_request"] / 1000 * a["serverless_price_per_second"]


# -- q1: local work -> managed capability --------------------------------------------------
MAPPING = {
    "tracked_run": "experiment tracking",
    "champion_alias": "model registry",
    "fastapi_app": "real-time endpoints",
    "nightly_scoring": "batch inference",
    "data_checks": "monitoring",
    "fit_script": "training jobs",
}
CONFUSIONS = {
    ("tracked_run", "model registry"): "a logged run records how a model was made (parameters, "
    "metrics, files); the registry is where versions get names and aliases. Which one is a run?",
    ("champion_alias", "experiment tracking"): "an alias says which version is in use: that is "
    "the registry's job, not the tracking store's.",
    ("fastapi_app", "serverless endpoints"): "the uvicorn process stays up between requests and "
    "the caller waits for each answer: which kind of endpoint keeps a server running?",
    ("fastapi_app", "asynchronous inference"): "the caller of /predict waits for the answer in "
    "the same request: that is not a queue.",
    ("nightly_scoring", "real-time endpoints"): "nobody waits on each customer's answer: a whole "
    "file is scored in one job, then the job ends. Which capability runs jobs over files?",
    ("nightly_scoring", "asynchronous inference"): "a whole file is scored in one job on a "
    "schedule, not request by request from a queue.",
    ("data_checks", "data storage"): "the checks do not keep data; they watch every new batch "
    "for values that drift or break expectations.",
    ("fit_script", "experiment tracking"): "the script does the fitting itself (on rented "
    "machines, that is a job); tracking only records what it did.",
}


def _check_q1(local_to_capability, local_work, capabilities) -> str:
    expect(isinstance(local_work, Mapping) and set(local_work) == set(MAPPING),
           "`LOCAL_WORK` is not the notebook's: re-run the cell that defines it.")
    capabilities = list(capabilities)
    if isinstance(local_to_capability, list | tuple | set):
        fail("`local_to_capability` should be a dict (key of LOCAL_WORK -> capability), not a "
             f"{type_name(local_to_capability)}.")
    expect(isinstance(local_to_capability, Mapping),
           "`local_to_capability` should be a dict (key of LOCAL_WORK -> capability), not a "
           f"{type_name(local_to_capability)}.")
    missing = [key for key in local_work if key not in local_to_capability]
    extra = [str(key) for key in local_to_capability if key not in local_work]
    if extra and set(extra) <= {str(v) for v in local_work.values()}:
        fail("use the keys of `LOCAL_WORK` (such as 'tracked_run'), not its descriptions.")
    expect(not extra, f"`local_to_capability` has key(s) that are not in LOCAL_WORK: "
                      f"{', '.join(map(repr, extra))}.")
    expect(not missing, f"`local_to_capability` lacks the key(s) "
                        f"{', '.join(map(repr, missing))}: give every piece a capability.")
    for key, value in local_to_capability.items():
        expect(isinstance(value, str), f"the value for {key!r} should be a capability name (a "
                                       f"string), not a {type_name(value)}.")
        if value not in capabilities:
            close = [c for c in capabilities if c.lower() == value.strip().lower()]
            fail(f"{value!r} (for {key!r}) is not one of `CAPABILITIES`"
                 + (": mind the spelling and case." if close else
                    ": copy the names exactly as the table's index lists them."))
    wrong = [key for key in MAPPING if local_to_capability[key] != MAPPING[key]]
    for key in wrong:
        reason = CONFUSIONS.get((key, local_to_capability[key]))
        if reason:
            fail(f"{key!r}: {reason}")
    expect(not wrong, f"{len(wrong)} of the {len(MAPPING)} pieces are mapped to the wrong "
                      f"capability ({', '.join(map(repr, wrong))}): for each, ask what it "
                      "does and when it runs, then find that row of the table.")
    return "every piece of the local workflow has its managed counterpart."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Read each description in LOCAL_WORK and find the row of `landscape` whose first "
        "column names the same thing you ran locally.",
        "A run belongs to tracking, an alias to the registry. The nightly job scores a whole "
        "file and ends: that is not an endpoint that waits for requests.",
        "Six keys, six different capabilities: tracking, registry, real-time endpoints, batch "
        "inference, monitoring (the data checks) and training jobs (the fit script).",
    ],
)


# -- q2: monthly cost of always-on and serverless endpoints -------------------------------
TRAFFIC = (0, 10_000, 2_000_000, 300_000_000)


def _other_prices(a: Mapping) -> dict:
    """Another price set, to catch numbers taken from the notebook's globals."""
    return {"instance_price_per_hour": a["instance_price_per_hour"] * 1.7 + 0.05,
            "instances": a["instances"] + 1,
            "hours_per_month": a["hours_per_month"],
            "serverless_price_per_second": a["serverless_price_per_second"] * 2.5,
            "ms_per_request": a["ms_per_request"] * 0.6 + 7}


def _costs(result: object, call: str) -> tuple[float, float]:
    expect(isinstance(result, Mapping),
           f"`{call}` returned a {type_name(result)}; return a dict with the keys "
           "'always_on' and 'serverless'.")
    keys = {"always_on", "serverless"}
    expect(set(result) == keys, f"`{call}` returned the keys "
                                f"{sorted(map(str, result))}; use exactly 'always_on' and "
                                "'serverless'.")
    return (expect_number(result["always_on"], f"{call}['always_on']"),
            expect_number(result["serverless"], f"{call}['serverless']"))


def _diagnose_always_on(got: float, n: int, a: Mapping, base: Mapping, call: str) -> None:
    right = _flat_monthly(a)
    if near(got, right, rtol=RTOL, atol=CENT):
        return
    busy_hours = n * a["ms_per_request"] / 1000 / 3600
    busy = a["instance_price_per_hour"] * a["instances"] * busy_hours
    if got == 0 or near(got, busy, rtol=RTOL) or near(got, busy / a["instances"], rtol=RTOL):
        fail(f"`{call}['always_on']` depends on the traffic: you forgot the idle time. A "
             "real-time endpoint bills every instance for every hour it is deployed, busy or "
             "not.")
    if near(got, right * 3600, rtol=RTOL) or near(got, right / 3600, rtol=RTOL):
        fail(f"`{call}['always_on']` is off by a factor of 3600: hours and seconds are mixed "
             "up. The price is per hour, and the month has `hours_per_month` hours.")
    if a["instances"] != 1 and near(got, right / a["instances"], rtol=RTOL):
        fail(f"`{call}['always_on']` is the cost of one instance: multiply by "
             "`assumptions['instances']`.")
    per_hour = a["instance_price_per_hour"] * a["instances"]
    if any(near(got, per_hour * hours, rtol=RTOL, atol=CENT) for hours in (720, 744, 24 * 365)):
        fail(f"`{call}['always_on']` uses a month of its own: take the month's hours from "
             "`assumptions['hours_per_month']` (what the price lists use).")
    if a is not base and near(got, _flat_monthly(base), rtol=RTOL):
        fail("`monthly_costs` ignores the prices it is given: with other `assumptions` it "
             "returns the same always-on cost. Read every number from `assumptions`, not from "
             "the notebook's variables.")
    fail(f"`{call}['always_on']` does not match the check's computation: price per hour x "
         "instances x hours per month.")


def _diagnose_serverless(got: float, n: int, a: Mapping, base: Mapping, call: str) -> None:
    right = n * _price_per_request(a)
    if near(got, right, rtol=RTOL, atol=CENT):
        return
    if n == 0:
        fail(f"`{call}['serverless']` is not 0: without requests, serverless inference bills "
             "nothing (that is its point).")
    if near(got, right * 1000, rtol=RTOL):
        fail(f"`{call}['serverless']` is 1000 times too large: `ms_per_request` is in "
             "milliseconds, the price is per second.")
    if near(got, right * 3600, rtol=RTOL) or near(got, right / 3600, rtol=RTOL):
        fail(f"`{call}['serverless']` is off by a factor of 3600: hours and seconds are mixed "
             "up. The serverless price is per second of request time.")
    if a["instances"] != 1 and near(got, right * a["instances"], rtol=RTOL):
        fail(f"`{call}['serverless']` is multiplied by the instances: a serverless endpoint "
             "has no instances of yours; each request is billed once.")
    if a is not base and near(got, n * _price_per_request(base), rtol=RTOL, atol=1e-12):
        fail("`monthly_costs` ignores the prices it is given: with other `assumptions` it "
             "returns the same serverless cost. Read every number from `assumptions`.")
    fail(f"`{call}['serverless']` does not match the check's computation: requests x seconds "
         "billed per request x price per second.")


def _check_q2(monthly_costs, assumptions) -> str:
    expect_function(monthly_costs, "monthly_costs")
    base = _expect_assumptions(assumptions)
    for prices in (base, _other_prices(base)):
        for n in TRAFFIC:
            call = f"monthly_costs({n:_}, assumptions)"
            result = call_learner(monthly_costs, n, dict(prices), call=call)
            always_on, serverless = _costs(result, call)
            _diagnose_always_on(always_on, n, prices, base, call)
            _diagnose_serverless(serverless, n, prices, base, call)
    return (f"right for {len(TRAFFIC)} traffic levels and two price sets; always-on is flat, "
            "serverless grows with the traffic.")


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Always-on does not depend on `requests_per_month` at all: the instances are billed "
        "for every hour of the month.",
        "Serverless: requests x (ms_per_request / 1000) seconds x serverless_price_per_second.",
        "`always_on = a['instance_price_per_hour'] * a['instances'] * a['hours_per_month']`; "
        "return `{'always_on': always_on, 'serverless': serverless}`.",
    ],
)


# -- q3: the break-even traffic -------------------------------------------------------------
def _check_q3(break_even_requests, assumptions) -> str:
    a = _expect_assumptions(assumptions)
    value = expect_number(break_even_requests, "break_even_requests")
    right = _flat_monthly(a) / _price_per_request(a)
    if near(value, right, rtol=RTOL):
        per_second = right / (a["hours_per_month"] * 3600)
        return f"that is about {per_second:.1f} requests per second on average."
    seconds, hours = a["hours_per_month"] * 3600, a["hours_per_month"]
    units = {"per second": right / seconds, "per hour": right / hours,
             "per day": right / (hours / 24)}
    for unit, other in units.items():
        if near(value, other, rtol=RTOL):
            fail(f"`break_even_requests` is the traffic {unit}; the task asks for requests "
                 "per MONTH (the unit of `monthly_costs`).")
    if near(value, right * 1000, rtol=RTOL) or near(value, right / 1000, rtol=RTOL):
        fail("`break_even_requests` is off by a factor of 1000: `ms_per_request` is in "
             "milliseconds and the price is per second.")
    if a["instances"] != 1 and near(value, right / a["instances"], rtol=RTOL):
        fail("`break_even_requests` is the break-even against ONE instance; the always-on "
             "endpoint runs `instances` of them.")
    if near(value, right, rtol=0.05):
        fail("`break_even_requests` is close but not exact: a grid point of the figure, or a "
             "rounded value? Solve the equation: flat monthly price = traffic x price of one "
             "request.")
    fail("`break_even_requests` does not match: it is the traffic at which requests x price "
         "of one request equals the flat monthly price of the instances.")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "At the break-even, always-on cost = serverless cost. Only the serverless side depends "
        "on the traffic.",
        "The price of one request is MS_PER_REQUEST / 1000 x SERVERLESS_PRICE_PER_SECOND; the "
        "flat price is INSTANCE_PRICE_PER_HOUR x INSTANCES x HOURS_PER_MONTH.",
        "`break_even_requests = flat / per_request`, with the two quantities of hint 2.",
    ],
)


# -- q4: which choices stay portable ---------------------------------------------------------
PORTABLE = frozenset({"onnx_file", "mlflow_models", "own_container"})


def _check_q4(portable, choices) -> str:
    expect(isinstance(choices, Mapping) and set(choices) >= PORTABLE,
           "`CHOICES` is not the notebook's: re-run the cell that defines it.")
    if isinstance(portable, Mapping):
        fail("`portable` is a dict; it should be a set of the keys of the portable choices, "
             "e.g. `{'key_a', 'key_b'}`.")
    if isinstance(portable, str):
        fail("`portable` is one string; put the keys in a set: `{'key_a', 'key_b'}`.")
    expect(isinstance(portable, set | frozenset | list | tuple),
           f"`portable` should be a set of keys of CHOICES, not a {type_name(portable)}.")
    expect(all(isinstance(key, str) for key in portable),
           "`portable` should hold keys of CHOICES (strings).")
    portable = set(portable)
    expect(portable, "`portable` is empty: some of the choices do travel to another provider.")
    unknown = [str(key) for key in portable if key not in choices]
    if unknown and set(unknown) <= {str(v) for v in choices.values()}:
        fail("use the keys of `CHOICES` (such as 'onnx_file'), not their descriptions.")
    expect(not unknown, f"{', '.join(map(repr, unknown))} is not a key of CHOICES.")
    tied = portable - PORTABLE
    if tied:
        fail(f"{len(tied)} of your choices ({', '.join(sorted(tied))}) only work through one "
             "provider's own API or service: another provider has another one, so the work "
             "is rewritten when you move.")
    if "own_container" not in portable:
        fail("a container image is missing from `portable`: every platform runs your own "
             "image; only the port and routes are configured differently.")
    missing = PORTABLE - portable
    expect(not missing, f"{len(missing)} portable choice(s) are missing: an open format or "
                        "open-source tool that runs anywhere (or that the platforms host for "
                        "you) travels with you.")
    return "the model and its serving code stay yours."


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "For each choice, ask: if we moved to another provider tomorrow, would this work "
        "unchanged, or be rewritten against the new provider's API?",
        "Open formats and open-source tools (a model file, a tracking library, a container "
        "image) travel; services configured through one provider's API do not.",
        "Three of the seven are portable: the ONNX file, MLflow, and your own container.",
    ],
)
