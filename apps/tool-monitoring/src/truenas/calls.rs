//! Every JSON-RPC method this module can send to TrueNAS, each named once: the login, the step
//! that narrows the session to read-only, and a fixed list of reads. A call is a [`Method`], not a
//! string, so nothing else can reach the wire; the parameters are fixed here too, none comes from
//! a user or a model. Names, parameters and roles are TrueNAS's own (middleware
//! `src/middlewared/middlewared/api/v25_10_0/` and the `roles=` of each `@api_method`).

use homelab_common::Secret;
use homelab_schemas::monitoring::TruenasTopic;
use serde_json::{json, Value};

/// One method TrueNAS is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// The login of TrueNAS 25.04 and later: an API key with the user it belongs to.
    LoginEx,
    /// The login before 25.04 (deprecated, gone in 27): used only where `auth.login_ex` does not exist.
    LoginWithApiKey,
    /// Narrows this session to READONLY_ADMIN, whatever the key's user may do (TrueNAS 26+).
    BecomeReadonly,
    PoolQuery,
    DatasetQuery,
    SnapshotTaskQuery,
    ReplicationQuery,
    DiskTemperatures,
    AppQuery,
    SystemInfo,
    AlertList,
}

impl Method {
    pub const ALL: [Method; 11] = [
        Self::LoginEx,
        Self::LoginWithApiKey,
        Self::BecomeReadonly,
        Self::PoolQuery,
        Self::DatasetQuery,
        Self::SnapshotTaskQuery,
        Self::ReplicationQuery,
        Self::DiskTemperatures,
        Self::AppQuery,
        Self::SystemInfo,
        Self::AlertList,
    ];

    /// Its JSON-RPC name.
    pub fn name(self) -> &'static str {
        match self {
            Self::LoginEx => "auth.login_ex",
            Self::LoginWithApiKey => "auth.login_with_api_key",
            Self::BecomeReadonly => "privilege.become_readonly",
            Self::PoolQuery => "pool.query",
            Self::DatasetQuery => "pool.dataset.query",
            Self::SnapshotTaskQuery => "pool.snapshottask.query",
            Self::ReplicationQuery => "replication.query",
            Self::DiskTemperatures => "disk.temperatures",
            Self::AppQuery => "app.query",
            Self::SystemInfo => "system.info",
            Self::AlertList => "alert.list",
        }
    }

    /// The TrueNAS role a user needs to call it (`None`: any user with a valid key).
    pub fn role(self) -> Option<&'static str> {
        match self {
            Self::LoginEx | Self::LoginWithApiKey => None,
            Self::BecomeReadonly | Self::SystemInfo => Some("READONLY_ADMIN"),
            Self::PoolQuery => Some("POOL_READ"),
            Self::DatasetQuery => Some("DATASET_READ"),
            Self::SnapshotTaskQuery => Some("SNAPSHOT_TASK_READ"),
            Self::ReplicationQuery => Some("REPLICATION_TASK_READ"),
            Self::DiskTemperatures => Some("REPORTING_READ"),
            Self::AppQuery => Some("APPS_READ"),
            Self::AlertList => Some("ALERT_LIST_READ"),
        }
    }

    /// The parameters of a read: fixed, and only what the answer needs.
    pub fn read_params(self) -> Value {
        match self {
            // Flat, with only the properties said (a NAS may have hundreds of datasets, each
            // with dozens of properties); internal datasets (.system, ix-apps) are left out by
            // TrueNAS itself.
            Self::DatasetQuery => json!([[], {"extra": {
                "flat": true,
                "retrieve_children": true,
                "retrieve_user_props": false,
                "properties": ["used", "available", "usedbysnapshots", "quota", "refquota"],
            }}]),
            // Every other read takes its defaults: app.query without the apps' configuration
            // (which may hold their secrets), disk.temperatures for every disk.
            _ => json!([]),
        }
    }

    /// The reads one topic needs, sent together once logged in.
    pub fn reads_of(topic: TruenasTopic) -> &'static [Method] {
        match topic {
            TruenasTopic::Overview => &[Self::PoolQuery, Self::AlertList],
            TruenasTopic::Pools => &[Self::PoolQuery],
            TruenasTopic::Datasets => &[Self::DatasetQuery],
            TruenasTopic::Snapshots => &[Self::SnapshotTaskQuery, Self::ReplicationQuery],
            TruenasTopic::Disks => &[Self::DiskTemperatures],
            TruenasTopic::Apps => &[Self::AppQuery],
            TruenasTopic::System => &[Self::SystemInfo],
            TruenasTopic::Alerts => &[Self::AlertList],
        }
    }
}

/// `auth.login_ex`'s parameters: the key in clear (API_KEY_PLAIN), which is why it only ever
/// travels inside TLS to a verified certificate. No user details are asked back.
pub fn login_ex_params(username: &str, key: &Secret) -> Value {
    json!([{
        "mechanism": "API_KEY_PLAIN",
        "username": username,
        "api_key": key.expose(),
        "login_options": {"user_info": false},
    }])
}

/// `auth.login_with_api_key`'s parameters (before 25.04).
pub fn legacy_login_params(key: &Secret) -> Value {
    json!([key.expose()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reads_are_a_fixed_list_of_queries_and_none_can_change_anything() {
        let reads: Vec<Method> = TruenasTopic::ALL.into_iter().flat_map(Method::reads_of).copied().collect();
        for method in Method::ALL {
            let name = method.name();
            let session = matches!(method, Method::LoginEx | Method::LoginWithApiKey | Method::BecomeReadonly);
            assert_eq!(reads.contains(&method), !session, "{name}: every read is used by a topic");
            if !session {
                let verb = name.rsplit('.').next().unwrap();
                assert!(["query", "list", "info", "temperatures"].contains(&verb), "{name} is not a read");
                assert!(method.role().is_some_and(|r| r.ends_with("_READ") || r == "READONLY_ADMIN"), "{name}");
            }
        }
        let names: std::collections::HashSet<&str> = Method::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(names.len(), Method::ALL.len(), "each method named once");
    }

    #[test]
    fn the_login_names_the_user_and_asks_for_no_user_details() {
        let p = login_ex_params("homelab", &Secret::new("7-abc"));
        assert_eq!(p[0]["mechanism"], "API_KEY_PLAIN");
        assert_eq!(p[0]["username"], "homelab");
        assert_eq!(p[0]["login_options"]["user_info"], false);
    }
}
