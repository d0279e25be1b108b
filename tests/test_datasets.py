"""One loader for every dataset: bundled, packaged and the course's own checksummed files."""

import shutil

import pandas as pd
import pytest

from utils import DatasetError, available, load_dataset
from utils.datasets import build_all, expected_checksums
from utils.paths import DATASETS_DIR


@pytest.mark.parametrize("name", available())
def test_every_dataset_loads_as_a_non_empty_frame(name):
    frame = load_dataset(name)
    assert isinstance(frame, pd.DataFrame) and len(frame) > 100


def test_every_course_file_has_a_checksum_and_a_data_card():
    for file in expected_checksums():
        assert (DATASETS_DIR / file).exists()
        card = DATASETS_DIR / file.replace(".csv", ".md")
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
