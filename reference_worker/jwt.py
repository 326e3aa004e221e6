"""JSON Web Tokens signed with HS256 (RFC 7519 and RFC 7515), from the standard library.

Only HS256 is accepted: a token that names another algorithm, `none`
included, is rejected as malformed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

ALGORITHM = "HS256"


class TokenError(Exception):
    """A token was rejected; `reason` is a value of the auth metrics' `reason` label."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def encode(claims: dict[str, Any], secret: bytes) -> str:
    """Return a signed compact token for `claims`."""
    header = _b64encode(json.dumps({"alg": ALGORITHM, "typ": "JWT"}).encode())
    payload = _b64encode(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    return f"{header}.{payload}.{_b64encode(_sign(signing_input, secret))}"


def decode(token: str, secret: bytes, now: float) -> dict[str, Any]:
    """Verify a token's signature, `exp` and `nbf` at time `now`; return its claims."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("invalid_format", "a JWT has three parts separated by dots")
    header, claims = _json_part(parts[0]), _json_part(parts[1])
    if header.get("alg") != ALGORITHM:
        raise TokenError(
            "invalid_format", f"unsupported JWT algorithm {header.get('alg')!r}"
        )
    expected = _sign(f"{parts[0]}.{parts[1]}".encode(), secret)
    if not hmac.compare_digest(expected, _b64decode(parts[2])):
        raise TokenError("invalid_credentials", "invalid JWT signature")
    _check_times(claims, now)
    return claims


def _check_times(claims: dict[str, Any], now: float) -> None:
    expires, not_before = claims.get("exp"), claims.get("nbf")
    if expires is not None and (not _is_number(expires) or now >= expires):
        raise TokenError("expired_token", "the JWT has expired")
    if not_before is not None and (not _is_number(not_before) or now < not_before):
        raise TokenError("invalid_credentials", "the JWT is not valid yet")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _sign(signing_input: bytes, secret: bytes) -> bytes:
    return hmac.new(secret, signing_input, hashlib.sha256).digest()


def _json_part(part: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64decode(part))
    except (ValueError, UnicodeDecodeError):
        raise TokenError("invalid_format", "a JWT part is not base64url JSON") from None
    if not isinstance(value, dict):
        raise TokenError("invalid_format", "a JWT header or payload is not an object")
    return value


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise TokenError("invalid_format", "a JWT part is not base64url") from None
