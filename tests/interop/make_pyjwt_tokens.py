#!/usr/bin/env python3
"""Generate PyJWT-produced interop tokens for the Rust JWT crate's tests.

This script is test tooling only: it is an *interop oracle*, used to produce
tokens with PyJWT (a widely deployed reference implementation) so that the
Rust crate's tests can check it verifies them and, for deterministic
algorithms, produces byte-identical tokens.  Neither PyJWT nor this script is
ever a runtime dependency of the crate.

Run it with the interop venv (see requirements.txt next to this file):

    python3 -m venv target/interop-venv
    target/interop-venv/bin/pip install -r tests/interop/requirements.txt
    target/interop-venv/bin/python tests/interop/make_pyjwt_tokens.py

It writes ``tests/interop/pyjwt-tokens.json``::

    {"generator": "PyJWT 2.10.1", "cases": [ {case}, ... ]}

where each case has the fields:

    id               stable, unique case name
    alg              JWS "alg" passed to jwt.encode
    key_file         signing key, relative to tests/interop/keys (null when
                     secret_utf8 is used instead)
    verify_key_file  key that verifies the token (public key, or the same
                     secret file for HMAC; null when secret_utf8 is used)
    secret_utf8      literal UTF-8 HMAC secret (only for the classic
                     "secret" case; null everywhere else)
    payload          the claims object passed to jwt.encode (key order is
                     preserved: PyJWT serialises claims in insertion order)
    headers          extra headers passed to jwt.encode, or null
    token            the compact JWS produced by PyJWT
    deterministic    true when re-signing yields the same token (HS*, RS*,
                     EdDSA); false for randomized signatures (PS*, ES*)
    ascii_only       false when the payload contains non-ASCII text: PyJWT
                     (json.dumps with ensure_ascii=True) writes it as \\uXXXX
                     escapes, so a byte-identical re-encode is not expected

The *set* of cases and their order are fixed; only the tokens of the
non-deterministic algorithms change between runs.  Every token is decoded
back with PyJWT using the verify key as a self-check before anything is
written, and deterministic tokens are re-signed to confirm they repeat.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import jwt

HERE = Path(__file__).resolve().parent
KEYS = HERE / "keys"
OUT = HERE / "pyjwt-tokens.json"

# --- payloads ---------------------------------------------------------------

# The classic minimal payload (as in PyJWT's own README example).
PAYLOAD_SIMPLE: dict[str, Any] = {"user-id": 5}

# A realistic set of registered claims; exp is 2100-01-01T00:00:00Z so the
# tokens stay valid for the foreseeable future.
PAYLOAD_REALISTIC: dict[str, Any] = {
    "sub": "1234567890",
    "name": "John Doe",
    "iat": 1516239022,
    "exp": 4102444800,
    "iss": "https://issuer.example",
    "aud": "api",
}

# Nested objects and arrays, including booleans and null.
PAYLOAD_NESTED: dict[str, Any] = {
    "sub": "user-42",
    "roles": ["admin", "reader"],
    "ctx": {"tenant": "acme", "flags": [True, False, None], "limits": {"rps": 10}},
}

# A non-integral number claim.
PAYLOAD_FLOAT: dict[str, Any] = {"user-id": 5, "score": 1.5}

# Non-ASCII text, including a character outside the BMP (PyJWT escapes it as
# a UTF-16 surrogate pair, \ud83d\ude00).
PAYLOAD_NON_ASCII: dict[str, Any] = {"name": "Jürgen Ωmega ✓ 😀"}

# --- key material -----------------------------------------------------------

# alg -> (signing key file, verification key file), relative to KEYS.
KEY_FILES: dict[str, tuple[str, str]] = {
    "HS256": ("hs256.secret", "hs256.secret"),
    "HS384": ("hs384.secret", "hs384.secret"),
    "HS512": ("hs512.secret", "hs512.secret"),
    "RS256": ("rsa2048-private-pkcs8.pem", "rsa2048-public-spki.pem"),
    "RS384": ("rsa2048-private-pkcs8.pem", "rsa2048-public-spki.pem"),
    "RS512": ("rsa2048-private-pkcs8.pem", "rsa2048-public-spki.pem"),
    "PS256": ("rsa2048-private-pkcs8.pem", "rsa2048-public-spki.pem"),
    "PS384": ("rsa2048-private-pkcs8.pem", "rsa2048-public-spki.pem"),
    "PS512": ("rsa2048-private-pkcs8.pem", "rsa2048-public-spki.pem"),
    "ES256": ("ec-p256-private-pkcs8.pem", "ec-p256-public-spki.pem"),
    "ES384": ("ec-p384-private-pkcs8.pem", "ec-p384-public-spki.pem"),
    "EdDSA": ("ed25519-private-pkcs8.pem", "ed25519-public-spki.pem"),
}

# Algorithms whose signatures are randomized (RSA-PSS salt, ECDSA nonce).
NON_DETERMINISTIC = {"PS256", "PS384", "PS512", "ES256", "ES384"}


def read_key(name: str) -> bytes:
    """Return the raw bytes of a key file (PEM text or raw HMAC secret).

    PyJWT accepts PEM bytes directly for the asymmetric algorithms and raw
    bytes as the HMAC secret, which is exactly how applications call it.
    """
    return (KEYS / name).read_bytes()


def case_spec() -> list[dict[str, Any]]:
    """The fixed, ordered list of cases (everything except the token)."""
    specs: list[dict[str, Any]] = []

    def add(
        case_id: str,
        alg: str,
        payload: dict[str, Any],
        headers: dict[str, Any] | None = None,
        *,
        ascii_only: bool = True,
    ) -> None:
        key_file, verify_key_file = KEY_FILES[alg]
        specs.append(
            {
                "id": case_id,
                "alg": alg,
                "key_file": key_file,
                "verify_key_file": verify_key_file,
                "secret_utf8": None,
                "payload": payload,
                "headers": headers,
                "deterministic": alg not in NON_DETERMINISTIC,
                "ascii_only": ascii_only,
            }
        )

    # Every algorithm with the two base payloads.
    for alg in KEY_FILES:
        add(f"{alg.lower()}-simple", alg, PAYLOAD_SIMPLE)
        add(f"{alg.lower()}-realistic", alg, PAYLOAD_REALISTIC)

    # HS256 variations: extra header, JSON shapes, non-ASCII text.
    add("hs256-kid", "HS256", PAYLOAD_SIMPLE, {"kid": "key-1"})
    add("hs256-realistic-kid", "HS256", PAYLOAD_REALISTIC, {"kid": "key-1"})
    add("hs256-nested", "HS256", PAYLOAD_NESTED)
    add("hs256-float", "HS256", PAYLOAD_FLOAT)
    add("hs256-non-ascii", "HS256", PAYLOAD_NON_ASCII, ascii_only=False)

    # The classic example: literal 6-byte secret "secret".
    specs.append(
        {
            "id": "hs256-classic-secret",
            "alg": "HS256",
            "key_file": None,
            "verify_key_file": None,
            "secret_utf8": "secret",
            "payload": PAYLOAD_SIMPLE,
            "headers": None,
            "deterministic": True,
            "ascii_only": True,
        }
    )

    ids = [s["id"] for s in specs]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    return specs


def signing_key(spec: dict[str, Any]) -> bytes:
    if spec["secret_utf8"] is not None:
        return spec["secret_utf8"].encode("utf-8")
    return read_key(spec["key_file"])


def verify_key(spec: dict[str, Any]) -> bytes:
    if spec["secret_utf8"] is not None:
        return spec["secret_utf8"].encode("utf-8")
    return read_key(spec["verify_key_file"])


def encode(spec: dict[str, Any]) -> str:
    return jwt.encode(
        spec["payload"],
        signing_key(spec),
        algorithm=spec["alg"],
        headers=spec["headers"],
    )


def self_check(spec: dict[str, Any], token: str) -> None:
    """Decode the token with PyJWT and the verify key; assert it round-trips."""
    payload = spec["payload"]
    decoded = jwt.decode(
        token,
        verify_key(spec),
        algorithms=[spec["alg"]],
        audience=payload.get("aud"),
        issuer=payload.get("iss"),
        options={"verify_aud": "aud" in payload},
    )
    assert decoded == payload, f"{spec['id']}: payload mismatch: {decoded!r}"

    header = jwt.get_unverified_header(token)
    assert header["alg"] == spec["alg"], f"{spec['id']}: header alg {header!r}"
    for name, value in (spec["headers"] or {}).items():
        assert header.get(name) == value, f"{spec['id']}: header {name} {header!r}"

    if spec["deterministic"]:
        again = encode(spec)
        assert again == token, f"{spec['id']}: expected deterministic signature"


def main() -> int:
    cases = []
    for spec in case_spec():
        token = encode(spec)
        self_check(spec, token)
        # Field order in the output follows the documented schema.
        cases.append(
            {
                "id": spec["id"],
                "alg": spec["alg"],
                "key_file": spec["key_file"],
                "verify_key_file": spec["verify_key_file"],
                "secret_utf8": spec["secret_utf8"],
                "payload": spec["payload"],
                "headers": spec["headers"],
                "token": token,
                "deterministic": spec["deterministic"],
                "ascii_only": spec["ascii_only"],
            }
        )

    doc = {"generator": f"PyJWT {jwt.__version__}", "cases": cases}
    # ensure_ascii=False keeps the non-ASCII payload readable in the file;
    # the token itself is what carries PyJWT's escaped encoding.
    OUT.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {OUT.relative_to(HERE.parent.parent)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
