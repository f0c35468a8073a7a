//! A demo with fast password hashing, and token helpers.
#![allow(dead_code)]

use std::num::NonZeroU32;

use jwt_demo::{Demo, DemoConfig};

/// The demo as `cargo run` starts it, but with 1 000 PBKDF2 iterations so tests stay fast.
pub(crate) fn demo() -> Demo {
    demo_with(DemoConfig::default())
}

pub(crate) fn demo_with(config: DemoConfig) -> Demo {
    Demo::new(DemoConfig {
        pbkdf2_iterations: NonZeroU32::new(1_000).unwrap(),
        ..config
    })
    .unwrap()
}

pub(crate) fn login_body(user: &str, password: &str) -> String {
    serde_json::json!({"username": user, "password": password}).to_string()
}

pub(crate) fn refresh_body(token: &str) -> String {
    serde_json::json!({"refresh_token": token}).to_string()
}
