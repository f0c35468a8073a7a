//! Every committed seed (`corpus/<target>/`) through its target, without libFuzzer: the targets'
//! invariants hold on the seeds, and the fuzz crate keeps compiling against jwt-core. Run by
//! `cargo xtask ci` as `cargo test --no-default-features` in this directory. Crashes found by
//! fuzzing are added to the corpus (minimised) so they are replayed here too.

use std::path::Path;

fn run_seeds(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        run(&data);
        count += 1;
    }
    assert!(count >= 10, "{target}: only {count} seeds in {}", dir.display());
}

#[test]
fn verify_seeds() {
    run_seeds("verify", jwt_core_fuzz::targets::verify::run);
}

#[test]
fn header_claims_seeds() {
    run_seeds("header_claims", jwt_core_fuzz::targets::header_claims::run);
}

#[test]
fn jwk_seeds() {
    run_seeds("jwk", jwt_core_fuzz::targets::jwk::run);
}

#[test]
fn keys_seeds() {
    run_seeds("keys", jwt_core_fuzz::targets::keys::run);
}

#[test]
fn roundtrip_seeds() {
    run_seeds("roundtrip", jwt_core_fuzz::targets::roundtrip::run);
}
