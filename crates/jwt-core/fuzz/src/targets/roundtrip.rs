//! (e) Round trip: what we sign verifies to the same claims, and no single-byte change of the
//! token verifies.
//!
//! The input drives a small JSON builder (`arbitrary::Unstructured`): an object of up to 12
//! members whose values nest up to 6 levels, with arbitrary strings (any Unicode, escapes
//! included), integers, finite floats, booleans and nulls. Registered claim names get an `x-`
//! prefix (their values would be judged), and `exp` is set in the future. The claims are signed
//! with one of HS256, HS512, ES256 (with a `kid`) or EdDSA, then:
//!
//! - `verify::<Value>` must accept and return exactly the claims; `verify_raw` must return the
//!   exact bytes that were signed;
//! - the token with one byte replaced (position and value from the input) must be rejected,
//!   unless the replacement left it byte-identical, in which case it must still verify.

use std::sync::OnceLock;

use jwt_core::{FixedClock, Limits, Validation, Verifier};
use crate::{NOW, signing_keys};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use serde_json::{Map, Number, Value};

const REGISTERED: [&str; 7] = ["exp", "nbf", "iat", "iss", "aud", "sub", "jti"];
const MAX_DEPTH: u32 = 6;

fn verifiers() -> &'static [Verifier; 4] {
    static VERIFIERS: OnceLock<[Verifier; 4]> = OnceLock::new();
    VERIFIERS.get_or_init(|| {
        signing_keys().each_ref().map(|key| {
            Verifier::new(key)
                .with_validation(Validation::new().clock(FixedClock(NOW)))
                // Claims of any size: the round trip is about fidelity, not the size limits.
                .with_limits(Limits::default().max_token_len(1 << 20))
        })
    })
}

fn string(u: &mut Unstructured<'_>) -> Result<String> {
    // Mostly short ASCII names, sometimes anything.
    if u.ratio(3, 4)? {
        let len = u.int_in_range(0..=8)?;
        (0..len)
            .map(|_| Ok(char::from(u.int_in_range(0x20..=0x7e)?)))
            .collect()
    } else {
        u.arbitrary()
    }
}

fn value(u: &mut Unstructured<'_>, depth: u32) -> Result<Value> {
    let choices = if depth >= MAX_DEPTH { 6 } else { 8 };
    Ok(match u.choose_index(choices)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::from(u.arbitrary::<i64>()?),
        3 => Value::from(u.arbitrary::<u64>()?),
        4 => Number::from_f64(u.arbitrary()?).map_or(Value::Null, Value::Number),
        5 => Value::String(string(u)?),
        6 => {
            let len = u.int_in_range(0..=6)?;
            Value::Array(
                (0..len)
                    .map(|_| value(u, depth + 1))
                    .collect::<Result<_>>()?,
            )
        }
        _ => Value::Object(object(u, depth + 1, 6)?),
    })
}

fn object(u: &mut Unstructured<'_>, depth: u32, max_len: u32) -> Result<Map<String, Value>> {
    let len = u.int_in_range(0..=max_len)?;
    let mut map = Map::new();
    for _ in 0..len {
        let name = string(u)?;
        let item = value(u, depth)?;
        map.insert(name, item);
    }
    Ok(map)
}

fn claims(u: &mut Unstructured<'_>) -> Result<Value> {
    let mut map = Map::new();
    for (name, item) in object(u, 1, 12)? {
        let name = if REGISTERED.contains(&name.as_str()) {
            format!("x-{name}")
        } else {
            name
        };
        map.insert(name, item);
    }
    map.insert("exp".into(), Value::from(NOW + 3600));
    Ok(Value::Object(map))
}

/// Runs one fuzz input.
pub fn run(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(selector) = u.arbitrary::<u8>() else {
        return;
    };
    // Mostly HMAC (cheap), sometimes ES256 and EdDSA.
    let index = match selector {
        0..=111 => 0,
        112..=223 => 1,
        224..=239 => 2,
        _ => 3,
    };
    let Ok(claims) = claims(&mut u) else {
        return;
    };
    let (position, replacement) = (
        u.arbitrary::<u32>().unwrap_or(0),
        u.arbitrary::<u8>().unwrap_or(0),
    );

    let key = &signing_keys()[index];
    let verifier = &verifiers()[index];
    let token = match jwt_core::encode(key, &claims) {
        Ok(token) => token,
        Err(error) => {
            // The one refusal for an object: a member name serde_json reads as its own marker.
            let json = serde_json::to_string(&claims).expect("a Value serialises");
            assert!(
                error.kind() == jwt_core::ErrorKind::Encoding
                    && error.to_string().contains("$serde_json::private::")
                    && json.contains("$serde_json::private::"),
                "claims that are an object sign: {error:?}"
            );
            return;
        }
    };
    let verified = verifier
        .verify::<Value>(&token)
        .unwrap_or_else(|e| panic!("a token we signed was rejected: {e:?}"));
    assert_eq!(
        verified.claims(),
        &claims,
        "claims changed in the round trip"
    );
    assert_eq!(verified.header().algorithm(), key.algorithm());
    assert_eq!(verified.header().kid(), key.kid());
    let raw = verifier
        .verify_raw(&token)
        .expect("verify_raw accepts it too");
    assert_eq!(
        raw.claims(),
        &serde_json::to_vec(&claims).expect("serialises")
    );

    // One byte replaced.
    let mut bytes = token.clone().into_bytes();
    let at = position as usize % bytes.len();
    bytes[at] = replacement;
    let Ok(mutated) = String::from_utf8(bytes) else {
        return; // not a &str: the API cannot even be called with it
    };
    let result = verifier.verify::<Value>(&mutated);
    if mutated == token {
        assert!(result.is_ok(), "the unchanged token stopped verifying");
    } else {
        assert!(
            result.is_err(),
            "a token with byte {at} changed ({:?} -> {:?}) still verifies",
            token.as_bytes()[at] as char,
            replacement as char
        );
        assert!(verifier.verify_raw(&mutated).is_err());
    }
}
