//! libFuzzer entry point; the target itself is `jwt_core_fuzz::targets::keys`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jwt_core_fuzz::targets::keys::run(data));
