//! Writes the builtin provider's answer from tool results: plain sentences with the real figures,
//! focused on what was asked. Each result is read as its catalog type and said by
//! [`reports::render`]; a failure is said in words, and a container that does not exist is met
//! with the closest names rather than the whole list.

use homelab_schemas::{ContainerInfo, ToolId, ToolOutput};
use serde_json::Value;

use homelab_understanding::{Kind, Understanding as Topics};

use super::{howto, reports};

/// The answer to the question from `results` (tool name, tool output as text).
pub fn compose(topics: &Topics, results: &[(String, String)]) -> String {
    let list: Option<Vec<ContainerInfo>> = results
        .iter()
        .find(|(name, _)| name == ToolId::Containers.name())
        .and_then(|(_, content)| serde_json::from_str(content).ok());
    // The list was fetched only to suggest names for a container that does not exist.
    let list_for_suggestions = missing_container_in(results).is_some();
    let mut parts: Vec<String> = Vec::new();
    for (name, content) in results {
        let Some(tool) = ToolId::from_name(name) else {
            // A tool this model has no words for: said so, never shown as raw data.
            parts.push("One of the tools answered with something I can't put into words yet.".into());
            continue;
        };
        if let Some(problem) = failure_of(content) {
            match (missing_container(&problem), &list) {
                (Some(wanted), Some(list)) => parts.push(reports::no_such_container(&wanted, list)),
                _ => parts.push(couldnt_get(tool, &problem)),
            }
            continue;
        }
        if tool == ToolId::Containers && list_for_suggestions {
            continue;
        }
        if let Some(hosts) = per_host(content) {
            parts.push(each_host(tool, &hosts, topics));
            continue;
        }
        match ToolOutput::parse(tool, content) {
            Ok(ToolOutput::ContainerDetails(d)) if topics.recreate => parts.push(howto::run_command(&d)),
            Ok(output) => parts.push(reports::render(&output, topics)),
            Err(_) => parts.push(format!("{} came back in a form I can't read.", capitalised(tool.spec().reads))),
        }
    }
    if topics.has(Kind::Uptime) && !results.iter().any(|(n, _)| n == ToolId::HostInfo.name()) {
        parts.push("I can't see the uptime with the tools enabled here; these are the current figures.".into());
    }
    if topics.has(Kind::AppUpdates) && !results.iter().any(|(n, _)| n == ToolId::TruenasStatus.name()) {
        parts.push(NO_IMAGE_UPDATES.into());
    }
    if topics.backups && results.iter().any(|(n, _)| n == ToolId::TruenasStatus.name()) {
        parts.push(BACKUPS_SEEN.into());
    }
    if topics.disk_health && !parts.is_empty() {
        let nas = results.iter().any(|(n, _)| n == ToolId::TruenasStatus.name());
        parts.push(if nas { DISK_HEALTH_NAS } else { DISK_HEALTH_HOST }.into());
    }
    if topics.scrub_schedule && !parts.is_empty() {
        parts.insert(0, SCRUB_SCHEDULE_UNSEEN.into());
    }
    if let (Some(thing), Some(name)) = (topics.inside, topics.containers.first()) {
        parts.insert(0, size_inside_unseen(name, thing));
    }
    // (The next scrub's opening says the rest: "will the scrub run tonight?".)
    if let Some(period) = topics.not_begun.as_deref().filter(|_| !parts.is_empty() && !topics.scrub_schedule) {
        parts.insert(
            0,
            format!("{} has not begun yet, so nothing is recorded for it. What I can see now:", capitalised(period)),
        );
    }
    if parts.is_empty() {
        return super::HELP.to_string();
    }
    parts.join("\n\n")
}

/// "How big is the plex cache": nothing here reads the files inside a container or its volumes,
/// so the answer says so first, and how to find out, before what it could see.
fn size_inside_unseen(container: &str, thing: &str) -> String {
    let name = reports::text(container);
    format!(
        "I can't see how big {name}'s {thing} is: I read Docker's and the host's figures, not the files inside a \
         container or its volumes. On the host, `du -sh` on the folder it is kept in tells you (`docker inspect \
         {name}` lists its mounts)."
    )
}

/// Said after the tasks when backups in general were asked about.
const BACKUPS_SEEN: &str = "These are TrueNAS's snapshot and replication tasks. Backups made another way (its cloud \
sync tasks, a backup program in a container) are not read here: ask for that container's logs.";

/// Said first when the next scrub was asked about: what follows is the pools as they are.
const SCRUB_SCHEDULE_UNSEEN: &str = "I can't see when the next scrub runs: I don't read the scrub schedule. On \
TrueNAS, Data Protection → Scrub Tasks shows it; elsewhere a cron job or a systemd timer starts them. What I can see \
of the pools:";

/// Said after the pools and alerts when the drives' health was asked about, on TrueNAS.
const DISK_HEALTH_NAS: &str = "That is what TrueNAS shows of the drives' health: each pool's state, its last \
scrub and the alerts (a failed SMART test or a drive with errors raises one). I don't read each drive's SMART data \
myself: TrueNAS's Storage → Disks page shows its test results, or `smartctl -a /dev/sdX` on the NAS.";

/// The same where TrueNAS is not configured: the ZFS pools (if any) and the problems found.
const DISK_HEALTH_HOST: &str = "I don't read the drives' SMART data: `smartctl -a /dev/sdX` on the host shows it \
(from the smartmontools package). What I can see of their health is above: the ZFS pools' state, if there are any, \
and the problems found.";

/// Updates asked about where TrueNAS (which lists its apps' updates) is not configured: on a plain
/// Docker host nothing here knows of newer images.
pub const NO_IMAGE_UPDATES: &str = "I can't see whether newer images exist for your containers: Docker keeps \
no record of that, and I don't ask the image registries. On TrueNAS, its apps' updates are shown once TRUENAS_URL, \
TRUENAS_USERNAME and TRUENAS_API_KEY (a read-only user's key) are set.";

/// A result from several hosts: `{"hosts": [{"host", "result" | "error"}]}`, as (host, result or
/// why not).
fn per_host(content: &str) -> Option<Vec<(String, Result<String, String>)>> {
    let v: Value = serde_json::from_str(content).ok()?;
    let entries = v.as_object().filter(|o| o.len() == 1)?.get("hosts")?.as_array()?;
    entries
        .iter()
        .map(|e| {
            let host = e.get("host")?.as_str()?.to_string();
            Some(match (e.get("result"), e.get("error")) {
                (Some(result), _) => (host, Ok(result.to_string())),
                (None, Some(error)) => (host, Err(error.as_str().unwrap_or("no answer").to_string())),
                (None, None) => return None,
            })
        })
        .collect()
}

/// One part per host, each naming its host. A host without the container asked about is left
/// out when another host has it.
fn each_host(tool: ToolId, hosts: &[(String, Result<String, String>)], topics: &Topics) -> String {
    let missing = |r: &Result<String, String>| match r {
        Ok(text) => failure_of(text).and_then(|p| missing_container(&p)),
        Err(e) => missing_container(e),
    };
    let found_somewhere = hosts.iter().any(|(_, r)| r.is_ok() && missing(r).is_none());
    let mut parts = Vec::new();
    for (host, result) in hosts {
        if found_somewhere && missing(result).is_some() {
            continue;
        }
        let on = reports::host_label(host);
        let said = match result {
            Err(why) => format!("{} did not answer: {}.", reports::host_name(host), why.trim_end_matches('.')),
            Ok(text) => match failure_of(text) {
                Some(problem) => {
                    format!("{on} {}.", couldnt_get(tool, &problem))
                }
                None => match ToolOutput::parse(tool, text) {
                    Ok(output) => format!("{on} {}", reports::render(&output, topics)),
                    Err(_) => format!("{on} {} came back in a form I can't read.", capitalised(tool.spec().reads)),
                },
            },
        };
        parts.push(said);
    }
    parts.join("\n\n")
}

/// The container a failed result says does not exist, if one does.
pub fn missing_container_in(results: &[(String, String)]) -> Option<String> {
    results.iter().find_map(|(_, content)| missing_container(&failure_of(content)?))
}

/// `No container named 'plex'` → `plex`.
fn missing_container(problem: &str) -> Option<String> {
    let rest = problem.split("No container named '").nth(1)?;
    Some(rest.split('\'').next()?.to_string())
}

pub(super) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A tool that failed or was not run, as the reader should see it: without the instruction the
/// orchestrator adds for a model ("Answer with what you have and say…"), and a budget that
/// stopped a call said as what it is ("I did not look at TrueNAS: at most 4 tool calls per turn").
fn couldnt_get(tool: ToolId, problem: &str) -> String {
    let problem = problem.split(". Answer with what you have").next().unwrap_or(problem).trim_end_matches('.');
    let reads = tool.spec().reads;
    match (problem.strip_prefix("not run: "), problem.strip_prefix("not shown: ")) {
        (Some(why), _) => format!("I did not look at {reads}: {why}"),
        (_, Some(why)) => format!("I can't show {reads}: {why}"),
        _ => format!("I couldn't get {reads}: {problem}"),
    }
}

/// `Error: …` text or a `{"detail": …}` body.
fn failure_of(content: &str) -> Option<String> {
    if let Some(rest) = content.strip_prefix("Error:") {
        return Some(rest.trim().to_string());
    }
    let v: Value = serde_json::from_str(content).ok()?;
    v.get("detail").and_then(Value::as_str).map(String::from)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    use super::reports::tests::{containers_json, resources_json};

    /// The question understood as on a host with the sample containers.
    pub(crate) fn understood(q: &str) -> Topics {
        let list: Vec<ContainerInfo> = serde_json::from_value(containers_json()).unwrap();
        let mut containers: Vec<homelab_understanding::ContainerRef> = list
            .into_iter()
            .map(|c| homelab_understanding::ContainerRef { name: c.name, state: c.state, status: c.status })
            .collect();
        for other in ["sonarr", "nginx"] {
            containers.push(homelab_understanding::ContainerRef {
                name: other.into(),
                state: "running".into(),
                status: "Up 1 hour".into(),
            });
        }
        let context = homelab_understanding::Context { containers, ..homelab_understanding::Context::now_only() };
        homelab_understanding::understand(q, &context)
    }

    fn ask(q: &str, results: &[(ToolId, String)]) -> String {
        let results: Vec<(String, String)> = results.iter().map(|(t, c)| (t.name().to_string(), c.clone())).collect();
        compose(&understood(q), &results)
    }

    fn ask_json(q: &str, results: &[(ToolId, Value)]) -> String {
        let results: Vec<(ToolId, String)> = results.iter().map(|(t, v)| (*t, v.to_string())).collect();
        ask(q, &results)
    }

    #[test]
    fn updates_asked_with_the_containers_and_no_truenas_result_say_what_cannot_be_seen() {
        let a = ask_json("are my docker images up to date", &[(ToolId::Containers, containers_json())]);
        assert!(a.contains("**plex**") && a.ends_with(NO_IMAGE_UPDATES), "{a}");
        let b = ask_json("which containers are stopped", &[(ToolId::Containers, containers_json())]);
        assert!(!b.contains("newer images"), "{b}");
    }

    #[test]
    fn a_call_a_budget_stopped_is_said_without_the_model_s_instruction() {
        let results = [(
            ToolId::TruenasStatus.name().to_string(),
            "Error: not run: at most 4 tool calls per turn. Answer with what you have and say that the rest was not \
             looked at."
                .to_string(),
        )];
        let a = compose(&understood("is my nas ok?"), &results);
        assert!(a.contains("I did not look at ") && a.contains(": at most 4 tool calls per turn"), "{a}");
        assert!(!a.contains("Answer with what you have"), "{a}");
    }

    #[test]
    fn a_part_of_the_day_not_begun_is_said_first_then_the_figures_now() {
        let mut topics = understood("how was the cpu this evening");
        topics.not_begun = Some("this evening (18:00–23:00 UTC)".into());
        let results = [(ToolId::SystemResources.name().to_string(), resources_json().to_string())];
        let a = compose(&topics, &results);
        assert!(
            a.starts_with("This evening (18:00–23:00 UTC) has not begun yet, so nothing is recorded for it.")
                && a.contains("CPU usage is 12.5%"),
            "{a}"
        );
    }

    #[test]
    fn a_name_no_answering_host_has_is_said_missing_there_and_the_silent_host_is_named() {
        // minecraft may run on pi, which did not answer: the answer must not say it exists nowhere.
        let fleet = json!({"hosts": [
            {"host": "nas", "result": containers_json()},
            {"host": "pi", "error": "the monitoring service did not answer within 8 s"},
        ]});
        let a = ask_json("is minecraft running", &[(ToolId::Containers, fleet)]);
        assert!(a.starts_with("**On nas:** There is no container named 'minecraft'"), "{a}");
        assert!(a.ends_with("**pi** did not answer: the monitoring service did not answer within 8 s."), "{a}");
    }

    #[test]
    fn answers_from_several_hosts_name_each_and_say_which_did_not_answer() {
        let fleet = json!({"hosts": [
            {"host": "local", "result": resources_json()},
            {"host": "pi", "error": "the monitoring service did not answer within 8 s"},
        ]});
        let a = ask_json("What is the current CPU usage?", &[(ToolId::SystemResources, fleet)]);
        assert_eq!(a, "**On local:** CPU usage is 12.5%.\n\n**pi** did not answer: the monitoring service did not answer within 8 s.");
        let logs = json!({"hosts": [
            {"host": "nas", "result": {"name": "plex", "lines": ["up"], "line_count": 1, "note": null}},
            {"host": "pi", "result": {"detail": "No container named 'plex'"}},
        ]});
        let a = ask_json("logs of plex", &[(ToolId::ContainerLogs, logs)]);
        assert!(a.starts_with("**On nas:**") && !a.contains("pi"), "{a}");
    }

    #[test]
    fn cpu_question_gets_the_cpu_figure_only() {
        let a = ask_json("What is the current CPU usage?", &[(ToolId::SystemResources, resources_json())]);
        assert_eq!(a, "CPU usage is 12.5%.");
    }

    #[test]
    fn memory_and_disk_answers_carry_real_figures() {
        let a = ask_json("How much memory is being used?", &[(ToolId::SystemResources, resources_json())]);
        assert!(a.contains("4.25 GiB used of 16.00 GiB (26.6%)"), "{a}");
        let d = ask_json("How much disk space is left?", &[(ToolId::SystemResources, resources_json())]);
        assert!(d.contains("`/`: 60.00 GiB free of 100.00 GiB (40.0% used)"), "{d}");
        assert!(d.contains("`/mnt/tank`: 50.00 GiB free") && d.contains("nearly full"), "{d}");
    }

    #[test]
    fn stopped_means_every_state_but_running() {
        let a = ask_json("Which containers are stopped?", &[(ToolId::Containers, containers_json())]);
        assert!(a.starts_with("2 of 3 containers are not running:\n\n- "), "{a}");
        assert!(a.contains("**nextcloud** — exited (Exited (1) 3 hours ago)"), "{a}");
        assert!(a.contains("**backup** — created"), "{a}");
        assert!(!a.contains("plex"), "{a}");
    }

    #[test]
    fn the_container_list_names_states_images_and_ports() {
        let a = ask_json("What containers are running?", &[(ToolId::Containers, containers_json())]);
        assert!(a.starts_with("There are 3 containers: 1 running and 2 stopped."), "{a}");
        assert!(
            a.contains(
                "- **plex** — running (Up 2 hours), image `plexinc/pms-docker:latest`, ports 0.0.0.0:32400 → 32400/tcp"
            ),
            "{a}"
        );
        assert!(a.contains("- **nextcloud** — exited"), "{a}");
    }

    #[test]
    fn a_named_container_is_described_alone() {
        let a = ask_json("What image is the plex container using?", &[(ToolId::Containers, containers_json())]);
        assert!(a.starts_with("- **plex**") && a.contains("plexinc/pms-docker:latest"), "{a}");
        assert!(!a.contains("nextcloud"));
    }

    #[test]
    fn a_container_that_does_not_exist_gets_the_closest_names_not_the_list() {
        // One edit away is a typo and is taken for the name; further off is said back.
        let typo = ask_json("What image is the plexx container using?", &[(ToolId::Containers, containers_json())]);
        assert!(typo.starts_with("- **plex**"), "{typo}");
        let a = ask_json("What image is the plx container using?", &[(ToolId::Containers, containers_json())]);
        assert_eq!(a, "There is no container named 'plx'. Did you mean **plex**?");
        let logs = ask_json(
            "Show me the logs of nextclod",
            &[
                (ToolId::ContainerLogs, json!({"detail": "No container named 'nextclod'"})),
                (ToolId::Containers, containers_json()),
            ],
        );
        assert_eq!(logs, "There is no container named 'nextclod'. Did you mean **nextcloud**?");
        // A word far from every name is taken for one only where a container's name goes ("the
        // zzzz container"), and is then said to be none of them.
        let none = ask_json("What image is the zzzz container using?", &[(ToolId::Containers, containers_json())]);
        assert!(none.starts_with("There is no container named 'zzzz', and none has a similar name"), "{none}");
        let none = ask_json("what image does zzzz have?", &[(ToolId::Containers, containers_json())]);
        assert!(none.contains("**plex**") && !none.contains("zzzz"), "{none}");
        let list = ask_json("Which containers are running in production?", &[(ToolId::Containers, containers_json())]);
        assert!(list.starts_with("There are 3 containers: 1 running"), "{list}");
    }

    #[test]
    fn empty_container_list_and_docker_errors_are_said_plainly() {
        let a = ask("List all Docker containers and their status", &[(ToolId::Containers, "[]".into())]);
        assert_eq!(a, "There are no containers on this host (none running, none stopped).");
        let e = ask(
            "Which containers are stopped?",
            &[(ToolId::Containers, "Error: Docker API unavailable: Connection refused".into())],
        );
        assert_eq!(e, "I couldn't get the container list: Docker API unavailable: Connection refused");
        let hint = "Docker API unavailable: Socket not found (unix:///var/run/docker.sock). If Docker is elsewhere, \
                    set DOCKER_HOST: unix:///run/user/1000/docker.sock for rootless Docker";
        let j = ask_json("Which containers are stopped?", &[(ToolId::Containers, json!({"detail": hint}))]);
        assert!(j.contains("unix:///var/run/docker.sock") && j.contains("set DOCKER_HOST"), "{j}");
    }

    #[test]
    fn full_report_is_markdown_with_each_part_apart() {
        let a = ask_json(
            "Give me a full system health report",
            &[(ToolId::SystemResources, resources_json()), (ToolId::Containers, containers_json())],
        );
        assert!(a.starts_with("CPU usage is 12.5%.\n\nMemory: "), "{a}");
        assert!(a.contains("\n\nDisk space:\n\n- `/`: "), "{a}");
        assert!(a.contains("nearly full\n\nLoad average (1, 5, 15 min): 0.52, 0.40, 0.33."), "{a}");
        assert!(a.contains("3 containers: 1 running and 2 stopped") && a.contains("nextcloud"), "{a}");
    }

    #[test]
    fn which_container_uses_the_most_is_a_ranking_not_a_question_back() {
        let q = "which container uses the most network";
        assert!(understood(q).has(Kind::ContainerUsage) && understood(q).containers.is_empty(), "{:?}", understood(q));
        let (_, mut stats) = reports::tests::sample(ToolId::ContainerStats);
        // sonarr uses less memory but moved more data.
        stats["containers"][1]["net_tx_mb"] = json!(900.0);
        let a = ask_json(q, &[(ToolId::Containers, containers_json()), (ToolId::ContainerStats, stats)]);
        assert!(!a.contains("Which container do you mean"), "{a}");
        assert!(a.starts_with("There are ") && !a.contains("image `"), "the list is a count, the figures follow: {a}");
        assert!(a.contains("Running containers by network traffic since they started:\n\n- **sonarr**"), "{a}");
    }

    #[test]
    fn backups_asked_in_general_say_which_ones_are_seen() {
        let (_, status) = reports::tests::sample(ToolId::TruenasStatus);
        let results = [(ToolId::TruenasStatus.name().to_string(), status.to_string())];
        // On a host without a container named "backup" (the sample has one, which the question
        // would then be about).
        let plain = |q: &str| homelab_understanding::understand(q, &homelab_understanding::Context::now_only());
        let a = compose(&plain("did last night's backup work?"), &results);
        assert!(a.contains("Backups made another way") && a.contains("are not read here"), "{a}");
        assert!(!a.contains("can't read"), "{a}");
        let a = compose(&plain("did the snapshot of tank/photos run?"), &results);
        assert!(!a.contains("Backups made another way"), "{a}");
    }

    #[test]
    fn the_next_scrub_asked_says_the_schedule_is_not_read_before_the_last_one() {
        let plain = |q: &str| homelab_understanding::understand(q, &homelab_understanding::Context::now_only());
        let (_, status) = reports::tests::sample(ToolId::TruenasStatus);
        let on_nas = [(ToolId::TruenasStatus.name().to_string(), status.to_string())];
        let a = compose(&plain("when is the next scrub?"), &on_nas);
        assert!(a.starts_with("I can't see when the next scrub runs") && a.len() > SCRUB_SCHEDULE_UNSEEN.len(), "{a}");
        let a = compose(&plain("when was the last scrub?"), &on_nas);
        assert!(!a.contains("next scrub"), "{a}");
    }

    #[test]
    fn the_drives_health_asked_says_what_is_seen_and_that_smart_data_is_not() {
        let plain = |q: &str| homelab_understanding::understand(q, &homelab_understanding::Context::now_only());
        let (_, status) = reports::tests::sample(ToolId::TruenasStatus);
        let on_nas = [(ToolId::TruenasStatus.name().to_string(), status.to_string())];
        let a = compose(&plain("are my drives healthy?"), &on_nas);
        assert!(a.contains("TrueNAS shows of the drives' health") && a.contains("smartctl"), "{a}");
        assert!(!a.contains("can't read"), "{a}");
        let (_, pools) = reports::tests::sample(ToolId::ZfsPools);
        let on_host = [(ToolId::ZfsPools.name().to_string(), pools.to_string())];
        let a = compose(&plain("ist eine festplatte defekt?"), &on_host);
        assert!(a.contains("I don't read the drives' SMART data") && !a.contains("TrueNAS shows"), "{a}");
        // How full a disk is says nothing of its health, and gets no such note.
        let a = compose(&plain("is my pool full?"), &on_nas);
        assert!(!a.contains("SMART"), "{a}");
    }

    #[test]
    fn the_size_of_a_containers_cache_is_said_to_be_unseen_before_its_details() {
        let (_, details) = reports::tests::sample(ToolId::ContainerDetails);
        let a = ask_json("how big is the sonarr cache?", &[(ToolId::ContainerDetails, details.clone())]);
        assert!(a.starts_with("I can't see how big sonarr's cache is"), "{a}");
        assert!(a.contains("du -sh") && a.contains("**sonarr**"), "the details follow: {a}");
        let plain = ask_json("how is sonarr doing?", &[(ToolId::ContainerDetails, details)]);
        assert!(!plain.contains("can't see how big"), "{plain}");
    }

    #[test]
    fn the_run_command_of_a_container_is_answered_from_its_details() {
        let q = "print the docker run command for sonarr, dont execute it";
        assert!(understood(q).recreate, "{:?}", understood(q));
        let (_, details) = reports::tests::sample(ToolId::ContainerDetails);
        let a = ask_json(q, &[(ToolId::ContainerDetails, details.clone())]);
        assert!(a.starts_with("The `docker run` command that would recreate sonarr"), "{a}");
        assert!(a.contains("-v /mnt/tank/sonarr:/config") && a.contains("I won't run it for you"), "{a}");
        // Asked as a plain question about the container, the details are said as usual.
        let plain =
            ask_json("What is the restart count of the sonarr container?", &[(ToolId::ContainerDetails, details)]);
        assert!(!plain.contains("docker run"), "{plain}");
    }

    #[test]
    fn stats_and_truenas_read_as_sentences() {
        let (q, stats) = reports::tests::sample(ToolId::ContainerStats);
        let a = ask_json(q, &[(ToolId::ContainerStats, stats)]);
        assert!(a.starts_with("Running containers by memory use:\n\n- **plex**"), "{a}");
        let t = ask_json(
            "Are there TrueNAS alerts?",
            &[(
                ToolId::TruenasStatus,
                json!({"configured": true, "report": {"topic": "alerts", "alerts": [{"level": "WARNING",
                    "class": "ZpoolCapacityWarning", "text": "Pool tank is 85% full", "since": null}],
                    "alerts_by_level": {"WARNING": 1}, "alerts_omitted": 0}}),
            )],
        );
        assert_eq!(t, "TrueNAS has 1 active alert:\n\n- **WARNING**: Pool tank is 85% full");
        let empty = ask_json(
            q,
            &[(ToolId::ContainerStats, json!({"containers": [], "note": "No running containers to sample."}))],
        );
        assert_eq!(empty, "No running containers to sample.");
    }

    #[test]
    fn a_failed_tool_is_named_in_words() {
        let e = ask("Show the last logs of plex", &[(ToolId::ContainerLogs, "Error: TrueNAS is slow.".into())]);
        assert_eq!(e, "I couldn't get the container's logs: TrueNAS is slow");
        let results = vec![("get_something_new".to_string(), "{\"x\": 1}".to_string())];
        let unknown = compose(&understood("What is the CPU usage?"), &results);
        assert!(!unknown.contains('{') && !unknown.contains("get_something_new"), "{unknown}");
    }
}
