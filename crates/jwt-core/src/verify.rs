//! The verifier: the pipeline from token text to verified claims, in the order that defeats the
//! known attacks (`docs/security-catalog.md` §0; `docs/security-model.md` maps each attack class
//! to its defence and test).
//!
//! 1. size limit, exactly three non-empty segments;
//! 2. canonical base64url for every segment (header and signature decoded, payload decoded);
//! 3. header: strict JSON object, `alg` known, `crit` and `b64: false` refused, `typ` if configured;
//! 4. key selection from the verifier's own keys only: `alg` must be one of theirs, `kid` exact;
//! 5. signature length for that key, then ring over the exact received bytes;
//! 6. only then the payload: strict JSON object, parsed once into the caller's type while the
//!    registered claims are checked; time claims last.
//!
//! The first failure ends the pipeline with one error; nothing partially verified is returned,
//! except the explicit time-failure case of [`Rejection`].

use std::fmt;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::claims::{self, Mode, TimeClaims};
use crate::error::{Error, Segment};
use crate::header::{Header, RawHeader};
use crate::instrument::{Instrument, Recorder, Silent};
use crate::key_set::{KeySet, KeyStore};
use crate::keys::VerifyingKey;
use crate::token::{self, Limits, Parts, Scratch};
use crate::validation::Validation;
use arc_swap::ArcSwapOption;
use std::sync::{Arc, Weak};

/// Payloads up to this size are decoded on the stack.
///
/// The stack buffers are zero-filled on every verification, so they are sized for typical tokens
/// (larger segments spill to the heap) rather than for the limits.
const STACK_PAYLOAD: usize = 1024;
/// Headers up to this size are decoded on the stack (the default header limit).
const STACK_HEADER: usize = 256;
/// The longest signature of any supported key (RSA-8192).
const MAX_SIGNATURE: usize = 1024;
/// Signatures up to ES384's 96 bytes (every HMAC, ECDSA and EdDSA key) are decoded into a small
/// stack buffer ...
const SMALL_SIGNATURE: usize = 96;
/// ... and those up to RSA-4096 into a larger one, zero-filled only when a token needs it.
const STACK_SIGNATURE: usize = 512;
/// How many policed headers a verifier remembers (see [`KnownHeaders`]).
const KNOWN_HEADERS: usize = 4;

/// Verifies tokens against a fixed set of keys and a [`Validation`].
///
/// The algorithms it accepts are exactly those its keys are bound to; the token's `alg` is only
/// compared against them. Cheap to share: wrap it in an `Arc` and verify from many threads.
///
/// ```
/// use jwt_core::{Algorithm, SigningKey, Validation, Verifier};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct Claims { sub: String, exp: u64 }
///
/// let key = SigningKey::from_hmac_secret(Algorithm::HS256, b"a 32-byte secret, random in real life")?;
/// let token = jwt_core::encode(&key, &Claims { sub: "alice".into(), exp: 4_102_444_800 })?;
///
/// let verifier = Verifier::new(key.verifying_key()).with_validation(Validation::new());
/// let verified = verifier.verify::<Claims>(&token)?;
/// assert_eq!(verified.claims().sub, "alice");
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    keys: KeyStore,
    validation: Validation,
    limits: Limits,
    instrument: Option<Arc<dyn Instrument>>,
    /// Reset by every builder method that changes what the header policy depends on.
    known: KnownHeaders,
}

impl Verifier {
    /// A verifier with one key and the strict default [`Validation`].
    pub fn new(key: impl Into<VerifyingKey>) -> Self {
        Self::with_key_set(KeySet::new([key.into()]).unwrap_or_default())
    }

    /// A verifier with several keys (rotation, several issuers' keys, mixed algorithms).
    ///
    /// Selection rules ([`KeySet::select`]): the token's `alg` must equal the algorithm of the
    /// chosen key; a token with a `kid` gets the key with exactly that `kid` (or, when no key for
    /// its algorithm has any `kid`, the single key for its algorithm); a token without `kid` is
    /// accepted only when exactly one key fits its algorithm. Keys are never tried one after
    /// another.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when there are no keys, or two keys share an algorithm and `kid`
    /// (including two keys for one algorithm without any `kid`: a token could not choose).
    pub fn with_keys(keys: impl IntoIterator<Item = VerifyingKey>) -> Result<Self, Error> {
        let set = KeySet::new(keys)?;
        if set.is_empty() {
            return Err(Error::InvalidKey(
                "a verifier needs at least one key".into(),
            ));
        }
        Ok(Self::with_key_set(set))
    }

    /// A verifier over a [`KeySet`] (for instance one imported from a JWK Set).
    ///
    /// An empty set makes a verifier that refuses every token (`algorithm_not_allowed`), which
    /// is what [`KeySet::from_jwk_set`] gives when it skipped every entry (say, keys without
    /// `alg` and no fallback algorithm): check [`KeySet::is_empty`] and the skipped entries
    /// first, or use [`Verifier::with_keys`], which refuses to build a verifier without keys.
    pub fn with_key_set(keys: KeySet) -> Self {
        Self::with_key_store(KeyStore::new(keys))
    }

    /// A verifier whose keys can be replaced at run time through `store` (key rotation).
    pub fn with_key_store(store: KeyStore) -> Self {
        Verifier {
            keys: store,
            validation: Validation::new(),
            limits: Limits::default(),
            instrument: None,
            known: KnownHeaders::default(),
        }
    }

    /// Replaces the claim checks.
    #[must_use]
    pub fn with_validation(mut self, validation: Validation) -> Self {
        self.validation = validation;
        self.known = KnownHeaders::default(); // the `typ` expectation may have changed
        self
    }

    /// Runs every verification inside `instrument` (tracing spans, metrics); see
    /// [`Instrument`].
    #[must_use]
    pub fn with_instrument(mut self, instrument: impl Instrument) -> Self {
        self.instrument = Some(Arc::new(instrument));
        self
    }

    /// Replaces the size limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self.known = KnownHeaders::default(); // header size and depth limits may have changed
        self
    }

    /// The verifier's keys as of now.
    pub fn key_set(&self) -> std::sync::Arc<KeySet> {
        self.keys.snapshot()
    }

    /// The handle that replaces this verifier's keys (shared with its clones).
    pub const fn key_store(&self) -> &KeyStore {
        &self.keys
    }

    /// The verifier's size limits.
    pub const fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The verifier's claim checks.
    pub const fn validation(&self) -> &Validation {
        &self.validation
    }

    /// Verifies `token` and returns its header and claims.
    ///
    /// # Errors
    /// The first check that fails, as an [`Error`] whose [`kind`](Error::kind) says which.
    pub fn verify<C: DeserializeOwned>(&self, token: &str) -> Result<Verified<C>, Error> {
        self.verify_reporting(token)
    }

    /// Like [`verify`](Verifier::verify), but a token that fails *only* a time check (`exp`,
    /// `nbf`, `iat`) hands back its verified claims inside the [`Rejection`], for refresh flows.
    ///
    /// ```
    /// use jwt_core::{Algorithm, ErrorKind, FixedClock, SigningKey, Validation, Verifier};
    ///
    /// let key = SigningKey::from_hmac_secret(Algorithm::HS256, &[42; 32])?;
    /// let token = jwt_core::encode(&key, &serde_json::json!({"sub": "alice", "exp": 1000}))?;
    /// let verifier = Verifier::new(&key).with_validation(Validation::new().clock(FixedClock(2000)));
    ///
    /// let rejection = verifier.verify_detailed::<serde_json::Value>(&token).unwrap_err();
    /// assert_eq!(rejection.error().kind(), ErrorKind::Expired);
    /// let expired = rejection.into_verified_despite_time().expect("only exp failed");
    /// assert_eq!(expired.claims()["sub"], "alice");
    /// # Ok::<(), jwt_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// A [`Rejection`] holding the error, and the claims when only time failed.
    pub fn verify_detailed<C: DeserializeOwned>(
        &self,
        token: &str,
    ) -> Result<Verified<C>, Rejection<C>> {
        self.verify_reporting(token)
    }

    /// [`verify`](Verifier::verify) and [`verify_detailed`](Verifier::verify_detailed), each
    /// building its own kind of result in place.
    #[inline(always)]
    fn verify_reporting<C: DeserializeOwned, E: Failure<C>>(
        &self,
        token: &str,
    ) -> Result<Verified<C>, E> {
        match &self.instrument {
            None => self.verify_owned(token, &mut Silent),
            Some(instrument) => {
                observed_once(&**instrument, |recorder| self.verify_owned(token, recorder))
            }
        }
    }

    #[inline(always)]
    fn verify_owned<C: DeserializeOwned, R: Recorder + ?Sized, E: Failure<C>>(
        &self,
        token: &str,
        recorder: &mut R,
    ) -> Result<Verified<C>, E> {
        let mut payload = Scratch::<STACK_PAYLOAD>::new();
        let outcome = self.run(token, recorder, |encoded| {
            payload.decode(encoded, Segment::Payload)
        });
        finish(outcome, recorder)
    }

    /// Verifies `token` into a claims type that borrows from the decoded payload, which is
    /// written into `buffer` (reuse it across calls to avoid allocating).
    ///
    /// ```
    /// use jwt_core::{Algorithm, SigningKey, Verifier};
    /// use serde::Deserialize;
    ///
    /// #[derive(Deserialize)]
    /// struct Claims<'a> { sub: &'a str }
    ///
    /// let key = SigningKey::from_hmac_secret(Algorithm::HS256, &[42; 32])?;
    /// let token = jwt_core::encode(&key, &serde_json::json!({"sub": "alice", "exp": 4102444800u64}))?;
    /// let mut buffer = Vec::new();
    /// let verified = Verifier::new(&key).verify_borrowed::<Claims<'_>>(&token, &mut buffer)?;
    /// assert_eq!(verified.claims().sub, "alice");
    /// # Ok::<(), jwt_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`verify`](Verifier::verify).
    pub fn verify_borrowed<'b, C: Deserialize<'b>>(
        &self,
        token: &str,
        buffer: &'b mut Vec<u8>,
    ) -> Result<Verified<C>, Error> {
        let mut buffer = Some(buffer);
        let mut run = |recorder: &mut dyn Recorder| {
            let outcome = self.run(token, recorder, |encoded| match buffer.take() {
                Some(buffer) => token::decode_into_vec(encoded, buffer, Segment::Payload),
                None => Err(Error::Malformed("internal: payload buffer reused")),
            });
            finish(outcome, recorder)
        };
        match &self.instrument {
            None => run(&mut Silent),
            Some(instrument) => observed_once(&**instrument, run),
        }
    }

    /// Verifies `token` with every check and returns the payload as the token carries it: the
    /// exact JSON bytes, for tools that print or forward claims without a claims type.
    ///
    /// ```
    /// use jwt_core::{Algorithm, SigningKey, Verifier};
    ///
    /// let key = SigningKey::from_hmac_secret(Algorithm::HS256, &[5; 32])?;
    /// let token = jwt_core::Encoder::new(&key).encode_json(r#"{"exp":4102444800,"n":1e400}"#)?;
    /// let verified = Verifier::new(&key).verify_raw(&token)?;
    /// assert_eq!(verified.claims().as_slice(), br#"{"exp":4102444800,"n":1e400}"#);
    /// # Ok::<(), jwt_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`verify`](Verifier::verify).
    pub fn verify_raw(&self, token: &str) -> Result<Verified<Vec<u8>>, Error> {
        let mut payload = Vec::new();
        let (header, times) = {
            let verified = self.verify_borrowed::<serde::de::IgnoredAny>(token, &mut payload)?;
            (verified.header, verified.times)
        };
        Ok(Verified {
            header,
            claims: payload,
            times,
        })
    }

    /// The whole pipeline for one token; `decode_payload` puts the payload where the claims may
    /// borrow from it.
    #[inline(always)]
    fn run<'b, C: Deserialize<'b>, R: Recorder + ?Sized, E: Failure<C>>(
        &self,
        token: &str,
        recorder: &mut R,
        decode_payload: impl FnOnce(&[u8]) -> Result<&'b [u8], Error>,
    ) -> Result<Verified<C>, E> {
        let parts = Parts::split(token.as_bytes(), &self.limits)?;
        let payload = decode_payload(parts.payload)?;
        let header = self.check_signature(&parts, recorder)?;
        self.check_claims(header, payload, recorder)
    }

    /// Steps 2-5: header, key, signature. Returns the verified header.
    #[inline(always)]
    fn check_signature<R: Recorder + ?Sized>(
        &self,
        parts: &Parts<'_>,
        recorder: &mut R,
    ) -> Result<Header, Error> {
        let keys = self.keys.load();
        // A header segment byte-identical to one that already passed the policy under these keys
        // and this verifier's limits and validation: decoding, parsing and policing it again
        // would give the same header (see `KnownHeaders`).
        if let Some(header) = self.known.find(parts.header, &keys) {
            recorder.header(Some(header.algorithm()), header.kid(), header.typ());
            let mut signature_buf = SignatureBuf::new();
            let signature = signature_buf.decode(parts)?;
            let key = keys.select(&header)?;
            key.verify(parts.signing_input, signature)?;
            return Ok(header);
        }

        let header_len = crate::base64url::decoded_len(parts.header.len())
            .ok_or(Error::InvalidBase64(Segment::Header))?;
        if header_len > self.limits.max_header_len {
            return Err(Error::HeaderTooLarge {
                limit: self.limits.max_header_len,
            });
        }
        let mut header_buf = Scratch::<STACK_HEADER>::new();
        let header_bytes = header_buf.decode(parts.header, Segment::Header)?;
        let mut signature_buf = SignatureBuf::new();
        let signature = signature_buf.decode(parts)?;

        // Steps 3-4: a strict object first, then the policy in a fixed order.
        let raw = RawHeader::parse(header_bytes, self.limits.max_json_depth)?;
        raw.record(recorder);
        let header = raw.police(
            |alg| keys.allows(alg),
            |typ| self.validation.typ_matches(typ),
        )?;
        // Step 5: one key from configuration, never "try them all".
        let key = keys.select(&header)?;
        key.verify(parts.signing_input, signature)?;
        // Only a header that came with a valid signature is remembered: forgers cannot fill
        // the table, and what it holds is what this verifier's keys actually accept.
        self.known.remember(parts.header, &header, &keys);
        Ok(header)
    }

    /// Step 6: the payload, once, into `C`, with the registered claims checked on the way.
    #[inline(always)]
    fn check_claims<'b, C: Deserialize<'b>, R: Recorder + ?Sized, E: Failure<C>>(
        &self,
        header: Header,
        payload: &'b [u8],
        recorder: &mut R,
    ) -> Result<Verified<C>, E> {
        let now = self.validation.clock.now_unix();
        let checked = match claims::parse::<C>(
            payload,
            self.limits.max_json_depth,
            Mode::Validate {
                validation: &self.validation,
                now,
            },
        ) {
            Ok(checked) => checked,
            Err(error) => {
                if recorder.wants_claims_of_refused_tokens() {
                    record_whose(payload, self.limits.max_json_depth, recorder);
                }
                return Err(E::from(error));
            }
        };
        if let Some(issuer) = &checked.issuer {
            recorder.issuer(issuer);
        }
        if let Some(subject) = &checked.subject {
            recorder.subject(subject);
        }
        let verified = Verified {
            header,
            claims: checked.claims,
            times: checked.times,
        };
        match checked.time_failure {
            None => Ok(verified),
            Some(error) => Err(E::time_failure(error, verified)),
        }
    }
}

/// Tells the recorder the `iss` and `sub` of a signed token whose claims were refused: the
/// signature is valid, so the token comes from a holder of one of our keys, and `wrong_issuer`
/// is where an operator needs to know whose token it was. Rejections after the signature check
/// are rare: a cold path, kept out of line.
#[cold]
#[inline(never)]
fn record_whose<R: Recorder + ?Sized>(payload: &[u8], max_depth: usize, recorder: &mut R) {
    let (issuer, subject) = claims::issuer_and_subject(payload, max_depth);
    if let Some(issuer) = &issuer {
        recorder.issuer(issuer);
    }
    if let Some(subject) = &subject {
        recorder.subject(subject);
    }
}

/// Where a signature is decoded: a small buffer for most keys, a larger one made only for RSA.
struct SignatureBuf {
    small: Scratch<SMALL_SIGNATURE>,
    large: Option<Scratch<STACK_SIGNATURE>>,
}

impl SignatureBuf {
    const fn new() -> Self {
        SignatureBuf {
            small: Scratch::new(),
            large: None,
        }
    }

    /// Decodes the signature segment, refusing lengths no supported key produces.
    fn decode(&mut self, parts: &Parts<'_>) -> Result<&[u8], Error> {
        let signature_len = crate::base64url::decoded_len(parts.signature.len())
            .ok_or(Error::InvalidBase64(Segment::Signature))?;
        if signature_len > MAX_SIGNATURE {
            return Err(Error::InvalidSignature); // longer than any key's signature
        }
        if signature_len <= SMALL_SIGNATURE {
            self.small.decode(parts.signature, Segment::Signature)
        } else {
            self.large
                .insert(Scratch::new())
                .decode(parts.signature, Segment::Signature)
        }
    }
}

/// Header segments this verifier has decoded, parsed and policed, by their exact bytes.
///
/// Whether a header segment passes (and the [`Header`] it gives) is a pure function of its bytes,
/// the key set (the algorithms it allows), the size and depth [`Limits`] and the `typ` of the
/// [`Validation`]. The last two are fixed for the life of a table: the builder methods that change
/// them start a new one, and so does `Clone`. The key set is compared by identity on every lookup,
/// so [`KeyStore::replace`] invalidates every entry at once. A hit therefore skips only work whose
/// outcome is known; key selection and the signature check always run.
///
/// Bounded: at most [`KNOWN_HEADERS`] entries, newest first, each added only after its token's
/// signature verified, so what an attacker sends cannot grow or churn it. An entry holds its key
/// set only weakly (rotated-out keys are dropped on time), which also keeps the set's address from
/// being reused while the entry exists.
#[derive(Default)]
struct KnownHeaders(ArcSwapOption<[Option<Arc<KnownHeader>>; KNOWN_HEADERS]>);

struct KnownHeader {
    encoded: Box<[u8]>,
    header: Header,
    keys: Weak<KeySet>,
}

impl KnownHeader {
    fn matches(&self, encoded: &[u8], keys: &Arc<KeySet>) -> bool {
        *self.encoded == *encoded && std::ptr::eq(self.keys.as_ptr(), Arc::as_ptr(keys))
    }
}

impl KnownHeaders {
    /// The header of `encoded` if it passed the policy under `keys` before.
    fn find(&self, encoded: &[u8], keys: &Arc<KeySet>) -> Option<Header> {
        let table = self.0.load();
        let known = table
            .as_deref()?
            .iter()
            .flatten()
            .find(|k| k.matches(encoded, keys))?;
        Some(known.header.clone())
    }

    /// Adds `encoded` (which verified as `header` under `keys`) in front, dropping the oldest
    /// entry and those of other key sets.
    fn remember(&self, encoded: &[u8], header: &Header, keys: &Arc<KeySet>) {
        let old = self.0.load_full();
        let mut table: [Option<Arc<KnownHeader>>; KNOWN_HEADERS] = Default::default();
        let mut slots = table.iter_mut();
        if let Some(first) = slots.next() {
            *first = Some(Arc::new(KnownHeader {
                encoded: encoded.into(),
                header: header.clone(),
                keys: Arc::downgrade(keys),
            }));
        }
        let kept = old
            .iter()
            .flat_map(|entries| entries.iter().flatten())
            .filter(|k| std::ptr::eq(k.keys.as_ptr(), Arc::as_ptr(keys)) && *k.encoded != *encoded);
        for (slot, known) in slots.zip(kept) {
            *slot = Some(Arc::clone(known));
        }
        self.0.store(Some(Arc::new(table)));
    }
}

impl Clone for KnownHeaders {
    /// A clone starts empty (it may be given other limits or validation next).
    fn clone(&self) -> Self {
        KnownHeaders::default()
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("keys", &self.keys)
            .field("validation", &self.validation)
            .field("limits", &self.limits)
            .field("instrumented", &self.instrument.is_some())
            .finish()
    }
}

/// Runs one verification inside `instrument`: `run` goes once, with the instrument's recorder
/// the first time the instrument calls back (later calls do nothing), or uninstrumented if it
/// never does (see [`Instrument`]).
fn observed_once<T>(instrument: &dyn Instrument, mut run: impl FnMut(&mut dyn Recorder) -> T) -> T {
    let mut result = None;
    instrument.observe(&mut |recorder| {
        if result.is_none() {
            result = Some(run(recorder));
        }
    });
    result.unwrap_or_else(|| run(&mut Silent))
}

/// Reports the outcome to the recorder and hands it back.
#[inline(always)]
fn finish<C, R: Recorder + ?Sized, E: Failure<C>>(
    outcome: Result<Verified<C>, E>,
    recorder: &mut R,
) -> Result<Verified<C>, E> {
    recorder.finished(outcome.as_ref().map(|_| ()).map_err(E::error));
    outcome
}

/// How the pipeline reports a failure: as a bare [`Error`] ([`Verifier::verify`]) or as a
/// [`Rejection`] that keeps the claims of a token that failed only a time check
/// ([`Verifier::verify_detailed`]). The pipeline is generic over it so that `verify` builds its
/// result in place: converting a `Rejection` result into an `Error` one moved the whole
/// verified token, about 2% of an HS256 verification.
trait Failure<C>: From<Error> {
    /// The failure of a token whose only problem is `error`, a time check.
    fn time_failure(error: Error, verified: Verified<C>) -> Self;

    /// The error.
    fn error(&self) -> &Error;
}

impl<C> Failure<C> for Error {
    fn time_failure(error: Error, _verified: Verified<C>) -> Self {
        error
    }

    fn error(&self) -> &Error {
        self
    }
}

impl<C> Failure<C> for Rejection<C> {
    fn time_failure(error: Error, verified: Verified<C>) -> Self {
        Rejection {
            error,
            verified: Some(Box::new(verified)),
        }
    }

    fn error(&self) -> &Error {
        &self.error
    }
}

/// A token whose signature and claims were verified.
#[derive(Clone)]
pub struct Verified<C> {
    header: Header,
    claims: C,
    times: TimeClaims,
}

impl<C> Verified<C> {
    /// The verified header.
    pub const fn header(&self) -> &Header {
        &self.header
    }

    /// The verified claims.
    pub const fn claims(&self) -> &C {
        &self.claims
    }

    /// The registered time claims (`exp`, `nbf`, `iat`) as read during validation.
    pub const fn times(&self) -> &TimeClaims {
        &self.times
    }

    /// The claims, consuming the token.
    pub fn into_claims(self) -> C {
        self.claims
    }

    /// Header and claims, consuming the token.
    pub fn into_parts(self) -> (Header, C) {
        (self.header, self.claims)
    }
}

impl<C: fmt::Debug> fmt::Debug for Verified<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("header", &self.header)
            .field("claims", &self.claims)
            .field("times", &self.times)
            .finish()
    }
}

/// Why [`Verifier::verify_detailed`] refused a token, with the verified claims when the only
/// failure was a time claim.
pub struct Rejection<C> {
    error: Error,
    /// Boxed: time failures are rare, and the error path should stay a few words wide.
    verified: Option<Box<Verified<C>>>,
}

impl<C> Rejection<C> {
    /// The error.
    pub const fn error(&self) -> &Error {
        &self.error
    }

    /// The error, dropping any claims.
    pub fn into_error(self) -> Error {
        self.error
    }

    /// The token as verified, if signature and every non-time check passed and only `exp`,
    /// `nbf` or `iat` failed. Use it to refresh sessions, never to authorise a request.
    pub fn verified_despite_time(&self) -> Option<&Verified<C>> {
        self.verified.as_deref()
    }

    /// Owned form of [`verified_despite_time`](Rejection::verified_despite_time).
    pub fn into_verified_despite_time(self) -> Option<Verified<C>> {
        self.verified.map(|boxed| *boxed)
    }
}

impl<C> From<Error> for Rejection<C> {
    fn from(error: Error) -> Self {
        Rejection {
            error,
            verified: None,
        }
    }
}

impl<C> From<Rejection<C>> for Error {
    fn from(rejection: Rejection<C>) -> Self {
        rejection.error
    }
}

impl<C> fmt::Debug for Rejection<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rejection")
            .field("error", &self.error)
            .field("claims_available", &self.verified.is_some())
            .finish()
    }
}

impl<C> fmt::Display for Rejection<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl<C> std::error::Error for Rejection<C> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Algorithm, Encoder, ErrorKind, SigningKey};
    use serde_json::{Value, json};

    fn hs256(secret: u8) -> SigningKey {
        SigningKey::from_hmac_secret(Algorithm::HS256, &[secret; 32]).unwrap()
    }

    fn claims() -> Value {
        json!({"exp": 4_102_444_800u64})
    }

    /// How many headers `verifier` remembers.
    fn remembered(verifier: &Verifier) -> usize {
        verifier
            .known
            .0
            .load()
            .as_deref()
            .map_or(0, |table| table.iter().flatten().count())
    }

    fn kind(verifier: &Verifier, token: &str) -> ErrorKind {
        verifier.verify::<Value>(token).unwrap_err().kind()
    }

    #[test]
    fn a_remembered_header_still_gets_its_signature_checked_against_the_current_keys() {
        let (old, new) = (hs256(1), hs256(2));
        let store = KeyStore::new(KeySet::new([old.verifying_key()]).unwrap());
        let verifier = Verifier::with_key_store(store.clone());
        let token = crate::encode(&old, &claims()).unwrap();
        verifier.verify::<Value>(&token).unwrap();
        assert_eq!(remembered(&verifier), 1);
        // Same header bytes, other key: the signature decides, as without the table.
        let forged = crate::encode(&new, &claims()).unwrap();
        assert_eq!(kind(&verifier, &forged), ErrorKind::InvalidSignature);

        store.replace(KeySet::new([new.verifying_key()]).unwrap());
        assert_eq!(kind(&verifier, &token), ErrorKind::InvalidSignature);
        verifier.verify::<Value>(&forged).unwrap();
        // The old key set's entry is gone, the new one's is in.
        assert_eq!(remembered(&verifier), 1);

        // A key set without HS256: the header that passed before now fails the policy.
        let es256 = SigningKey::generate(Algorithm::ES256).unwrap();
        store.replace(KeySet::new([es256.verifying_key()]).unwrap());
        assert_eq!(kind(&verifier, &forged), ErrorKind::AlgorithmNotAllowed);
    }

    #[test]
    fn changing_validation_or_limits_forgets_what_was_remembered() {
        let key = hs256(1);
        let token = crate::encode(&key, &claims()).unwrap();
        let verifier = Verifier::new(&key);
        verifier.verify::<Value>(&token).unwrap();
        assert_eq!(remembered(&verifier), 1);
        assert_eq!(remembered(&verifier.clone()), 0);

        let typed = verifier
            .clone()
            .with_validation(Validation::new().typ("at+jwt"));
        assert_eq!(kind(&typed, &token), ErrorKind::WrongType);
        let typed = verifier
            .clone()
            .with_limits(Limits::default().max_header_len(8));
        assert_eq!(kind(&typed, &token), ErrorKind::TooLarge);
        let shallow = verifier.with_limits(Limits::default().max_json_depth(0));
        assert_eq!(kind(&shallow, &token), ErrorKind::InvalidHeader);
    }

    #[test]
    fn the_table_is_bounded_and_only_valid_tokens_enter_it() {
        let key = hs256(1);
        let verifier = Verifier::new(&key);
        let tokens: Vec<String> = (0..10)
            .map(|i| {
                Encoder::new(&key)
                    .member("n", i)
                    .unwrap()
                    .encode(&claims())
                    .unwrap()
            })
            .collect();
        for token in &tokens {
            verifier.verify::<Value>(token).unwrap();
            assert!(remembered(&verifier) <= KNOWN_HEADERS);
        }
        assert_eq!(remembered(&verifier), KNOWN_HEADERS);
        // All still verify, remembered or not, and in any order.
        for token in tokens.iter().rev() {
            verifier.verify::<Value>(token).unwrap();
        }
        // A forged token with a fresh header is not remembered.
        let fresh = Encoder::new(&hs256(9)).kid("x").encode(&claims()).unwrap();
        let before = verifier.known.0.load_full();
        assert_eq!(kind(&verifier, &fresh), ErrorKind::InvalidSignature);
        let after = verifier.known.0.load_full();
        assert!(matches!((before, after), (Some(a), Some(b)) if Arc::ptr_eq(&a, &b)));
    }

    #[test]
    fn a_hit_gives_the_same_header_and_errors_as_a_miss() {
        let key = hs256(1).with_kid("k1");
        let verifier = Verifier::new(&key);
        let token = crate::encode(&key, &claims()).unwrap();
        let first = verifier.verify::<Value>(&token).unwrap();
        let second = verifier.verify::<Value>(&token).unwrap();
        assert_eq!(first.header(), second.header());
        assert_eq!(second.header().kid(), Some("k1"));
        // Remembered header, broken signature segment: the same errors as a fresh verifier.
        let (signing_input, _) = token.rsplit_once('.').unwrap();
        for signature in ["A", "AAA=", "!!!!", &"A".repeat(1400), "AAAA"] {
            let bad = format!("{signing_input}.{signature}");
            assert_eq!(
                kind(&verifier, &bad),
                kind(&Verifier::new(&key), &bad),
                "{signature}"
            );
        }
    }
}
