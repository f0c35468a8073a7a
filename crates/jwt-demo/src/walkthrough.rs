//! The `curl` lines printed at start-up: the whole flow, copy-pasteable into a POSIX shell.
//!
//! They use only `curl` and `sed` (no `jq`), and read the tokens out of the JSON answers into
//! shell variables, so each line works after the previous one.

use std::fmt::Write as _;

/// The walkthrough for a server at `base` (e.g. `http://127.0.0.1:8080`).
pub fn curl_walkthrough(base: &str) -> String {
    let json = "-H 'content-type: application/json'";
    let grab = |var: &str, field: &str| {
        format!("{var}=$(printf '%s' \"$LOGIN\" | sed -E 's/.*\"{field}\":\"([^\"]*)\".*/\\1/')")
    };
    let mut out = String::new();
    let mut line = |text: String| {
        let _ = writeln!(out, "{text}");
    };
    line("# 1. log in as alice (scope \"read\") and keep the tokens in shell variables".into());
    line(format!(
        "LOGIN=$(curl -s -X POST {base}/login {json} -d '{{\"username\":\"alice\",\"password\":\"alice-password\"}}'); echo \"$LOGIN\""
    ));
    line(grab("ACCESS", "access_token"));
    line(grab("REFRESH", "refresh_token"));
    line("# 2. who am I? (200 with the token's claims)".into());
    line(format!(
        "curl -s {base}/me -H \"Authorization: Bearer $ACCESS\"; echo"
    ));
    line("# 3. alice is not an admin (403 insufficient_scope); no token at all is 401".into());
    line(format!(
        "curl -si {base}/admin -H \"Authorization: Bearer $ACCESS\"; echo"
    ));
    line(format!("curl -si {base}/me; echo"));
    line(
        "# 4. refresh: a new access token and a new refresh token (the old one is retired)".into(),
    );
    line(format!(
        "LOGIN=$(curl -s -X POST {base}/refresh {json} -d \"{{\\\"refresh_token\\\":\\\"$REFRESH\\\"}}\"); echo \"$LOGIN\""
    ));
    line(format!(
        "OLD_REFRESH=$REFRESH; {}",
        grab("REFRESH", "refresh_token")
    ));
    line("# 5. replaying the retired refresh token revokes the whole login: both now fail (400 invalid_grant)".into());
    line(format!(
        "curl -s -X POST {base}/refresh {json} -d \"{{\\\"refresh_token\\\":\\\"$OLD_REFRESH\\\"}}\"; echo"
    ));
    line(format!(
        "curl -s -X POST {base}/refresh {json} -d \"{{\\\"refresh_token\\\":\\\"$REFRESH\\\"}}\"; echo"
    ));
    line("# 6. log in as admin (scope \"read admin\") and call the admin route (200)".into());
    line(format!(
        "LOGIN=$(curl -s -X POST {base}/login {json} -d '{{\"username\":\"admin\",\"password\":\"admin-password\"}}')"
    ));
    line(grab("ACCESS", "access_token"));
    line(format!(
        "curl -s {base}/admin -H \"Authorization: Bearer $ACCESS\"; echo"
    ));
    line("# 7. the public keys, for anyone who wants to verify these tokens".into());
    line(format!("curl -s {base}/.well-known/jwks.json; echo"));
    out
}
