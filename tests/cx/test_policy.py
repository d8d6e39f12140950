"""The policy file: defaults, validation errors, business hours."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cxrag.cx.policy import BusinessHours, load_policy
from cxrag.errors import ConfigurationError


def test_the_default_policy_describes_the_sample_taxonomy() -> None:
    policy = load_policy()
    assert {"shipping", "refunds", "payments", "product_support"} <= set(policy.categories)
    assert all(c.description for c in policy.categories.values())
    assert policy.is_vip("Plus") and not policy.is_vip("standard") and not policy.is_vip(None)
    assert {q.name for q in policy.queues} >= {"support-es", "support-en", "vip", "priority-es"}


def test_keys_left_out_take_defaults(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("escalation:\n  frustration_threshold: 0.5\n")
    policy = load_policy(path)
    assert policy.escalation.frustration_threshold == 0.5
    assert set(policy.escalation.sensitive_topics) == {"legal", "fraud"}
    assert policy.queues == [] and policy.min_confidence == 0.45


@pytest.mark.parametrize("text, fragment", [
    ("escalation:\n  frustration_threshold: 3\n", "frustration_threshold"),
    ("escalation:\n  sensitive_topics:\n    x:\n      patterns: ['(unclosed']\n", "unclosed"),
    ("escalation:\n  business_hours:\n    timezone: Mars/Olympus\n", "Mars/Olympus"),
    ("queues: [{languages: [es]}]\n", "name"),
    ("categories: [1, 2\n", "invalid"),
])
def test_an_invalid_policy_says_what_is_wrong(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(ConfigurationError, match="invalid") as err:
        load_policy(path)
    assert fragment in str(err.value) and str(path) in str(err.value)


def test_a_missing_policy_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_policy(tmp_path / "nope.yaml")


def test_business_hours_in_the_policys_time_zone() -> None:
    hours = BusinessHours.model_validate({"timezone": "Europe/Madrid", "days": ["mon", "tue"],
                                          "open": "09:00", "close": "18:00"})
    monday_10_madrid = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 10:00 in Madrid (CET)
    assert hours.is_open(monday_10_madrid)
    monday_7_madrid = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    assert not hours.is_open(monday_7_madrid)
    assert hours.next_open(monday_7_madrid).isoformat() == "2026-11-30T09:00:00+01:00"
    tuesday_evening = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)
    assert hours.next_open(tuesday_evening).isoformat() == "2026-12-07T09:00:00+01:00"
