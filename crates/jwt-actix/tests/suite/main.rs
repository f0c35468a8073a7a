//! HTTP-level tests of jwt-actix: every status, challenge and body, through `actix_web::test`.
//!
//! One test binary with modules (rather than a file per topic) so actix is linked once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs,
    unreachable_pub
)]

mod common;

mod config;
mod header;
mod middleware;
mod optional;
mod remote;
mod remote_tls;
mod renderer;
mod resolver;
mod scopes;
mod sources;
