//! Token sources: cookie (opt-in), query parameter (opt-in, RFC 6750 §2.3), never two at once.

use actix_web::http::StatusCode;

use crate::common::*;

fn with_cookie(path: &str, cookie: &str) -> actix_web::test::TestRequest {
    get(path).insert_header(("Cookie", cookie.to_owned()))
}

#[actix_web::test]
async fn a_configured_cookie_is_read() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let config = config(&key).cookie("access_token");
    for cookie in [
        format!("access_token={token}"),
        format!("theme=dark; access_token={token}; lang=en"),
        format!("access_token=\"{token}\""),
    ] {
        let reply = send(Some(config.clone()), with_cookie("/me", &cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{cookie}");
        assert_eq!(reply.json()["source"], "cookie");
    }
}

#[actix_web::test]
async fn cookies_are_ignored_unless_configured() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let reply = send(
        Some(config(&key)),
        with_cookie("/me", &format!("access_token={token}")),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.challenge(), Some(BARE));
}

#[actix_web::test]
async fn an_empty_cookie_counts_as_no_credentials() {
    let key = key("k1");
    let config = config(&key).cookie("access_token");
    let reply = send(
        Some(config),
        with_cookie("/me", "access_token=; theme=dark"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.challenge(), Some(BARE));
}

#[actix_web::test]
async fn a_bad_cookie_is_400_or_401() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let config = config(&key).cookie("access_token");
    let twice = format!("access_token={token}; access_token={token}");
    let reply = send(Some(config.clone()), with_cookie("/me", &twice)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.challenge(),
        Some(invalid_request("the token cookie appears more than once").as_str())
    );
    let reply = send(Some(config.clone()), with_cookie("/me", "access_token=a,b")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = send(Some(config), with_cookie("/me", "access_token=abc.def.ghi")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["error"], "invalid_token");
}

#[actix_web::test]
async fn header_and_cookie_together_are_400() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let config = config(&key).cookie("access_token");
    let req = bearer("/me", &token).insert_header(("Cookie", format!("access_token={token}")));
    let reply = send(Some(config), req).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.challenge(),
        Some(invalid_request("the request carries credentials in more than one place").as_str())
    );
}

#[actix_web::test]
async fn a_basic_header_and_a_cookie_are_one_bearer_source() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let config = config(&key).cookie("access_token");
    let req = with_cookie("/me", &format!("access_token={token}"))
        .insert_header(("Authorization", "Basic YWxpY2U6c2VjcmV0"));
    let reply = send(Some(config), req).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[actix_web::test]
async fn query_tokens_are_ignored_unless_enabled() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let reply = send(
        Some(config(&key)),
        get(&format!("/me?access_token={token}")),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.challenge(), Some(BARE));
}

#[actix_web::test]
async fn query_tokens_are_read_when_enabled() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let config = config(&key).allow_query_parameter();
    let reply = send(
        Some(config.clone()),
        get(&format!("/me?x=1&access_token={token}")),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["source"], "query");

    let both = bearer(&format!("/me?access_token={token}"), &token);
    let reply = send(Some(config.clone()), both).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);

    let twice = get(&format!("/me?access_token={token}&access_token={token}"));
    let reply = send(Some(config.clone()), twice).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.challenge(),
        Some(invalid_request("the access_token query parameter appears more than once").as_str())
    );

    let spaced = get("/me?access_token=abc+def");
    let reply = send(Some(config), spaced).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn the_header_can_be_switched_off_for_cookie_only_services() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let config = config(&key)
        .cookie("session")
        .without_authorization_header();
    let reply = send(Some(config.clone()), bearer("/me", &token)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.challenge(), Some(BARE));
    let reply = send(
        Some(config),
        with_cookie("/me", &format!("session={token}")),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}

/// With the query parameter enabled, other parameters are not judged: a badly encoded one
/// neither breaks a request authenticated by its header nor an anonymous one.
#[actix_web::test]
async fn unrelated_query_parameters_never_break_a_request() {
    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let config = config(&key).allow_query_parameter();
    let reply = send(Some(config.clone()), bearer("/me?100%=off&q=%zz", &token)).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.json()["source"], "header");
    let reply = send(Some(config.clone()), get("/optional?100%=off")).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let reply = send(
        Some(config.clone()),
        get(&format!("/me?100%=off&access_token={token}")),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    // The token's own parameter must still be well formed.
    let reply = send(Some(config), get("/me?access_token=abc%zz")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

/// RFC 6750 §2.3: behind `BearerAuth`, a successful response to a query-token request is
/// `Cache-Control: private` unless the handler chose its own; other requests are untouched.
#[actix_web::test]
async fn query_token_responses_behind_the_middleware_are_private() {
    use actix_web::http::header::CACHE_CONTROL;
    use actix_web::{App, HttpResponse, test, web};
    use jwt_actix::BearerAuth;

    let key = key("k1");
    let token = token(&key, &claims("alice", "read"));
    let app = test::init_service(
        App::new()
            .app_data(config(&key).allow_query_parameter())
            .service(
                web::scope("/mw")
                    .wrap(BearerAuth::new())
                    .route("/ping", web::get().to(HttpResponse::Ok))
                    .route(
                        "/cached",
                        web::get().to(|| async {
                            HttpResponse::Ok()
                                .insert_header((CACHE_CONTROL, "no-store"))
                                .finish()
                        }),
                    ),
            ),
    )
    .await;
    let cache_control = |reply: &Reply| {
        reply
            .headers
            .get(CACHE_CONTROL)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let by_query = get(&format!("/mw/ping?access_token={token}")).to_request();
    let reply = read(test::call_service(&app, by_query).await).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(cache_control(&reply).as_deref(), Some("private"));
    let own = get(&format!("/mw/cached?access_token={token}")).to_request();
    let reply = read(test::call_service(&app, own).await).await;
    assert_eq!(cache_control(&reply).as_deref(), Some("no-store"));
    let by_header = bearer("/mw/ping", &token).to_request();
    let reply = read(test::call_service(&app, by_header).await).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(cache_control(&reply), None);
}
