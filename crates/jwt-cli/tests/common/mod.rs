//! Shared helpers for the `jwt` binary's integration tests: run the built binary, check the
//! exit-code contract, make temporary key files, and craft tokens `jwt encode` refuses to make.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use base64ct::{Base64UrlUnpadded, Encoding};

/// What one run of `jwt` produced.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Runs `jwt ARGS` with empty stdin.
pub(crate) fn jwt(args: &[&str]) -> Run {
    jwt_stdin(args, b"")
}

/// Runs `jwt ARGS` with `input` on stdin.
pub(crate) fn jwt_stdin(args: &[&str], input: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jwt"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the jwt binary");
    let mut stdin = child.stdin.take().expect("stdin");
    // The binary may exit before reading everything (e.g. on a usage error): ignore EPIPE.
    let _ = stdin.write_all(input);
    drop(stdin);
    let output = child.wait_with_output().expect("wait for jwt");
    Run {
        code: output
            .status
            .code()
            .expect("jwt exited normally, not by a signal"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

impl Run {
    /// Asserts exit code 0 and returns stdout without its one trailing newline.
    #[track_caller]
    pub(crate) fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success, got {self:#?}");
        self.stdout
            .strip_suffix('\n')
            .unwrap_or_else(|| panic!("stdout must end with a newline: {self:#?}"))
    }

    /// Asserts exit code 1 (token rejected), empty stdout, one `error:` line; returns the line.
    #[track_caller]
    pub(crate) fn rejected(&self) -> &str {
        self.failed(1)
    }

    /// Asserts exit code 2 (usage error), empty stdout, one `error:` line; returns the line.
    #[track_caller]
    pub(crate) fn usage(&self) -> &str {
        self.failed(2)
    }

    /// Asserts exit code 1 and that the line names `code` (a jwt-core ErrorKind code).
    #[track_caller]
    pub(crate) fn rejected_with(&self, code: &str) {
        let line = self.rejected();
        assert!(line.contains(code), "expected `{code}` in {line:?}");
    }

    #[track_caller]
    fn failed(&self, code: i32) -> &str {
        assert_eq!(self.code, code, "wrong exit code: {self:#?}");
        assert!(self.stdout.is_empty(), "stdout must be empty: {self:#?}");
        assert_one_error_line(&self.stderr);
        self.stderr.trim_end_matches('\n')
    }
}

/// Exactly one line on stderr, starting with `error: `.
#[track_caller]
pub(crate) fn assert_one_error_line(stderr: &str) {
    assert!(
        stderr.starts_with("error: "),
        "stderr must start with `error: `: {stderr:?}"
    );
    assert!(
        stderr.ends_with('\n') && stderr.matches('\n').count() == 1,
        "stderr must be exactly one line: {stderr:?}"
    );
}

/// The shared test keys (tests/interop/keys, see its README).
pub(crate) fn keys_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/keys")
}

/// The path of one test key, as a string for the command line.
pub(crate) fn key(name: &str) -> String {
    let path = keys_dir().join(name);
    assert!(path.exists(), "missing test key {}", path.display());
    path.to_str().expect("UTF-8 path").to_owned()
}

pub(crate) fn key_bytes(name: &str) -> Vec<u8> {
    std::fs::read(keys_dir().join(name)).expect("read test key")
}

/// A temporary file with `contents`, unique per process and call; removed on drop.
pub(crate) struct TempFile(PathBuf);

impl TempFile {
    pub(crate) fn new(hint: &str, contents: impl AsRef<[u8]>) -> TempFile {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "jwt-cli-test-{}-{n}-{nanos}-{hint}",
            std::process::id()
        ));
        std::fs::write(&path, contents).expect("write temp file");
        TempFile(path)
    }

    pub(crate) fn path(&self) -> &str {
        self.0.to_str().expect("UTF-8 temp path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

pub(crate) fn b64(bytes: impl AsRef<[u8]>) -> String {
    Base64UrlUnpadded::encode_string(bytes.as_ref())
}

pub(crate) fn unb64(text: &str) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(text).expect("base64url")
}

/// The decoded header (segment 0) or payload (segment 1) of a token, as text.
pub(crate) fn segment(token: &str, index: usize) -> String {
    let part = token.split('.').nth(index).expect("segment");
    String::from_utf8(unb64(part)).expect("UTF-8 segment")
}

/// A token with exactly these header and payload bytes, HMAC-signed: for hostile inputs.
pub(crate) fn hmac_token(alg: &str, header: &str, payload: &str, secret: &[u8]) -> String {
    let hmac = match alg {
        "HS256" => ring::hmac::HMAC_SHA256,
        "HS384" => ring::hmac::HMAC_SHA384,
        "HS512" => ring::hmac::HMAC_SHA512,
        other => panic!("not an HMAC alg: {other}"),
    };
    let input = format!("{}.{}", b64(header), b64(payload));
    let tag = ring::hmac::sign(&ring::hmac::Key::new(hmac, secret), input.as_bytes());
    format!("{input}.{}", b64(tag.as_ref()))
}

/// An HS256 token over `header`/`payload` with the shared `hs256.secret`.
pub(crate) fn hs256(header: &str, payload: &str) -> String {
    hmac_token("HS256", header, payload, &key_bytes("hs256.secret"))
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}
