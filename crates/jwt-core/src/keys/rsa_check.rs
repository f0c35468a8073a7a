//! Consistency checks for RSA private keys that ring leaves to us.
//!
//! ring signs with the CRT parameters (`p`, `q`, `dP`, `dQ`, `qInv`) and checks `dP`/`dQ` only
//! when it signs; it never uses (or checks) `d`. A key whose parts do not belong together would
//! load, then fail at the first signature, or export a `d` that works nowhere else. So on load we
//! sign once (which makes ring check the CRT parameters against the public key), and check that
//! `d ≡ dP (mod p−1)` and `d ≡ dQ (mod q−1)`, which together with a valid `dP`/`dQ` pins `d`.
//!
//! The arithmetic below is a plain shift-and-subtract reduction. It is not constant-time; it runs
//! once per key load on the key's own material, which is not an oracle an attacker can query.

use ring::rand::SystemRandom;
use ring::signature::RsaKeyPair;

use super::private::RsaPrivate;

/// Signs a fixed message once: ring refuses if the CRT parameters do not match the public key.
pub(crate) fn signs(pair: &RsaKeyPair) -> bool {
    let mut signature = vec![0u8; pair.public().modulus_len()];
    pair.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        b"jwt-core key check",
        &mut signature,
    )
    .is_ok()
}

/// Whether `d` agrees with `dP` and `dQ`.
pub(crate) fn private_exponent_matches(parts: &RsaPrivate) -> bool {
    let minus_one = |prime: &[u8]| subtract_one(prime);
    let (Some(p1), Some(q1)) = (minus_one(parts.p.expose()), minus_one(parts.q.expose())) else {
        return false;
    };
    let d = parts.d.expose();
    equal(&reduce(d, &p1), parts.dp.expose()) && equal(&reduce(d, &q1), parts.dq.expose())
}

/// `value − 1` for a big-endian magnitude greater than 1.
fn subtract_one(value: &[u8]) -> Option<Vec<u8>> {
    let mut out = value.to_vec();
    for byte in out.iter_mut().rev() {
        if *byte == 0 {
            *byte = 0xFF;
        } else {
            *byte = byte.wrapping_sub(1);
            return out.iter().any(|&b| b != 0).then_some(out);
        }
    }
    None
}

/// `value mod modulus` for big-endian magnitudes, by binary long division.
fn reduce(value: &[u8], modulus: &[u8]) -> Vec<u8> {
    // The remainder stays below `modulus`, so one extra byte holds it shifted left by one bit.
    let mut remainder = vec![0u8; modulus.len().saturating_add(1)];
    let mut padded_modulus = vec![0u8];
    padded_modulus.extend_from_slice(modulus);
    for byte in value {
        for bit in (0..8).rev() {
            shift_left_one(&mut remainder, (byte >> bit) & 1);
            if !less_than(&remainder, &padded_modulus) {
                subtract_in_place(&mut remainder, &padded_modulus);
            }
        }
    }
    remainder
}

fn shift_left_one(value: &mut [u8], low_bit: u8) {
    let mut carry = low_bit;
    for byte in value.iter_mut().rev() {
        let next = *byte >> 7;
        *byte = (*byte << 1) | carry;
        carry = next;
    }
}

/// `a < b` for equal-length big-endian magnitudes.
fn less_than(a: &[u8], b: &[u8]) -> bool {
    a < b
}

/// `a -= b` for equal-length big-endian magnitudes with `a >= b`.
fn subtract_in_place(a: &mut [u8], b: &[u8]) {
    let mut borrow = 0u16;
    for (x, y) in a.iter_mut().rev().zip(b.iter().rev()) {
        let difference = u16::from(*x)
            .wrapping_sub(u16::from(*y))
            .wrapping_sub(borrow);
        *x = (difference & 0xFF) as u8;
        borrow = (difference >> 15) & 1;
    }
}

/// Equality of magnitudes regardless of leading zeros.
fn equal(a: &[u8], b: &[u8]) -> bool {
    let trim = |v: &[u8]| -> Vec<u8> { v.iter().copied().skip_while(|&x| x == 0).collect() };
    trim(a) == trim(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn be(n: u128) -> Vec<u8> {
        n.to_be_bytes().to_vec()
    }

    #[test]
    fn reduction_matches_native_arithmetic() {
        let cases = [
            (0u128, 7u128),
            (6, 7),
            (7, 7),
            (1_000_000_007, 97),
            (u128::MAX, 0xFFFF_FFFF_FFFF_FFC5),
            (0x1234_5678_9ABC_DEF0_1122_3344, 0x1_0000_0001),
            (12345, 1),
        ];
        for (value, modulus) in cases {
            let expected = value % modulus;
            assert!(
                equal(&reduce(&be(value), &be(modulus)[8..]), &be(expected)),
                "{value} % {modulus}"
            );
        }
        assert_eq!(subtract_one(&[1, 0]), Some(vec![0, 0xFF]));
        assert_eq!(subtract_one(&[1]), None);
        assert_eq!(subtract_one(&[0]), None);
    }
}
