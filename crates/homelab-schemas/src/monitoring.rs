//! The tool catalog and what each tool answers (docs/contract.md §9). Sizes are GiB (1024³ bytes)
//! rounded to 2 decimals unless a field says MB.
//!
//! Every read-only tool is one row of the catalog's table (`catalog.rs`): its [`ToolId`], its
//! typed answer ([`ToolOutput`]), its typed arguments and its name, description, parameters and
//! endpoint ([`ToolId::spec`]). The orchestrator's registry, tool-monitoring's routes and the
//! builtin model's answers all match on `ToolId` exhaustively, so a tool added here without its
//! endpoint or its builtin wording does not compile.

pub use crate::activity::{ContainerTraffic, InterfaceTraffic, Network, ProcessInfo, Processes, PROCESS_SORTS};

mod answers;
mod arguments;
mod catalog;
mod events;
mod history;
mod truenas;
pub use answers::*;
pub use arguments::*;
pub use catalog::*;
pub use events::*;
pub use history::*;
pub use truenas::*;

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
    use std::collections::BTreeMap;

    #[test]
    fn gib_conversion_uses_1024_cubed_and_two_decimals() {
        assert_eq!(bytes_to_gb(1024 * 1024 * 1024), 1.0);
        assert_eq!(bytes_to_gb(1610612736), 1.5);
        assert_eq!(bytes_to_gb(1_000_000_000), 0.93);
    }

    #[test]
    fn a_container_state_is_its_word_on_the_wire_and_an_unknown_word_is_kept() {
        for word in ["created", "running", "paused", "restarting", "removing", "exited", "dead"] {
            let state: DockerState = serde_json::from_value(json!(word)).unwrap();
            assert!(!matches!(state, DockerState::Other(_)), "{word}");
            assert_eq!(serde_json::to_value(&state).unwrap(), json!(word));
        }
        let podman: DockerState = serde_json::from_value(json!("stopped")).unwrap();
        assert_eq!(podman, DockerState::Other("stopped".into()));
        assert_eq!(serde_json::to_value(&podman).unwrap(), json!("stopped"), "never guessed into another word");
        assert!(DockerState::Paused.is_up() && !DockerState::Restarting.is_up() && !podman.is_up());
        assert!(DockerState::Dead.has_stopped() && !DockerState::Running.has_stopped());
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
    fn every_tool_has_a_unique_name_and_path_and_is_found_by_name() {
        let mut names: Vec<&str> = ToolId::ALL.iter().map(|t| t.name()).collect();
        let mut paths: Vec<&str> = ToolId::ALL.iter().map(|t| t.spec().path).collect();
        for &t in ToolId::ALL {
            assert_eq!(ToolId::from_name(t.name()), Some(t));
            assert!(t.spec().path.starts_with('/'), "{t:?}");
            for p in t.spec().params {
                let placeholder = format!("{{{}}}", p.name);
                if t.spec().path.contains(&placeholder) {
                    assert!(p.required, "{t:?}: a path segment must be required");
                }
            }
        }
        names.sort();
        names.dedup();
        paths.sort();
        paths.dedup();
        assert_eq!((names.len(), paths.len()), (ToolId::ALL.len(), ToolId::ALL.len()));
        assert_eq!(ToolId::from_name("restart_container"), None);
    }

    #[test]
    fn a_tool_asked_by_kinds_of_question_needs_no_argument_but_a_container_name() {
        // The plan calls such a tool with `{}`, or `{"name": …}` per named container: any
        // other required argument would fail every call it makes.
        for &t in ToolId::ALL.iter().filter(|t| !t.spec().asked_by.is_empty()) {
            let required: Vec<&str> = t.spec().params.iter().filter(|p| p.required).map(|p| p.name).collect();
            assert!(required.is_empty() || required == ["name"], "{t:?} requires {required:?}");
            if required.is_empty() {
                assert!(t.check_arguments(json!({})).is_ok(), "{t:?}");
            } else {
                assert!(t.check_arguments(json!({"name": "plex"})).is_ok(), "{t:?}");
            }
        }
    }

    #[test]
    fn arguments_schema_carries_bounds_and_forbids_other_keys() {
        let s = ToolId::ContainerLogs.arguments_schema();
        assert_eq!(s["additionalProperties"], json!(false));
        assert_eq!(s["required"], json!(["name"]));
        assert_eq!(s["properties"]["lines"]["maximum"], json!(200));
        assert_eq!(s["properties"]["name"]["pattern"], json!(CONTAINER_NAME_PATTERN));
        let offered = ToolId::ContainerLogs.definition().to_openai_function();
        assert!(offered["function"]["parameters"]["properties"]["lines"].get("maximum").is_none());
    }

    #[test]
    fn outputs_parse_as_their_tool_and_keep_their_wire_shape() {
        let v = json!({"configured": false, "note": "off"});
        let out = ToolOutput::parse(ToolId::TruenasStatus, &v.to_string()).unwrap();
        assert_eq!(out.tool(), ToolId::TruenasStatus);
        let unreadable = json!({"configured": true});
        assert!(ToolOutput::parse(ToolId::TruenasStatus, &unreadable.to_string()).is_err(), "a report is required");
        let stats = json!({"containers": [], "note": "No running containers to sample."});
        let ToolOutput::ContainerStats(s) = ToolOutput::parse(ToolId::ContainerStats, &stats.to_string()).unwrap()
        else {
            panic!("wrong variant")
        };
        assert_eq!(serde_json::to_value(&s).unwrap(), stats);
        assert!(ToolOutput::parse(ToolId::SystemResources, "{\"cpu_percent\": 1}").is_err());
        let p = json!({"severity": "critical", "kind": "container", "subject": "plex", "reason": "dead"});
        assert_eq!(serde_json::from_value::<Problem>(p).unwrap().severity, Severity::Critical);
    }

    #[test]
    fn history_metrics_and_windows() {
        for m in HistoryMetric::ALL {
            assert_eq!(HistoryMetric::from_name(m.as_str()), Some(m));
            assert_eq!(serde_json::to_value(m).unwrap(), json!(m.as_str()));
        }
        assert_eq!(HistoryMetric::from_name("temperature"), None);
        assert_eq!(window_seconds("30m"), Some(1800));
        assert_eq!(window_seconds("24h"), Some(86_400));
        assert_eq!(window_seconds("2d"), Some(172_800));
        for bad in ["", "h", "0h", "5", "5w", "-1h", "1.5h", "123456h"] {
            assert_eq!(window_seconds(bad), None, "{bad}");
        }
        assert_eq!(
            (window_text(5400), window_text(21_600), window_text(172_800)),
            ("90m".into(), "6h".into(), "2d".into())
        );
        let s = ToolId::History.arguments_schema();
        assert_eq!(s["properties"]["metric"]["enum"], json!(HistoryMetric::NAMES));
        assert_eq!(s["required"], json!(["metric"]));
    }

    #[test]
    fn truenas_topics_are_one_closed_list_offered_as_an_enum() {
        for t in TruenasTopic::ALL {
            assert_eq!(TruenasTopic::from_name(t.as_str()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), json!(t.as_str()));
        }
        assert_eq!(TruenasTopic::default(), TruenasTopic::Overview);
        let s = ToolId::TruenasStatus.arguments_schema();
        assert_eq!(s["properties"]["topic"]["enum"], json!(TruenasTopic::NAMES));
        assert_eq!(s["required"], json!([]));
    }

    #[test]
    fn a_truenas_report_names_its_topic_and_the_overview_keeps_alerts_at_the_top() {
        let alerts = TruenasAlerts { alerts: vec![], alerts_by_level: BTreeMap::new(), alerts_omitted: 0 };
        let v = serde_json::to_value(TruenasStatus::report(TruenasReport::Overview(TruenasOverview {
            pools: vec![],
            alerts,
        })))
        .unwrap();
        assert_eq!(
            v,
            json!({"configured": true, "report": {"topic": "overview", "pools": [], "alerts": [],
            "alerts_by_level": {}, "alerts_omitted": 0}})
        );
        let back: TruenasStatus = serde_json::from_value(v).unwrap();
        assert_eq!(back.report.unwrap().topic(), TruenasTopic::Overview);
        let wrong = json!({"configured": true, "report": {"topic": "disks", "disks": "hot"}});
        assert!(serde_json::from_value::<TruenasStatus>(wrong).is_err());
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
