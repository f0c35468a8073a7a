//! The fuzz targets' bodies, one module each: called by the libFuzzer entry points in
//! `fuzz_targets/`, and by `tests/seeds.rs`, which runs every committed seed through them
//! without libFuzzer (in `cargo xtask ci`).

pub mod verify;
pub mod header_claims;
pub mod jwk;
pub mod keys;
pub mod roundtrip;
