//! `RemoteJwks` over real HTTPS: an actix-web key server on `127.0.0.1:0` speaking TLS with a
//! certificate from a test CA (`tests/fixtures/tls/`, made by its `make.sh`). The client must
//! trust exactly what it is told to, and check that the certificate names the host.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::{App, HttpResponse, HttpServer, test, web};
use jwt_actix::{BearerConfig, Refresh, RemoteJwks, RemoteJwksError};
use jwt_core::{FetchFailure, JwkSet, SigningKey, Verifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::common::*;

const CA: &[u8] = include_bytes!("../fixtures/tls/ca.pem");
const LOCALHOST_CERT: &[u8] = include_bytes!("../fixtures/tls/localhost.pem");
const LOCALHOST_KEY: &[u8] = include_bytes!("../fixtures/tls/localhost.key");
const WRONG_NAME_CERT: &[u8] = include_bytes!("../fixtures/tls/wrong-name.pem");
const WRONG_NAME_KEY: &[u8] = include_bytes!("../fixtures/tls/wrong-name.key");

struct TlsKeyServer {
    addr: SocketAddr,
    handle: ServerHandle,
}

impl TlsKeyServer {
    /// Serves `jwks` at `/jwks` and a discovery document for `https://localhost:{port}` over
    /// TLS with the given certificate and key.
    async fn start(cert: &[u8], key: &[u8], jwks: String) -> TlsKeyServer {
        let chain = CertificateDer::pem_slice_iter(cert)
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_slice(key).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let issuer = format!("https://localhost:{}", addr.port());
        let discovery =
            serde_json::json!({"issuer": issuer, "jwks_uri": format!("{issuer}/jwks")}).to_string();
        let server = HttpServer::new(move || {
            let (jwks, discovery) = (jwks.clone(), discovery.clone());
            App::new()
                .route(
                    "/jwks",
                    web::get().to(move || {
                        let body = jwks.clone();
                        async move {
                            HttpResponse::Ok()
                                .content_type("application/jwk-set+json")
                                .body(body)
                        }
                    }),
                )
                .route(
                    "/.well-known/openid-configuration",
                    web::get().to(move || {
                        let body = discovery.clone();
                        async move {
                            HttpResponse::Ok()
                                .content_type("application/json")
                                .body(body)
                        }
                    }),
                )
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(0)
        .listen_rustls_0_23(listener, tls)
        .unwrap()
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        TlsKeyServer { addr, handle }
    }

    fn url(&self, host: &str) -> String {
        format!("https://{host}:{}/jwks", self.addr.port())
    }

    async fn stop(self) {
        self.handle.stop(false).await;
    }
}

/// The first fetch fails the TLS handshake: no keys, and the failure is reported as `tls`.
async fn assert_refused_by_tls(remote: &RemoteJwks) {
    assert_eq!(
        remote.refresh_if_due().await,
        Refresh::Failed(FetchFailure::Tls)
    );
    assert!(remote.key_store().snapshot().is_empty());
    assert_eq!(remote.stats().last_failure, Some(FetchFailure::Tls));
}

fn published(keys: &[&SigningKey]) -> String {
    JwkSet::public(keys.iter().map(|k| k.verifying_key()))
        .unwrap()
        .to_json()
}

#[actix_web::test]
async fn https_with_a_trusted_ca_fetches_keys_and_tokens_verify() {
    let signer = key("tls-1");
    let server = TlsKeyServer::start(LOCALHOST_CERT, LOCALHOST_KEY, published(&[&signer])).await;
    // By name and by IP address: the certificate names both.
    for host in ["localhost", "127.0.0.1"] {
        let remote = RemoteJwks::from_url(server.url(host))
            .root_certificates_pem(CA)
            .build()
            .unwrap();
        assert_eq!(
            remote.refresh_if_due().await,
            Refresh::Updated { keys: 1 },
            "{host}"
        );
        let config = BearerConfig::new(
            Verifier::with_key_store(remote.key_store().clone()).with_validation(validation()),
        )
        .key_resolver(remote.clone());
        let app = test::init_service(App::new().app_data(config).configure(routes)).await;
        let reply = read(
            test::call_service(
                &app,
                bearer("/me", &token(&signer, &claims("alice", "read"))).to_request(),
            )
            .await,
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{host}: {reply:?}");
        assert_eq!(reply.json()["kid"], "tls-1");
    }
    server.stop().await;
}

#[actix_web::test]
async fn discovery_over_https() {
    let signer = key("tls-2");
    let server = TlsKeyServer::start(LOCALHOST_CERT, LOCALHOST_KEY, published(&[&signer])).await;
    let remote = RemoteJwks::from_issuer(format!("https://localhost:{}", server.addr.port()))
        .root_certificates_pem(CA)
        .build()
        .unwrap();
    assert_eq!(remote.refresh_if_due().await, Refresh::Updated { keys: 1 });
    assert!(
        remote
            .key_store()
            .snapshot()
            .keys()
            .iter()
            .any(|k| k.kid() == Some("tls-2"))
    );
    server.stop().await;
}

#[actix_web::test]
async fn reject_a_server_whose_ca_is_not_trusted() {
    let signer = key("tls-3");
    let server = TlsKeyServer::start(LOCALHOST_CERT, LOCALHOST_KEY, published(&[&signer])).await;
    // The Mozilla roots do not include the test CA.
    let remote = RemoteJwks::from_url(server.url("localhost"))
        .build()
        .unwrap();
    assert_refused_by_tls(&remote).await;
    // Nor does trusting some other certificate help: here a server certificate, which is no CA.
    let remote = RemoteJwks::from_url(server.url("localhost"))
        .root_certificates_pem(WRONG_NAME_CERT)
        .build()
        .unwrap();
    assert_refused_by_tls(&remote).await;
    server.stop().await;
}

#[actix_web::test]
async fn reject_a_certificate_for_another_host() {
    let signer = key("tls-4");
    let server = TlsKeyServer::start(WRONG_NAME_CERT, WRONG_NAME_KEY, published(&[&signer])).await;
    let remote = RemoteJwks::from_url(server.url("localhost"))
        .root_certificates_pem(CA)
        .build()
        .unwrap();
    assert_refused_by_tls(&remote).await;
    server.stop().await;
}

#[actix_web::test]
async fn reject_unusable_root_certificates() {
    for pem in [&b""[..], b"not a certificate", LOCALHOST_KEY] {
        let built = RemoteJwks::from_url("https://idp.example/keys")
            .root_certificates_pem(pem)
            .build();
        assert!(
            matches!(built, Err(RemoteJwksError::Tls(_))),
            "{:?}",
            built.err()
        );
    }
    let damaged = String::from_utf8(CA.to_vec())
        .unwrap()
        .replace("MII", "MIA");
    assert!(matches!(
        RemoteJwks::from_url("https://idp.example/keys")
            .root_certificates_pem(damaged)
            .build(),
        Err(RemoteJwksError::Tls(_))
    ));
}
