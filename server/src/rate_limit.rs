//! The sign-in routes' rate limit, and which address a request comes from.
//!
//! Each client (a browser's session, as the session store knows it) has its own quota, so one script
//! behind an office's shared address cannot lock everyone else there out. Every request also counts
//! against a generous ceiling for its address, which is what stops a flood that drops or invents its
//! cookies. Fixed one-minute windows, per replica: enough to blunt a script, nothing to coordinate.
use std::{
    collections::HashMap,
    hash::Hash,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower_sessions::Session;

use crate::{config::TrustedProxy, problem::Problem};

const WINDOW: Duration = Duration::from_secs(60);

/// Past this many keys, windows that have ended are dropped before a new key is added.
const PRUNE_PAST: usize = 10_000;

pub struct RateLimiter {
    per_client: u32,
    per_address: u32,
    trusted_proxies: Vec<TrustedProxy>,
    clients: Mutex<Windows<String>>,
    addresses: Mutex<Windows<IpAddr>>,
}

impl RateLimiter {
    pub fn new(per_client: u32, per_address: u32, trusted_proxies: Vec<TrustedProxy>) -> Self {
        Self {
            per_client,
            per_address,
            trusted_proxies,
            clients: Mutex::new(Windows::default()),
            addresses: Mutex::new(Windows::default()),
        }
    }

    /// `true` if one more request from `client` (`None`: a browser without a known session) at
    /// `address` is allowed at `now`. A client over its own quota is refused without counting against
    /// its address, so it cannot use up the address's ceiling for the others there.
    pub fn allow(&self, client: Option<&str>, address: IpAddr, now: Instant) -> bool {
        if let Some(client) = client {
            let Ok(mut clients) = self.clients.lock() else {
                return true;
            };
            if !clients.count(client.to_string(), now, self.per_client) {
                return false;
            }
        }
        let Ok(mut addresses) = self.addresses.lock() else {
            return true;
        };
        addresses.count(address, now, self.per_address)
    }

    /// Where the request comes from: the peer, unless the peer is a trusted proxy; then the right-most
    /// `X-Forwarded-For` entry that is not itself a trusted proxy (entries left of it were written by
    /// whoever sent the request, so they prove nothing). An entry that is not an address means the
    /// header cannot be read: the peer it is.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.is_trusted(peer) {
            return peer;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.iter().rev() {
            match parse_hop(hop) {
                Some(ip) if self.is_trusted(ip) => continue,
                Some(ip) => return ip,
                None => return peer,
            }
        }
        peer
    }

    fn is_trusted(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|p| p.contains(ip))
    }
}

/// An address as proxies write it: bare, or with a port (`1.2.3.4:5678`, `[2001:db8::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// One fixed window per key: when it started and how many requests it has seen.
struct Windows<K>(HashMap<K, (Instant, u32)>);

impl<K> Default for Windows<K> {
    fn default() -> Self {
        Self(HashMap::new())
    }
}

impl<K: Hash + Eq> Windows<K> {
    /// Counts one request for `key` at `now`; `true` while the window's count is within `quota`.
    fn count(&mut self, key: K, now: Instant, quota: u32) -> bool {
        if self.0.len() > PRUNE_PAST {
            self.0
                .retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = self.0.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 <= quota
    }
}

/// The session id, if the browser sent one the store knows. Reading the session loads it, and the load
/// forgets an id the store does not know, so made-up cookies do not buy fresh quotas.
async fn known_session(session: &Session) -> Option<String> {
    session.get_value("rate_limit").await.ok()?;
    session.id().map(|id| id.to_string())
}

pub async fn rate_limit(
    State(limiter): State<Arc<RateLimiter>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    let address = limiter.client_address(peer.ip(), request.headers());
    let client = known_session(&session).await;
    if limiter.allow(client.as_deref(), address, Instant::now()) {
        return next.run(request).await;
    }
    tracing::warn!(%address, known_client = client.is_some(), "sign-in rate limit reached");
    let mut response = Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many sign-in attempts",
        "There were too many sign-in attempts from this browser or your network. Wait a minute and \
         try again.",
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_client: u32, per_address: u32, trusted: &[&str]) -> RateLimiter {
        RateLimiter::new(
            per_client,
            per_address,
            trusted.iter().map(|t| t.parse().unwrap()).collect(),
        )
    }

    const OFFICE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 7));

    #[test]
    fn a_client_over_its_quota_does_not_stop_another_client_at_the_same_address() {
        let limiter = limiter(3, 100, &[]);
        let t0 = Instant::now();
        assert!((0..3).all(|_| limiter.allow(Some("a"), OFFICE, t0)));
        assert!(!limiter.allow(Some("a"), OFFICE, t0));
        // Refusals of `a` do not count against the office's ceiling.
        assert!((0..200).all(|_| !limiter.allow(Some("a"), OFFICE, t0)));
        assert!(limiter.allow(Some("b"), OFFICE, t0));
        assert!(limiter.allow(None, OFFICE, t0));
        assert!(limiter.allow(Some("a"), OFFICE, t0 + WINDOW));
    }

    #[test]
    fn the_address_ceiling_stops_a_flood_with_or_without_sessions() {
        let limiter = limiter(3, 5, &[]);
        let t0 = Instant::now();
        assert!((0..5).all(|i| limiter.allow(Some(&i.to_string()), OFFICE, t0)));
        assert!(!limiter.allow(None, OFFICE, t0));
        assert!(!limiter.allow(Some("fresh"), OFFICE, t0));
        assert!(
            limiter.allow(None, [198, 51, 100, 1].into(), t0),
            "other addresses"
        );
        assert!(limiter.allow(None, OFFICE, t0 + WINDOW));
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
        let limiter = limiter(3, 5, &[]);
        let peer: IpAddr = [10, 0, 0, 2].into();
        assert_eq!(
            limiter.client_address(peer, &forwarded("198.51.100.1")),
            peer
        );
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let limiter = limiter(3, 5, &["10.0.0.0/8", "192.0.2.1"]);
        let proxy: IpAddr = [10, 0, 0, 2].into();
        let client: IpAddr = [198, 51, 100, 1].into();
        assert_eq!(
            limiter.client_address(proxy, &forwarded("198.51.100.1")),
            client
        );
        // The client wrote the left-most entry itself.
        assert_eq!(
            limiter.client_address(proxy, &forwarded("1.1.1.1, 198.51.100.1, 192.0.2.1")),
            client
        );
        assert_eq!(
            limiter.client_address(proxy, &forwarded("198.51.100.1:4431")),
            client
        );
        assert_eq!(limiter.client_address(proxy, &HeaderMap::new()), proxy);
        assert_eq!(limiter.client_address(proxy, &forwarded("unknown")), proxy);
        assert_eq!(
            limiter.client_address(
                "::ffff:10.0.0.2".parse().unwrap(),
                &forwarded("198.51.100.1")
            ),
            client,
            "an IPv4 proxy seen on an IPv6 socket"
        );
    }
}
