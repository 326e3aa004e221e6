"""Authenticate API requests by API key or HS256 JWT, with a per-user rate limit,
and record every attempt in the auth metrics."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reference_worker import jwt
from reference_worker.logs import ThrottledLog

log = ThrottledLog(logging.getLogger("reference_worker.auth"))

API_KEY_USER = "api-key"  # the user id of requests made with the API key


@dataclass(frozen=True)
class AuthResult:
    """The verdict on one request; `reason` is "none" on success."""

    ok: bool
    method: str  # jwt or api_key
    reason: str
    user: str = ""
    message: str = ""


class Authenticator:
    """Check the `Authorization: Bearer` or `X-API-Key` header of a request.

    A bearer token with two dots is a JWT, any other is an API key. A request
    without credentials is counted under the `api_key` method, the API's
    default scheme. API keys carry no issue time, so only JWT ages are observed.
    """

    def __init__(
        self,
        api_key: str,
        jwt_secret: str,
        metrics: Any,
        rate_limit: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._api_key = api_key.encode()
        self._jwt_secret = jwt_secret.encode()
        self._metrics = metrics
        self._limiter = RateLimiter(rate_limit, clock)
        self._networks = BoundedLabel(MAX_NETWORKS)
        self._clock = clock

    def authenticate(
        self, headers: Mapping[str, str], client_ip: str, request_id: str
    ) -> AuthResult:
        """Verify the credentials, apply the rate limit and record the attempt."""
        result = self._verify(headers)
        if result.ok and not self._limiter.allow(result.user):
            network = self._networks.label_value(mask_ip(client_ip))
            self._metrics.auth_rate_limit_hits_total.inc(ip_address=network)
            result = AuthResult(
                False,
                result.method,
                "rate_limited",
                result.user,
                "rate limit exceeded; retry later",
            )
        outcome = "success" if result.ok else "failure"
        self._metrics.auth_attempts_total.inc(
            outcome=outcome, reason=result.reason, method=result.method
        )
        if not result.ok:
            log.warning(
                "authentication failed for request %s from %s: %s (%s)",
                request_id,
                client_ip,
                result.reason,
                result.message,
            )
        return result

    def _verify(self, headers: Mapping[str, str]) -> AuthResult:
        authorization = headers.get("Authorization", "")
        if authorization:
            scheme, _, credential = authorization.partition(" ")
            if scheme.lower() != "bearer" or not credential.strip():
                return AuthResult(
                    False,
                    "api_key",
                    "invalid_format",
                    message="use `Authorization: Bearer TOKEN`",
                )
            credential = credential.strip()
            if credential.count(".") == 2:
                return self._verify_jwt(credential)
            return self._verify_api_key(credential)
        if "X-API-Key" in headers:
            return self._verify_api_key(headers["X-API-Key"])
        return AuthResult(False, "api_key", "missing_auth", message="no credentials")

    def _verify_api_key(self, key: str) -> AuthResult:
        if hmac.compare_digest(key.encode(), self._api_key):
            return AuthResult(True, "api_key", "none", API_KEY_USER)
        return AuthResult(
            False, "api_key", "invalid_credentials", message="unknown API key"
        )

    def _verify_jwt(self, token: str) -> AuthResult:
        now = self._clock()
        try:
            claims = jwt.decode(token, self._jwt_secret, now)
        except jwt.TokenError as error:
            return AuthResult(False, "jwt", error.reason, message=str(error))
        issued = claims.get("iat")
        if isinstance(issued, int | float) and not isinstance(issued, bool):
            self._metrics.auth_token_age_seconds.observe(
                max(0.0, now - issued), method="jwt"
            )
        return AuthResult(True, "jwt", "none", str(claims.get("sub", "jwt")))


class RateLimiter:
    """A token bucket per user: `rate` requests per second, bursts of twice that. 0 turns it off."""

    def __init__(self, rate: float, clock: Callable[[], float]) -> None:
        self._rate = rate
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # user: (tokens, time)
        self._lock = threading.Lock()

    def allow(self, user: str) -> bool:
        if self._rate <= 0:
            return True
        with self._lock:
            now = self._clock()
            tokens, then = self._buckets.get(user, (2 * self._rate, now))
            tokens = min(2 * self._rate, tokens + (now - then) * self._rate)
            allowed = tokens >= 1
            self._buckets[user] = (tokens - 1 if allowed else tokens, now)
            return allowed


# The spec bounds the `ip_address` label of compozy_auth_rate_limit_hits_total
# at 1000 values: the first 999 networks, then "other" for every later one.
MAX_NETWORKS = 1000


class BoundedLabel:
    """The values of a label, capped: values past the first `limit` become "other"."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def label_value(self, value: str) -> str:
        with self._lock:
            if value in self._seen or len(self._seen) < self._limit - 1:
                self._seen.add(value)
                return value
        return "other"


def mask_ip(address: str) -> str:
    """Return the address's network: /24 for IPv4, /48 for IPv6."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
