#!/usr/bin/env python3
"""Live PyJWT oracle for the Rust JWT crate's interop tests.

Test tooling only: Rust tests spawn this script (with the interop venv's
python, see requirements.txt) to ask PyJWT, a widely deployed reference
implementation, to encode or decode a token, and compare the answer with the
crate's own.  It is never a runtime dependency of the crate.

Protocol: exactly ONE JSON request on stdin, exactly ONE JSON response (one
line) on stdout.  Diagnostics (warnings, exception messages) go to stderr
only, so stdout is always pure JSON.

Key material, one of:
    "key_pem":       PEM text; private key tried first, then public key
                     (PKCS#8, PKCS#1 "RSA PRIVATE/PUBLIC KEY", SEC1, SPKI).
                     Loaded with `cryptography` and passed to PyJWT as a key
                     object.  For decode a private key is reduced to its
                     public half.
    "secret_b64url": HMAC secret bytes, base64url (padding optional).

encode:
    {"op": "encode", "alg": "HS256", "secret_b64url": "...",
     "payload": {...}, "headers": {...} | null}
    -> {"token": "<compact JWS>"}
    -> {"ok": false, "error": "<exception class name>"}   if PyJWT refuses

decode:
    {"op": "decode", "token": "...", "alg": "RS256", "key_pem": "...",
     "audience": "api" | null, "issuer": "https://..." | null}
    -> {"ok": true, "payload": {...}}
    -> {"ok": false, "error": "<exception class name>"}   e.g.
       "InvalidSignatureError", "ExpiredSignatureError",
       "InvalidAudienceError", "InvalidIssuerError", "DecodeError"

PyJWT refusals are answers, so the exit status is 0 for both shapes above.
A malformed request (bad JSON, unknown op, missing field) is answered with
{"ok": false, "error": "BadRequest"} and exit status 2.
"""

from __future__ import annotations

import base64
import json
import sys
import traceback
import warnings
from typing import Any

import jwt
from cryptography.hazmat.primitives.serialization import (
    load_pem_private_key,
    load_pem_public_key,
)


class BadRequest(Exception):
    """The request itself is malformed (not a PyJWT answer)."""


def _send_warnings_to_stderr() -> None:
    """Keep every warning (e.g. short HMAC keys, deprecations) off stdout."""

    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))

    warnings.showwarning = show
    warnings.simplefilter("always")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _load_key(req: dict[str, Any], *, for_verify: bool) -> Any:
    """Return the key argument for PyJWT from key_pem or secret_b64url."""
    if req.get("key_pem") is not None:
        pem = req["key_pem"].encode("ascii")
        try:
            key = load_pem_private_key(pem, password=None)
            # PyJWT verifies with key.verify(), which only public keys have.
            return key.public_key() if for_verify else key
        except (ValueError, TypeError):
            # Not a private key: try a public key (SPKI or PKCS#1).  Errors
            # from here propagate and are reported as the answer.
            return load_pem_public_key(pem)
    if req.get("secret_b64url") is not None:
        return _b64url_decode(req["secret_b64url"])
    raise BadRequest("one of key_pem / secret_b64url is required")


def _field(req: dict[str, Any], name: str) -> Any:
    if name not in req:
        raise BadRequest(f"missing field {name!r}")
    return req[name]


def handle(req: dict[str, Any]) -> dict[str, Any]:
    """Answer one request; PyJWT exceptions become {"ok": false, ...}."""
    op = _field(req, "op")
    alg = _field(req, "alg")
    if op == "encode":
        payload = _field(req, "payload")
        headers = req.get("headers")
        try:
            key = _load_key(req, for_verify=False)
            token = jwt.encode(payload, key, algorithm=alg, headers=headers)
        except BadRequest:
            raise
        except Exception as exc:  # PyJWT/cryptography refusal is an answer
            traceback.print_exc(file=sys.stderr)
            return {"ok": False, "error": type(exc).__name__}
        return {"token": token}
    if op == "decode":
        token = _field(req, "token")
        audience = req.get("audience")
        issuer = req.get("issuer")
        try:
            key = _load_key(req, for_verify=True)
            payload = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=audience,
                issuer=issuer,
                options={"verify_aud": audience is not None},
            )
        except BadRequest:
            raise
        except Exception as exc:  # PyJWT/cryptography refusal is an answer
            traceback.print_exc(file=sys.stderr)
            return {"ok": False, "error": type(exc).__name__}
        return {"ok": True, "payload": payload}
    raise BadRequest(f"unknown op {op!r}")


def _pinned_pyjwt_version() -> str | None:
    """The PyJWT version requirements.txt (next to this script) pins, if it says."""
    import os

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "requirements.txt")
    try:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                name, sep, version = line.strip().partition("==")
                if sep and name.lower() == "pyjwt":
                    return version.strip()
    except OSError:
        return None
    return None


def main() -> int:
    _send_warnings_to_stderr()
    pinned = _pinned_pyjwt_version()
    if pinned is not None and jwt.__version__ != pinned:
        # Compare against the pinned oracle only: another PyJWT may differ on purpose.
        print(
            f"PyJWT {jwt.__version__} found, but the interop tests pin {pinned} "
            "(tests/interop/requirements.txt): run `cargo xtask ci`, or point "
            "JWT_INTEROP_PYTHON at target/interop-venv/bin/python",
            file=sys.stderr,
        )
        return 3
    try:
        req = json.loads(sys.stdin.read())
        if not isinstance(req, dict):
            raise BadRequest("request must be a JSON object")
        resp = handle(req)
        status = 0
    except (BadRequest, json.JSONDecodeError, UnicodeDecodeError) as exc:
        print(f"bad request: {exc}", file=sys.stderr)
        resp = {"ok": False, "error": "BadRequest"}
        status = 2
    sys.stdout.write(json.dumps(resp, separators=(",", ":")) + "\n")
    sys.stdout.flush()
    return status


if __name__ == "__main__":
    sys.exit(main())
