//! What tool-monitoring answers (SPEC §9). Sizes are GiB (1024³ bytes) rounded to 2 decimals.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `GET /system/resources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemResources {
    /// Whole-machine CPU usage over the last sampling interval, 0–100.
    pub cpu_percent: f64,
    pub memory_total_gb: f64,
    /// What `free` calls used: total − available.
    pub memory_used_gb: f64,
    pub memory_percent: f64,
    /// Each real filesystem over 1 GiB, once.
    pub disk: Vec<DiskUsage>,
    /// 1, 5 and 15 minute load averages.
    pub load_average: [f64; 3],
}

/// One mounted filesystem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiskUsage {
    /// The mount point.
    pub path: String,
    pub total_gb: f64,
    pub used_gb: f64,
    pub free_gb: f64,
    pub percent_used: f64,
}

/// One published port: `{"host_ip": "0.0.0.0", "host_port": "8080"}` (strings, as Docker has them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortBinding {
    pub host_ip: String,
    pub host_port: String,
}

/// One container of `GET /containers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerInfo {
    /// The 12-character short id.
    pub id: String,
    /// The name without Docker's leading `/`.
    pub name: String,
    /// The first tag, or the short image id for an untagged image.
    pub image: String,
    /// `running`, `exited`, `created`, `paused`, `restarting`, `removing` or `dead`.
    pub state: String,
    /// Docker's human text, e.g. `Up 2 hours (healthy)`.
    pub status: String,
    /// Creation time, RFC 3339 UTC.
    pub created: String,
    /// `"80/tcp"` → its host bindings, or `null` when exposed but not published.
    pub ports: BTreeMap<String, Option<Vec<PortBinding>>>,
}

/// Bytes to GiB, rounded to 2 decimals.
pub fn bytes_to_gb(bytes: u64) -> f64 {
    round2(bytes as f64 / (1024.0 * 1024.0 * 1024.0))
}

/// Rounds to 2 decimals, the precision of every figure in these answers.
pub fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn gib_conversion_uses_1024_cubed_and_two_decimals() {
        assert_eq!(bytes_to_gb(1024 * 1024 * 1024), 1.0);
        assert_eq!(bytes_to_gb(1610612736), 1.5);
        assert_eq!(bytes_to_gb(1_000_000_000), 0.93);
    }

    #[test]
    fn container_ports_serialize_null_for_unpublished() {
        let mut ports = BTreeMap::new();
        ports.insert(
            "80/tcp".to_string(),
            Some(vec![PortBinding { host_ip: "0.0.0.0".into(), host_port: "8080".into() }]),
        );
        ports.insert("443/tcp".to_string(), None);
        let c = ContainerInfo {
            id: "0123456789ab".into(),
            name: "web".into(),
            image: "nginx:latest".into(),
            state: "running".into(),
            status: "Up 2 hours".into(),
            created: "2026-01-01T00:00:00Z".into(),
            ports,
        };
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["ports"]["443/tcp"], json!(null));
        assert_eq!(v["ports"]["80/tcp"], json!([{"host_ip": "0.0.0.0", "host_port": "8080"}]));
        assert_eq!(serde_json::from_value::<ContainerInfo>(v).unwrap(), c);
    }

    #[test]
    fn system_resources_round_trip_with_exact_fields() {
        let v = json!({
            "cpu_percent": 3.5, "memory_total_gb": 16.0, "memory_used_gb": 4.2, "memory_percent": 26.25,
            "disk": [{"path": "/", "total_gb": 100.0, "used_gb": 40.0, "free_gb": 60.0, "percent_used": 40.0}],
            "load_average": [0.1, 0.2, 0.3]
        });
        let r: SystemResources = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(serde_json::to_value(&r).unwrap(), v);
    }
}
