//! What keeps `yit serve` a local tool: requests must name this server in
//! `Host` (a DNS-rebinding page names its own host) and, when a browser
//! says where a request comes from (`Origin`, `Sec-Fetch-Site`), come from
//! its own pages; writes need the server's token, given once in the URL
//! printed at start and kept in a cookie that other sites' requests do not
//! carry. Every answer forbids framing, sniffing and any script but the
//! server's own (a Content-Security-Policy), and sends a referrer to this
//! server only (`same-origin`: with `no-referrer` a browser's form posts
//! say `Origin: null`). The address with the token is redirected at once,
//! so no page's URL holds it.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::App;
use crate::front::error::{CommandError, ErrorKind};

/// The cookie that carries the token.
pub const COOKIE: &str = "yit_token";
/// The header a program sends the token in (or `Authorization: Bearer`).
pub const HEADER: &str = "x-yit-token";

const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// 128 random bits from the kernel, in hex.
pub fn new_token() -> Result<String, CommandError> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| {
            CommandError::new(ErrorKind::Internal, "cannot read /dev/urandom").because(&e)
        })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// How the printed URL names the server.
pub fn host_of(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("127.0.0.1:{}", addr.port())
    } else {
        addr.to_string()
    }
}

/// The `Host` values this server answers to: `localhost` and IP literals
/// (which no DNS rebinding can produce), on its port.
pub fn hosts_of(addr: SocketAddr) -> Vec<String> {
    vec![format!("localhost:{}", addr.port()), host_of(addr)]
}

fn host_allowed(app: &App, host: &str) -> bool {
    if app.hosts.iter().any(|h| h == host) {
        return true;
    }
    let port = app.hosts[0].rsplit_once(':').map(|(_, p)| p);
    match host.parse::<SocketAddr>() {
        Ok(addr) => Some(addr.port().to_string().as_str()) == port,
        Err(_) => false,
    }
}

fn refuse(status: StatusCode, message: &str) -> Response {
    let err = CommandError::new(ErrorKind::Refused, message);
    let mut response = (status, axum::Json(err.json())).into_response();
    secure(response.headers_mut());
    response
}

fn secure(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
}

/// The token a request carries: its header, its bearer, or its cookie.
pub fn token_of(headers: &HeaderMap) -> Option<&str> {
    if let Some(t) = headers.get(HEADER).and_then(|v| v.to_str().ok()) {
        return Some(t);
    }
    if let Some(t) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(t);
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
}

/// Compares without stopping at the first difference.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The middleware: Host, Origin and token checks, the token cookie, and
/// the security headers of every answer.
pub async fn check(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    if headers.get_all(header::HOST).iter().nth(1).is_some() {
        return refuse(StatusCode::BAD_REQUEST, "a request names one Host, not two");
    }
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return refuse(StatusCode::BAD_REQUEST, "a request must name its Host");
    };
    // an absolute-form target (`GET http://host/ HTTP/1.1`) names its
    // host twice: both must be this server, and the same
    let named = request.uri().authority().map(|a| a.as_str());
    for host in std::iter::once(host).chain(named) {
        if !host_allowed(&app, host) {
            return refuse(
                StatusCode::MISDIRECTED_REQUEST,
                &format!(
                    "this server answers to {}, not to Host {host:?}",
                    app.hosts.join(" or ")
                ),
            );
        }
    }
    if named.is_some_and(|named| !named.eq_ignore_ascii_case(host)) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "the request's target and its Host name different hosts",
        );
    }
    // a body past the limit is refused before a byte of it is read
    if headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|length| length > super::BODY_LIMIT as u64)
    {
        let mut response = refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("a request body is at most {} bytes", super::BODY_LIMIT),
        );
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    let host = host.to_owned();
    if let Some(origin) = headers.get(header::ORIGIN)
        && origin.to_str().ok() != Some(format!("http://{host}").as_str())
    {
        return refuse(
            StatusCode::FORBIDDEN,
            "a request from another site's page is refused",
        );
    }
    let writes = !matches!(*request.method(), Method::GET | Method::HEAD);
    // a link from elsewhere may open a page, never change anything
    if writes
        && let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return refuse(
            StatusCode::FORBIDDEN,
            "a request from another site's page is refused",
        );
    }
    // the URL printed at start: the token goes into a cookie, and out of
    // the address bar
    if request.method() == Method::GET
        && let Some(given) = request
            .uri()
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("token=")))
    {
        if !same_secret(given, &app.token) {
            return refuse(
                StatusCode::FORBIDDEN,
                "this is not the token this server printed",
            );
        }
        let cookie = format!("{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/", app.token);
        let mut response = (
            StatusCode::SEE_OTHER,
            [
                (header::SET_COOKIE, cookie),
                (header::LOCATION, without_token(request.uri())),
            ],
        )
            .into_response();
        secure(response.headers_mut());
        return response;
    }
    if writes && !token_of(headers).is_some_and(|t| same_secret(t, &app.token)) {
        return refuse(
            StatusCode::FORBIDDEN,
            "a change needs this server's token: open the URL `yit serve` printed, or send it in the X-Yit-Token header",
        );
    }
    // a request's body must arrive within the deadline (event streams,
    // which stay open, are not a request being read)
    let mut response = if request.uri().path() == "/events" {
        next.run(request).await
    } else {
        match tokio::time::timeout(app.limits.request, next.run(request)).await {
            Ok(response) => response,
            Err(_) => {
                let mut response = refuse(
                    StatusCode::REQUEST_TIMEOUT,
                    "the request was not answered in time (a body sent too slowly?)",
                );
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
                response
            }
        }
    };
    secure(response.headers_mut());
    response
}

/// Where the address with the token leads: the same page on this server
/// (a path such as `//elsewhere/` is this server's `/elsewhere/`, not
/// another site), with the rest of its query.
fn without_token(uri: &axum::http::Uri) -> String {
    let path = format!("/{}", uri.path().trim_start_matches(['/', '\\']));
    let rest: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|kv| !kv.is_empty() && !kv.starts_with("token="))
        .collect();
    if rest.is_empty() {
        path
    } else {
        format!("{path}?{}", rest.join("&"))
    }
}
