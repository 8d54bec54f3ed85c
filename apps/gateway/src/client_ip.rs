//! Which client a request comes from, for the failed-key limit and the log. Behind the web UI's
//! nginx every request arrives from nginx's address, so every client would share one failed-key
//! allowance (one guesser locks out everyone). nginx says who its client was (`X-Real-IP`, and
//! `X-Forwarded-For` with its client last); those headers are believed only from a trusted
//! proxy — loopback (`make run`'s nginx) or an address, network or host name in
//! `TRUSTED_PROXIES` (Compose: `frontend`) — since anyone else could write them.

use std::{
    net::IpAddr,
    sync::{Arc, RwLock, Weak},
    time::Duration,
};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// How often trusted host names are looked up again (a recreated container gets a new address).
const RESOLVE_EVERY: Duration = Duration::from_secs(30);

/// `TRUSTED_PROXIES`, parsed.
#[derive(Debug, Default)]
pub struct TrustedProxies {
    networks: Vec<IpNet>,
    names: Vec<String>,
    /// The names' addresses as last looked up ([`spawn_resolving`]).
    resolved: RwLock<Vec<IpAddr>>,
}

impl TrustedProxies {
    /// A comma-separated list of addresses (`172.18.0.5`), networks (`172.18.0.0/16`) and host
    /// names (`frontend`); empty trusts loopback only.
    pub fn parse(setting: &str) -> Result<Self, String> {
        let mut proxies = Self::default();
        for entry in setting.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if let Ok(network) = entry.parse::<IpNet>() {
                proxies.networks.push(network);
            } else if let Ok(address) = entry.parse::<IpAddr>() {
                proxies.networks.push(IpNet::from(address));
            } else if is_host_name(entry) {
                proxies.names.push(entry.to_ascii_lowercase());
            } else {
                return Err(format!(
                    "'{}' is not an address, a network (172.18.0.0/16) or a host name",
                    entry.chars().take(80).collect::<String>()
                ));
            }
        }
        Ok(proxies)
    }

    /// The client behind `peer`: the address its proxy gives when `peer` is a trusted proxy,
    /// else `peer` itself.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        forwarded_client(headers).unwrap_or(peer)
    }

    fn trusts(&self, peer: IpAddr) -> bool {
        let peer = peer.to_canonical();
        peer.is_loopback()
            || self.networks.iter().any(|n| n.contains(&peer))
            || self.resolved.read().unwrap_or_else(|e| e.into_inner()).contains(&peer)
    }

    /// Looks the trusted host names up again; a name that does not resolve now trusts nothing.
    pub async fn resolve(&self) {
        let mut addresses = Vec::new();
        for name in &self.names {
            match tokio::net::lookup_host((name.as_str(), 0)).await {
                Ok(found) => addresses.extend(found.map(|a| a.ip().to_canonical())),
                Err(e) => tracing::debug!(name, error = %e, "a trusted proxy's name does not resolve now"),
            }
        }
        *self.resolved.write().unwrap_or_else(|e| e.into_inner()) = addresses;
    }
}

/// Resolves the trusted host names now and every [`RESOLVE_EVERY`], for as long as they are used.
pub fn spawn_resolving(proxies: &Arc<TrustedProxies>) {
    if proxies.names.is_empty() {
        return;
    }
    let weak: Weak<TrustedProxies> = Arc::downgrade(proxies);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(RESOLVE_EVERY);
        loop {
            tick.tick().await;
            match weak.upgrade() {
                Some(proxies) => proxies.resolve().await,
                None => return,
            }
        }
    });
}

/// nginx's word for its client: `X-Real-IP`, else the last `X-Forwarded-For` entry (the one
/// nginx appended; entries before it are the client's own claims).
fn forwarded_client(headers: &HeaderMap) -> Option<IpAddr> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(ip) = header("x-real-ip").and_then(|v| v.trim().parse().ok()) {
        return Some(ip);
    }
    header("x-forwarded-for")?.rsplit(',').next()?.trim().parse().ok()
}

fn is_host_name(text: &str) -> bool {
    text.len() <= 253
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, value.parse().unwrap());
        }
        h
    }

    #[tokio::test]
    async fn forwarded_addresses_are_believed_only_from_a_trusted_proxy() {
        let proxies = TrustedProxies::parse("172.18.0.0/16, 10.0.0.7, localhost").unwrap();
        let claimed = headers(&[("x-real-ip", "192.0.2.9"), ("x-forwarded-for", "203.0.113.1, 192.0.2.9")]);
        let client = |peer: &str| proxies.client(peer.parse().unwrap(), &claimed).to_string();
        assert_eq!(client("172.18.0.5"), "192.0.2.9", "a trusted network");
        assert_eq!(client("10.0.0.7"), "192.0.2.9", "a trusted address");
        assert_eq!(client("127.0.0.1"), "192.0.2.9", "loopback is always trusted");
        assert_eq!(client("::ffff:172.18.0.5"), "192.0.2.9", "an IPv4 peer seen as IPv6");
        assert_eq!(client("198.51.100.4"), "198.51.100.4", "anyone else's headers are not believed");
        assert_eq!(client("10.0.0.8"), "10.0.0.8");
        let only_forwarded = headers(&[("x-forwarded-for", "203.0.113.1, 192.0.2.10")]);
        let peer = "127.0.0.1".parse().unwrap();
        assert_eq!(proxies.client(peer, &only_forwarded).to_string(), "192.0.2.10", "nginx's entry is last");
        let garbage = headers(&[("x-real-ip", "not an address")]);
        assert_eq!(proxies.client(peer, &garbage), peer);
        assert_eq!(TrustedProxies::parse("").unwrap().client(peer, &claimed).to_string(), "192.0.2.9");
        // A host name trusts the addresses it resolves to.
        let by_name = TrustedProxies::parse("localhost").unwrap();
        let lan_peer: IpAddr = "198.51.100.4".parse().unwrap();
        by_name.resolve().await;
        assert_eq!(by_name.client(lan_peer, &claimed), lan_peer);
        assert!(by_name.resolved.read().unwrap().iter().all(|a| a.is_loopback()));
    }

    #[test]
    fn the_setting_takes_addresses_networks_and_host_names_only() {
        assert!(TrustedProxies::parse("frontend, 172.18.0.0/16, fd00::/8, ::1").is_ok());
        for bad in ["172.18.0.0/40", "front end", "http://frontend", "-x"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
    }
}
