"""The reference worker's JWT verification and authentication, recorded in a fresh registry."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from reference_worker import jwt
from reference_worker.auth import Authenticator, BoundedLabel, mask_ip
from reference_worker.metrics import DEFAULT_FOLDER, MetricsModuleError, load_metrics

SECRET = b"test-secret"
NOW = 1_700_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def token(claims: dict[str, Any], secret: bytes = SECRET) -> str:
    return jwt.encode(claims, secret)


def test_jwt_round_trip() -> None:
    claims = {"sub": "alice", "iat": int(NOW), "exp": int(NOW) + 60}

    assert jwt.decode(token(claims), SECRET, NOW) == claims


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (token({"exp": NOW - 1}), "expired_token"),
        (token({"exp": NOW + 60}, b"other"), "invalid_credentials"),
        (token({"nbf": NOW + 60}), "invalid_credentials"),
        ("a.b", "invalid_format"),
        ("not.a.jwt", "invalid_format"),
    ],
)
def test_jwt_rejects(text: str, reason: str) -> None:
    with pytest.raises(jwt.TokenError) as error:
        jwt.decode(text, SECRET, NOW)

    assert error.value.reason == reason


def test_jwt_rejects_alg_none() -> None:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=")
    payload = base64.urlsafe_b64encode(b'{"sub":"mallory"}').rstrip(b"=")
    unsigned = f"{header.decode()}.{payload.decode()}."

    with pytest.raises(jwt.TokenError) as error:
        jwt.decode(unsigned, SECRET, NOW)

    assert error.value.reason == "invalid_format"


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def authenticator(registry: CollectorRegistry) -> tuple[Authenticator, Clock]:
    clock = Clock()
    metrics = load_metrics(DEFAULT_FOLDER, registry)
    return Authenticator(
        "key", SECRET.decode(), metrics, rate_limit=1, clock=clock
    ), clock


def attempts(
    registry: CollectorRegistry, outcome: str, reason: str, method: str
) -> float:
    labels = {"outcome": outcome, "reason": reason, "method": method}
    return registry.get_sample_value("compozy_auth_attempts_total", labels) or 0.0


def test_api_key_accepted(
    authenticator: tuple[Authenticator, Clock], registry: CollectorRegistry
) -> None:
    result = authenticator[0].authenticate({"X-API-Key": "key"}, "127.0.0.1", "r1")

    assert result.ok
    assert attempts(registry, "success", "none", "api_key") == 1


def test_jwt_accepted_with_age(
    authenticator: tuple[Authenticator, Clock], registry: CollectorRegistry
) -> None:
    bearer = token({"sub": "alice", "iat": int(NOW) - 120, "exp": int(NOW) + 60})

    result = authenticator[0].authenticate(
        {"Authorization": f"Bearer {bearer}"}, "127.0.0.1", "r1"
    )

    assert result.ok
    assert result.user == "alice"
    assert attempts(registry, "success", "none", "jwt") == 1
    assert (
        registry.get_sample_value(
            "compozy_auth_token_age_seconds_sum", {"method": "jwt"}
        )
        == 120
    )


@pytest.mark.parametrize(
    ("headers", "reason", "method"),
    [
        ({}, "missing_auth", "api_key"),
        ({"X-API-Key": "wrong"}, "invalid_credentials", "api_key"),
        ({"Authorization": "Basic a2V5"}, "invalid_format", "api_key"),
        (
            {"Authorization": "Bearer " + token({"exp": NOW - 1})},
            "expired_token",
            "jwt",
        ),
    ],
)
def test_failures_counted_by_reason(
    authenticator: tuple[Authenticator, Clock],
    registry: CollectorRegistry,
    headers: dict[str, str],
    reason: str,
    method: str,
) -> None:
    result = authenticator[0].authenticate(headers, "127.0.0.1", "r1")

    assert not result.ok
    assert result.reason == reason
    assert attempts(registry, "failure", reason, method) == 1


def test_rate_limit_counts_hits(
    authenticator: tuple[Authenticator, Clock], registry: CollectorRegistry
) -> None:
    auth, clock = authenticator
    results = [
        auth.authenticate({"X-API-Key": "key"}, "10.1.2.3", "r") for _ in range(3)
    ]
    clock.now += 1
    later = auth.authenticate({"X-API-Key": "key"}, "10.1.2.3", "r")

    assert [r.ok for r in results] == [True, True, False]
    assert results[2].reason == "rate_limited"
    assert later.ok
    labels = {"ip_address": "10.1.2.0/24"}
    assert registry.get_sample_value("compozy_auth_rate_limit_hits_total", labels) == 1
    assert attempts(registry, "failure", "rate_limited", "api_key") == 1


def test_mask_ip() -> None:
    assert mask_ip("192.168.7.9") == "192.168.7.0/24"
    assert mask_ip("2001:db8:1:2::1") == "2001:db8:1::/48"
    assert mask_ip("not an address") == "unknown"


def test_missing_metrics_module_names_fix(tmp_path: Path) -> None:
    with pytest.raises(MetricsModuleError) as error:
        load_metrics(tmp_path, CollectorRegistry())

    assert "run `promspec generate`" in str(error.value)


def test_bounded_label_caps_values() -> None:
    label = BoundedLabel(3)

    values = [label.label_value(v) for v in ["a", "b", "c", "a", "d", "b"]]

    assert values == ["a", "b", "other", "a", "other", "b"]
