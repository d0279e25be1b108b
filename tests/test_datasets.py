"""One loader for every dataset: bundled, packaged and the course's own checksummed files."""

import re
import shutil

import pandas as pd
import pytest

from utils import DatasetError, available, load_dataset, shop_files
from utils.dataset_builders import (
    SHOP_DEFECTS,
    build_shop,
    write_shop_batches,
    write_shop_large_orders,
)
from utils.datasets import build_all, expected_checksums
from utils.paths import DATASETS_DIR


@pytest.mark.parametrize("name", available())
def test_every_dataset_loads_as_a_non_empty_frame(name):
    frame = load_dataset(name)
    assert isinstance(frame, pd.DataFrame) and len(frame) > 100


def test_every_course_file_has_a_checksum_and_a_data_card():
    for file in expected_checksums():
        assert (DATASETS_DIR / file).exists()
        stem = file.split("/")[0] if "/" in file else file.removesuffix(".csv")
        card = DATASETS_DIR / f"{stem}.md"
        assert card.exists(), f"{file} has no data card"
        assert "Planted defects" in card.read_text()


def test_the_generators_rebuild_the_committed_files_byte_for_byte(tmp_path):
    assert build_all(tmp_path) == expected_checksums()


def test_churn_has_the_planted_defects_its_card_promises():
    churn = load_dataset("churn")
    assert churn.shape == (2012, 8)
    assert churn.drop_duplicates()["monthly_charges"].isna().sum() == 60
    assert churn.duplicated().sum() == 12
    assert churn["region"].str.isupper().any()
    assert pd.api.types.is_datetime64_any_dtype(churn["signup_date"])


def test_fraud_is_heavily_imbalanced_and_clean_as_its_card_promises():
    fraud = load_dataset("fraud")
    assert fraud.shape == (10_000, 8)
    assert fraud["is_fraud"].sum() == 289
    assert not fraud.isna().any().any()
    assert set(fraud["merchant_category"]) == {"grocery", "fuel", "restaurant", "online_retail",
                                               "electronics", "travel"}
    assert (fraud.loc[fraud["merchant_category"] == "online_retail", "card_present"] == 0).all()


@pytest.fixture
def copy_of_datasets(tmp_path):
    shutil.copytree(DATASETS_DIR, tmp_path, dirs_exist_ok=True)
    return tmp_path


def test_a_missing_file_is_named_in_the_error(copy_of_datasets):
    (copy_of_datasets / "churn.csv").unlink()
    with pytest.raises(DatasetError, match=r"churn\.csv is missing"):
        load_dataset("churn", folder=copy_of_datasets)


def test_a_corrupt_file_is_refused_by_its_checksum(copy_of_datasets):
    path = copy_of_datasets / "churn.csv"
    path.write_text(path.read_text().replace("north", "nroth", 1))
    with pytest.raises(DatasetError, match=r"churn\.csv is corrupt"):
        load_dataset("churn", folder=copy_of_datasets)


def test_an_unknown_name_lists_what_is_available():
    with pytest.raises(DatasetError, match="Available: .*penguins"):
        load_dataset("titanic")


# -- shop: raw exports with planted defects (module 06) ----------------------------------------

def _shop_raw():
    paths = shop_files()
    orders = pd.read_csv(paths.orders, dtype=str, keep_default_na=False, na_values=[""])
    customers = pd.read_json(paths.customers, lines=True, dtype=False)
    return customers, orders


def _measured_shop_defects():
    """Count every planted defect from the raw files, independently of the builder."""
    customers, orders = _shop_raw()
    unique_customers = customers.drop_duplicates()
    canonical = {"GB", "DE", "FR", "NL", "IE"}
    distinct = orders.drop_duplicates()
    latest = distinct.sort_values("exported_at").drop_duplicates("order_id", keep="last")
    first = distinct.drop_duplicates("order_id", keep="first")
    quantity = pd.to_numeric(latest["quantity"], errors="coerce")
    amount = pd.to_numeric(latest["amount"].str.replace(",", "."), errors="coerce")
    when = pd.to_datetime(latest["ordered_at"], format="ISO8601", utc=True, errors="coerce")
    category = first["category"]
    categories = {"books", "clothing", "electronics", "garden", "toys"}
    return {
        "customers_duplicate_lines": int(customers.duplicated().sum()),
        "customers_country_variant": int((~unique_customers["country"].isin(canonical)
                                          & unique_customers["country"].notna()).sum()),
        "customers_country_missing": int(unique_customers["country"].isna().sum()),
        "customers_email_missing": int(unique_customers["email"].isna().sum()),
        "orders_exact_duplicates": int(orders.duplicated().sum()),
        "orders_reexported": int(distinct["order_id"].duplicated().sum()),
        "orders_amount_decimal_comma": int(first["amount"].str.contains(",", na=False).sum()),
        "orders_amount_na": int((latest["amount"] == "N/A").sum()),
        "orders_amount_empty": int(latest["amount"].isna().sum()),
        "orders_quantity_text": int(quantity.isna().sum()),
        "orders_category_missing": int(category.isna().sum()),
        "orders_category_variant": int((~category.isin(categories) & category.notna()).sum()),
        "orders_orphan_customer": int((~latest["customer_id"].isin(
            unique_customers["customer_id"])).sum()),
        "orders_reject_negative_quantity": int((quantity < 0).sum()),
        "orders_reject_amount_out_of_range": int((amount > 5_000).sum()),
        "orders_reject_unparseable_date": int(when.isna().sum()),
    }


def test_shop_files_hold_exactly_the_planted_defects():
    assert _measured_shop_defects() == SHOP_DEFECTS
    customers, orders = _shop_raw()
    assert customers.shape == (406, 5) and orders.shape == (2040, 7)
    assert orders["order_id"].nunique() == 2000
    assert customers["customer_id"].nunique() == 400


def test_shop_card_lists_every_planted_defect_with_its_count():
    card = (DATASETS_DIR / "shop.md").read_text()
    table = card.split("**Planted defects.**")[1].split("\n\n")[1]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    counts = [int(re.search(r"\d+", row.split("|")[2]).group()) for row in rows[1:]]
    order = ["customers_duplicate_lines", "customers_country_variant",
             "customers_country_missing", "customers_email_missing", "orders_exact_duplicates",
             "orders_reexported", "orders_amount_decimal_comma", "orders_amount_na",
             "orders_amount_empty", "orders_quantity_text", "orders_category_missing",
             "orders_category_variant", "orders_orphan_customer"]
    rejects = ["orders_reject_negative_quantity", "orders_reject_amount_out_of_range",
               "orders_reject_unparseable_date"]
    expected = [SHOP_DEFECTS[name] for name in order]
    _, orders = _shop_raw()
    offset = orders["ordered_at"].str.endswith("+01:00", na=False)
    naive = orders["ordered_at"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", na=False)
    expected += [int(offset.sum()), int(naive.sum())] + [SHOP_DEFECTS[name] for name in rejects]
    assert counts == expected


def test_shop_builder_is_deterministic():
    one, two = build_shop(), build_shop()
    for key in ("customers", "orders"):
        pd.testing.assert_frame_equal(one[key], two[key])


def test_loading_the_shop_as_a_table_points_to_shop_files():
    with pytest.raises(DatasetError, match=r"shop_files\(\)"):
        load_dataset("shop")


def test_a_corrupt_shop_file_is_refused(copy_of_datasets):
    path = copy_of_datasets / "shop" / "orders.csv"
    path.write_text(path.read_text().replace("books", "bookz", 1))
    with pytest.raises(DatasetError, match=r"shop/orders\.csv is corrupt"):
        shop_files(folder=copy_of_datasets)


def test_shop_batches_are_seeded_and_follow_their_schedule(tmp_path):
    first = write_shop_batches(tmp_path / "a", n_days=7, orders_per_day=20)
    second = write_shop_batches(tmp_path / "b", n_days=7, orders_per_day=20)
    pd.testing.assert_frame_equal(first, second)
    for file in first["file"]:
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    assert list(first.columns) == ["run_date", "business_date", "file", "note"]
    assert first["business_date"].value_counts().max() == 2  # the re-delivered day
    assert (first["run_date"] > first["business_date"]).all()
    late = first[first["note"].str.startswith("late")].iloc[0]
    next_day = first[first["business_date"] > late["business_date"]].iloc[0]
    assert next_day["run_date"] < late["run_date"]  # the next day's file came first
    day = pd.read_csv(tmp_path / "a" / first["file"].iloc[0])
    times = pd.to_datetime(day["ordered_at"], utc=True)
    assert (times.dt.strftime("%Y-%m-%d") == first["business_date"].iloc[0]).all()
    with pytest.raises(ValueError, match="at least 7"):
        write_shop_batches(tmp_path / "c", n_days=3)


def test_the_large_orders_file_is_seeded_and_sized_by_its_argument(tmp_path):
    path = write_shop_large_orders(tmp_path / "a", n_rows=5_000)
    again = write_shop_large_orders(tmp_path / "b", n_rows=5_000)
    assert path.read_bytes() == again.read_bytes()
    frame = pd.read_csv(path)
    assert len(frame) == 5_000 and frame["order_id"].is_unique
    assert list(frame.columns) == ["order_id", "customer_id", "ordered_at", "category",
                                   "quantity", "amount"]
