#!/usr/bin/env python3
"""Writes the curated seed corpus of every fuzz target into corpus/<target>/.

Seeds come from the repository's test material (RFC vectors in tests/vectors, PyJWT tokens and
the throwaway keys in tests/interop) plus hand-written attack inputs from the security catalogue
(docs/security-model.md). The set is small on purpose: fuzzer-generated inputs belong in a
scratch corpus (`cargo xtask fuzz` uses target/fuzz-corpus/), never here.

Run from anywhere: python3 crates/jwt-core/fuzz/make_corpus.py (standard library only). It
rewrites corpus/ from scratch, with file names that say what each seed is.
"""

import base64
import hashlib
import hmac
import json
import random
import shutil
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parents[2]
VECTORS = ROOT / "tests" / "vectors"
KEYS = ROOT / "tests" / "interop" / "keys"
CORPUS = FUZZ / "corpus"

# Must match src/lib.rs.
SECRET = b"fuzzing-secret-0123456789abcdef!"
NOW = 1_700_000_000
# The interop HS256 secret: attack tokens MAC'd with it pass the signature check of the
# `verify` target's interop verifiers, so the rejection comes from the policy.
INTEROP_SECRET = (KEYS / "hs256.secret").read_bytes()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(header: bytes, payload: bytes, secret: bytes) -> str:
    signing_input = f"{b64(header)}.{b64(payload)}"
    tag = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(tag)}"


def load(name: str) -> dict:
    return json.loads((VECTORS / name).read_text())


def write(target: str, name: str, data) -> None:
    if isinstance(data, str):
        data = data.encode()
    path = CORPUS / target / name
    path.write_bytes(data)


def compact(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def pem_der(path: Path) -> bytes:
    lines = [l for l in path.read_text().splitlines() if l and not l.startswith("-----")]
    return base64.b64decode("".join(lines))


# --- minimal DER reading for the JWKs derived from the interop keys -------------------------

def der_tlv(data: bytes, at: int = 0):
    tag = data[at]
    length = data[at + 1]
    at += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[at:at + count], "big")
        at += count
    return tag, data[at:at + length], at + length


def der_children(data: bytes):
    at = 0
    while at < len(data):
        tag, content, at = der_tlv(data, at)
        yield tag, content


def uint_b64(content: bytes) -> str:
    return b64(content.lstrip(b"\x00") or b"\x00")


def rsa_public_jwk(spki_der: bytes) -> dict:
    _, spki, _ = der_tlv(spki_der)
    parts = list(der_children(spki))
    bit_string = parts[1][1][1:]
    _, rsa, _ = der_tlv(bit_string)
    n, e = [content for _, content in der_children(rsa)]
    return {"kty": "RSA", "n": uint_b64(n), "e": uint_b64(e)}


def ec_public_jwk(spki_der: bytes, crv: str, size: int) -> dict:
    point = spki_der[-(2 * size + 1):]
    assert point[0] == 4
    return {"kty": "EC", "crv": crv, "x": b64(point[1:1 + size]), "y": b64(point[1 + size:])}


def ed25519_public_jwk(spki_der: bytes) -> dict:
    return {"kty": "OKP", "crv": "Ed25519", "x": b64(spki_der[-32:])}


# --- verify ---------------------------------------------------------------------------------

def verify_seeds() -> None:
    t = "verify"
    for name in ["rfc7515.json", "rfc7519.json", "rfc7520.json", "rfc7797.json", "rfc8037.json"]:
        for case in load(name)["cases"]:
            write(t, f"rfc-{case['id']}", case["token"])
    pyjwt = {c["id"]: c for c in json.loads((ROOT / "tests/interop/pyjwt-tokens.json").read_text())["cases"]}
    for case_id in ["hs256-simple", "hs256-realistic", "hs384-simple", "rs256-realistic",
                    "ps256-realistic", "es256-realistic", "eddsa-realistic", "hs256-kid",
                    "hs256-nested", "hs256-float", "hs256-non-ascii"]:
        write(t, f"pyjwt-{case_id}", pyjwt[case_id]["token"])

    claims = b'{"sub":"alice","exp":4102444800}'
    good = hs256(b'{"alg":"HS256","typ":"JWT"}', claims, INTEROP_SECRET)
    h, p, s = good.split(".")
    attacks = {
        "a1-alg-none": b64(b'{"alg":"none"}') + f".{p}.",
        "a1-alg-none-signed": b64(b'{"alg":"nOnE"}') + f".{p}.{s}",
        "a2-rs256-relabelled-hs256": hs256(b'{"alg":"HS256"}', claims,
                                           (KEYS / "rsa2048-public-spki.pem").read_bytes()),
        "a4-alg-array": hs256(b'{"alg":["HS256"]}', claims, INTEROP_SECRET),
        "b1-one-byte-signature": f"{h}.{p}.AA",
        "c1-kid-injection": hs256(b'{"alg":"HS256","kid":"../../dev/null\\u0000"}', claims,
                                  INTEROP_SECRET),
        "c2-jku-x5u-jwk": hs256(b'{"alg":"HS256","jku":"https://e.invalid/k","x5u":"x",'
                                b'"jwk":{"kty":"oct","k":"AA"},"x5c":["AA"]}', claims,
                                INTEROP_SECRET),
        "c5-crit": hs256(b'{"alg":"HS256","crit":["exp"],"exp":1}', claims, INTEROP_SECRET),
        "c6-b64-false": hs256(b'{"alg":"HS256","b64":false,"crit":["b64"]}', claims,
                              INTEROP_SECRET),
        "c7-json-serialization": json.dumps({"payload": p, "protected": h, "signature": s}),
        "c8-cty-jwt": hs256(b'{"alg":"HS256","cty":"JWT"}', claims, INTEROP_SECRET),
        "c8-jwe-five-segments": f"{h}.{p}.{s}.{p}.{s}",
        "d1-padded-signature": f"{good}=",
        "d2-dot-flood": "." * 200,
        "d3-whitespace": f"{h}. {p}.{s}",
        "d4-duplicate-alg": hs256(b'{"alg":"HS256","\\u0061lg":"none"}', claims, INTEROP_SECRET),
        "d4-duplicate-exp": hs256(b'{"alg":"HS256"}', b'{"exp":4102444800,"\\u0065xp":1}',
                                  INTEROP_SECRET),
        "d6-depth-bomb": hs256(b'{"alg":"HS256"}',
                               b'{"exp":4102444800,"x":' + b"[" * 40 + b"]" * 40 + b"}",
                               INTEROP_SECRET),
        "e1-exp-string": hs256(b'{"alg":"HS256"}', b'{"exp":"4102444800"}', INTEROP_SECRET),
        "e4-aud-array": hs256(b'{"alg":"HS256","typ":"JWT"}',
                              b'{"iss":"https://issuer.example","aud":["web","api"],'
                              b'"exp":4102444800,"iat":1690000000}', INTEROP_SECRET),
        "e8-iat-future": hs256(b'{"alg":"HS256","typ":"JWT"}',
                               b'{"iss":"https://issuer.example","aud":"api",'
                               b'"exp":4102444800,"iat":4000000000}', INTEROP_SECRET),
    }
    for name, token in attacks.items():
        write(t, f"attack-{name}", token)


# --- header_claims --------------------------------------------------------------------------

def header_claims_seeds() -> None:
    t = "header_claims"
    exp = NOW + 600
    payload_only = {  # flags 0x00..0x07: fixed header {"alg":"HS256"}, selector in bits 0-2
        "rfc7519-claims": (0x01, load("rfc7519.json")["cases"][0]["payload_utf8"]),
        "typical": (0x00, compact({"sub": "alice", "exp": exp, "roles": ["admin"], "n": 1.5})),
        "pyjwt-nested": (0x01, compact({"sub": "user-42", "roles": ["admin", "reader"],
                                        "ctx": {"tenant": "acme", "flags": [True, False, None],
                                                "limits": {"rps": 10}}})),
        "non-ascii": (0x01, compact({"name": "J\u00fcrgen \u03a9mega \u2713 \U0001F600"})),
        "escapes": (0x01, '{"a\\u0000b":"\\ud83d\\ude00\\n\\"\\\\","\\/":1}'),
        "all-expectations": (0x02, compact({"iss": "https://issuer.example", "aud": ["api", "x"],
                                            "sub": "alice", "jti": "id-1", "iat": NOW - 10,
                                            "nbf": NOW - 10, "exp": exp})),
        "time-fractions": (0x03, f'{{"exp":{exp}.5,"nbf":{NOW}.25,"iat":{NOW - 5}.9}}'),
        "expired-only": (0x00, compact({"sub": "alice", "exp": NOW - 1})),
        "not-yet-valid": (0x01, compact({"nbf": NOW + 3600})),
        "dup-exp": (0x00, f'{{"exp":{exp},"exp":{exp}}}'),
        "dup-escaped": (0x01, '{"sub":"a","\\u0073ub":"b"}'),
        "exp-string": (0x00, '{"exp":"4102444800"}'),
        "exp-huge": (0x00, '{"exp":1e400}'),
        "exp-negative": (0x00, '{"exp":-1}'),
        "exp-year-10000": (0x00, '{"exp":253402300800}'),
        "aud-empty-array": (0x02, compact({"iss": "https://issuer.example", "aud": [],
                                           "sub": "alice", "jti": "j", "iat": NOW, "exp": exp})),
        "iss-array": (0x02, compact({"iss": ["https://issuer.example"], "aud": "api",
                                     "sub": "alice", "jti": "j", "iat": NOW, "exp": exp})),
        "depth-bomb": (0x01, '{"x":' + "[" * 40 + "]" * 40 + "}"),
        "depth-3": (0x04, '{"a":{"b":[1]}}'),
        "depth-200": (0x05, '{"x":' + "[" * 190 + "]" * 190 + "}"),
        "brackets-in-strings": (0x07, '{"x":"[[[[{{{{","y":"\\"[["}'),
        "not-an-object": (0x01, "[1,2,3]"),
        "bom": (0x01, "\ufeff{}"),
        "big-number": (0x01, '{"n":123456789012345678901234567890,"f":-0.0,"e":1E-400}'),
    }
    for name, (flags, payload) in payload_only.items():
        payload = payload.encode() if isinstance(payload, str) else payload
        write(t, f"payload-{name}", bytes([flags]) + payload)
    write(t, "payload-invalid-utf8", bytes([0x01]) + b'{"s":"\xc3\x28"}')
    write(t, "payload-lone-surrogate", bytes([0x01]) + b'{"s":"\\ud800"}')

    claims = compact({"sub": "alice", "exp": exp}).encode()
    with_header = {  # flags with bit 3: fuzzed header, 0xFF, payload
        "typ-jwt": (0x08, b'{"alg":"HS256","typ":"JWT"}'),
        "typ-at-jwt": (0x0B, b'{"typ":"at+jwt","alg":"HS256"}'),
        "typ-application": (0x0B, b'{"typ":"application/AT+JWT","alg":"HS256"}'),
        "kid-k1": (0x0E, b'{"alg":"HS256","kid":"k1"}'),
        "kid-k2": (0x0E, b'{"alg":"HS256","kid":"k2"}'),
        "kid-hs512": (0x0E, b'{"alg":"HS512","kid":"k1"}'),
        "crit": (0x08, b'{"alg":"HS256","crit":["b64"],"b64":false}'),
        "b64-true": (0x08, b'{"alg":"HS256","b64":true}'),
        "cty": (0x08, b'{"alg":"HS256","cty":"jwt"}'),
        "embedded-keys": (0x09, b'{"alg":"HS256","jwk":{"kty":"oct","k":"AA"},"x5c":["AA"],'
                                b'"jku":"https://e.invalid"}'),
        "escaped-alg": (0x08, b'{"\\u0061lg":"HS\\u0032\\u00356"}'),
        "unsupported-alg": (0x08, b'{"alg":"ES512"}'),
        "seventeen-members": (0x09, b'{"alg":"HS256"' + b"".join(
            f',"m{i}":{i}'.encode() for i in range(16)) + b"}"),
        "deep-header": (0x08, b'{"alg":"HS256","x":' + b"[" * 40 + b"]" * 40 + b"}"),
        "header-64-bytes": (0x0C, b'{"alg":"HS256","pad":"' + b"x" * 41 + b'"}'),
    }
    for name, (flags, header) in with_header.items():
        write(t, f"header-{name}", bytes([flags]) + header + b"\xff" + claims)


# --- jwk --------------------------------------------------------------------------------------

def jwk_seeds() -> None:
    t = "jwk"
    jwks = load("rfc7517-jwks.json")
    for name, entry in jwks["jwk_sets"].items():
        write(t, f"rfc7517-set-{name}", json.dumps(entry["jwks"], indent=1))
        for i, key in enumerate(entry["jwks"]["keys"]):
            write(t, f"rfc7517-{name}-key{i}", compact(key))
    for name, entry in load("rfc7520.json")["keys"].items():
        write(t, f"rfc7520-{name}", compact(entry["jwk"]))
    for name, entry in load("rfc8037.json")["keys"].items():
        write(t, f"rfc8037-{name}", compact(entry["jwk"]))

    p256 = ec_public_jwk(pem_der(KEYS / "ec-p256-public-spki.pem"), "P-256", 32)
    p384 = ec_public_jwk(pem_der(KEYS / "ec-p384-public-spki.pem"), "P-384", 48)
    ed = ed25519_public_jwk(pem_der(KEYS / "ed25519-public-spki.pem"))
    rsa = rsa_public_jwk(pem_der(KEYS / "rsa2048-public-spki.pem"))
    write(t, "interop-p384", compact({**p384, "alg": "ES384", "kid": "p384", "use": "sig"}))
    write(t, "interop-set", compact({"keys": [
        {**rsa, "kid": "r1"}, {**rsa, "kid": "r1", "alg": "PS256"},
        {**p256, "kid": "e1", "key_ops": ["verify"]}, {**ed, "kid": "o1", "alg": "EdDSA"},
        {"kty": "oct", "k": b64(b"k" * 32), "alg": "HS256", "kid": "h1"},
        {**p256, "kid": "e1"},  # duplicate kid: skipped on import
    ]}))
    attacks = {
        "rsa-leading-zero": {**rsa, "n": b64(b"\x00" + base64.urlsafe_b64decode(rsa["n"] + "=="))},
        "rsa-even-exponent": {**rsa, "e": "AAE"},
        "ec-short-x": {**p256, "x": p256["x"][:-2]},
        "ec-wrong-curve": {**p384, "crv": "P-256"},
        "ec-p521": {"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"},
        "oct-short": {"kty": "oct", "k": "c2hvcnQ", "alg": "HS256"},
        "oct-empty": {"kty": "oct", "k": ""},
        "use-enc": {**ed, "use": "enc"},
        "key-ops-sign-only": {**ed, "key_ops": ["sign"]},
        "alg-mismatch": {**p256, "alg": "RS256"},
        "unknown-kty": {"kty": "ML-DSA", "pub": "AA"},
        "rsa-oth": {**rsa, "d": "AQ", "oth": [{"r": "AQ", "d": "AQ", "t": "AQ"}]},
        "padded-b64": {**ed, "x": ed["x"] + "="},
    }
    for name, jwk in attacks.items():
        write(t, f"attack-{name}", compact(jwk))
    write(t, "attack-set-empty", '{"keys":[]}')
    write(t, "attack-set-not-array", '{"keys":{"kty":"oct"}}')
    write(t, "attack-set-over-limit", compact({"keys": [{"kty": "oct", "k": "AA"}] * 101}))
    write(t, "attack-set-junk-entries", '{"keys":[1,"x",null,[],{"kid":7},{"kid":"k","kty":1}]}')


# --- keys -------------------------------------------------------------------------------------

# Selector bytes, as in fuzz_targets/keys.rs: RS256, PS512, ES256, ES384, EdDSA, Ed25519,
# HS256, RS384.
RS256, PS512, ES256, ES384, EDDSA, ED25519, HS256, RS384 = range(8)


def keys_seeds() -> None:
    t = "keys"
    pems = {
        "rsa2048-private-pkcs8.pem": RS256,
        "rsa2048-private-pkcs1.pem": PS512,
        "rsa2048-public-spki.pem": RS256,
        "rsa2048-public-pkcs1.pem": RS384,
        "rsa1024-private-pkcs8.pem": RS256,
        "rsa1024-public-spki.pem": RS256,
        "rsa4096-public-spki.pem": PS512,
        "ec-p256-private-pkcs8.pem": ES256,
        "ec-p256-private-sec1.pem": ES256,
        "ec-p256-public-spki.pem": ES256,
        "ec-p384-private-pkcs8.pem": ES384,
        "ec-p384-private-sec1.pem": ES384,
        "ec-p384-public-spki.pem": ES384,
        "ec-p521-private-pkcs8.pem": ES256,
        "ec-p521-public-spki.pem": ES256,
        "ed25519-private-pkcs8.pem": EDDSA,
        "ed25519-public-spki.pem": ED25519,
    }
    for name, selector in pems.items():
        write(t, name, bytes([selector]) + (KEYS / name).read_bytes())
    # DER forms of the same keys, for the *_der loaders.
    for name, selector in {
        "rsa2048-private-pkcs8.der": RS256,
        "rsa2048-public-spki.der": RS256,
    }.items():
        write(t, name, bytes([selector]) + (KEYS / name).read_bytes())
    for name, selector in {
        "rsa2048-private-pkcs1.pem": RS256,
        "rsa2048-public-pkcs1.pem": RS256,
        "ec-p256-private-sec1.pem": ES256,
        "ec-p384-private-sec1.pem": ES384,
        "ed25519-private-pkcs8.pem": ED25519,
        "ed25519-public-spki.pem": EDDSA,
    }.items():
        write(t, name.replace(".pem", ".der"), bytes([selector]) + pem_der(KEYS / name))
    # PEM as files are found in the wild: CRLF, an EC PARAMETERS block, two keys, a mismatch.
    p256 = (KEYS / "ec-p256-private-sec1.pem").read_text()
    write(t, "pem-crlf", bytes([ES256]) + p256.replace("\n", "\r\n").encode())
    write(t, "pem-ec-parameters", bytes([ES256]) + (
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + p256
    ).encode())
    write(t, "pem-two-keys", bytes([ES256]) + (p256 + p256).encode())
    write(t, "pem-hmac-alg", bytes([HS256]) + (KEYS / "ec-p256-public-spki.pem").read_bytes())
    write(t, "pem-certificate-label", bytes([RS256]) + b"-----BEGIN CERTIFICATE-----\n"
          b"MAA=\n-----END CERTIFICATE-----\n")


# --- roundtrip ----------------------------------------------------------------------------

def roundtrip_seeds() -> None:
    t = "roundtrip"
    rng = random.Random(7638)
    for selector, length in [(0, 0), (0, 16), (50, 64), (120, 64), (200, 128), (230, 96),
                             (250, 96), (10, 256), (130, 512), (240, 300), (255, 40)]:
        write(t, f"selector{selector}-len{length}",
              bytes([selector]) + bytes(rng.randrange(256) for _ in range(length)))
    # Printable bytes make ASCII names and strings; 0xFF runs make long containers.
    write(t, "ascii", bytes([1]) + b"the quick brown fox jumps over the lazy dog" * 3)
    write(t, "ff-run", bytes([2]) + b"\xff" * 200)
    # Found by the fuzzer (ASan run, seventh round): claims whose member name serde_json reads as
    # its own marker (`$serde_json::private::RawValue`); kept in artifacts/ and replayed from here.
    write(t, "serde-json-marker-name", (FUZZ / "artifacts" / t / "serde-json-marker-name").read_bytes())


def main() -> None:
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    for target, make in [("verify", verify_seeds), ("header_claims", header_claims_seeds),
                         ("jwk", jwk_seeds), ("keys", keys_seeds), ("roundtrip", roundtrip_seeds)]:
        (CORPUS / target).mkdir(parents=True)
        make()
        count = len(list((CORPUS / target).iterdir()))
        print(f"corpus/{target}: {count} seeds")


if __name__ == "__main__":
    main()
