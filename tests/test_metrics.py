"""Headline metrics are printed in one format that the runner and quality tests can read."""

from utils.metrics import parse_metrics, record_metric


def test_a_recorded_metric_can_be_read_back(capsys):
    assert record_metric("test accuracy", 0.9712, bar=0.95) == 0.9712
    (found,) = parse_metrics(capsys.readouterr().out)
    assert found == {"name": "test accuracy", "value": 0.9712, "bar": 0.95, "ok": True}


def test_a_metric_below_its_bar_is_flagged(capsys):
    record_metric("test RMSE", 12.5, bar=10.0, higher_is_better=False)
    out = capsys.readouterr().out
    assert "BELOW THE BAR" in out
    assert parse_metrics(out)[0]["ok"] is False


def test_names_may_hold_punctuation(capsys):
    record_metric("R² (diabetes, ridge; test set)", 0.45, bar=0.4)
    assert parse_metrics(capsys.readouterr().out)[0]["name"] == "R² (diabetes, ridge; test set)"
