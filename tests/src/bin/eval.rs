//! `make eval`'s end-to-end part: the four release binaries on the builtin offline model, asked
//! every owner question of `tests/eval/questions.jsonl` about the fixture host
//! (`tests/scripts/eval-fixture.sh`: a real Docker Engine with an unhealthy, a crashed, an
//! OOM-killed, a restart-looping, a never-started container, a memory and a CPU hog, and two
//! filesystems of known fullness; a fake TrueNAS 27 started here). Each answer is
//! checked against the facts the line expects; the figures are printed by split (tune, held
//! out), kind and language. Details are printed for the tune split only: the held-out lines are
//! never looked at one by one while tuning.
//!
//! `eval [--questions FILE] [--min-tune P] [--min-heldout P]` with `DOCKER_HOST` set to the
//! fixture; exits 1 when a split's share of right answers is below its minimum.

use std::collections::BTreeMap;

use e2e_tests::{
    fake_truenas::{Api, FakeTruenas, API_KEY, USERNAME},
    stack::{Llm, Stack, INTERNAL_TOKEN, KEY},
};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize)]
struct Question {
    id: String,
    lang: String,
    split: String,
    question: String,
    kinds: Vec<String>,
    expect: Expect,
    #[serde(default)]
    after: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Expect {
    refused: bool,
    #[serde(default)]
    mentions: Vec<String>,
    #[serde(default)]
    mentions_any: Vec<Vec<String>>,
    #[serde(default)]
    not_mentions: Vec<String>,
    #[serde(default)]
    facts: Vec<String>,
}

/// Right and total.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    right: usize,
    total: usize,
}

impl Tally {
    fn add(&mut self, ok: bool) {
        self.right += ok as usize;
        self.total += 1;
    }

    fn share(self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.right as f64 / self.total as f64
        }
    }

    fn show(self) -> String {
        format!("{}/{} ({:.0}%)", self.right, self.total, 100.0 * self.share())
    }
}

/// The event record of a host watched since the evening before last night, until `until` (when
/// the fixture began; what Docker holds since then is read back by tool-monitoring when it
/// starts, as after any restart). During the night (20:00 to 08:00 in the machine's zone, which
/// is what "last night" means to the assistant) radarr began its restart loop, sonarr died on its
/// database and immich ran out of memory: the situations the fixture then sets up for real. So
/// "what happened overnight?" names them at any time of day (run between midnight and 08:00, the
/// fixture's own crashes fall in the night as well).
fn last_night(now: chrono::DateTime<chrono::Local>, until: i64) -> Vec<u8> {
    use homelab_schemas::monitoring::EventKind::{Died, OomKilled, Started};
    use tool_monitoring::events::{ring::Ring, Record};
    // The night that ended this morning, or the one still going before 08:00: it began yesterday.
    let yesterday = now.date_naive() - chrono::Duration::days(1);
    let night = yesterday
        .and_hms_opt(20, 0, 0)
        .and_then(|t| t.and_local_timezone(chrono::Local).earliest())
        .map_or(until - 12 * 3600, |t| t.timestamp());
    let mut ring = Ring::begin(night - 24 * 3600);
    let bind = "Error: cannot bind 0.0.0.0:7878: address already in use";
    for (kind, subject, minutes, code, line) in [
        (Died, "radarr", 70, Some(2), bind),
        (Started, "radarr", 71, None, ""),
        (Died, "radarr", 72, Some(2), bind),
        (Started, "radarr", 73, None, ""),
        (Died, "sonarr", 190, Some(1), "FATAL: database disk image is malformed (/config/sonarr.db)"),
        (OomKilled, "immich", 220, None, ""),
        (Died, "immich", 220, Some(137), "loading machine learning models"),
    ] {
        let mut record = Record::new(kind, subject, night + minutes * 60);
        record.exit_code = code;
        record.log_line = (!line.is_empty()).then(|| line.into());
        ring.insert(record);
    }
    ring.heartbeat(until);
    ring.to_bytes().expect("the record is written as JSON")
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

/// The numbers written in an answer ("12.5%", "0.52", "3 of 9").
fn numbers(text: &str) -> Vec<f64> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|w| w.trim_matches('.').parse::<f64>().ok())
        .collect()
}

/// Why `answer` does not hold what `expect` asks, or `None` when it does.
fn check(expect: &Expect, refused: bool, answer: &str, live: &Value) -> Option<String> {
    if refused != expect.refused {
        return Some(if refused { "refused".into() } else { "not refused".into() });
    }
    if expect.refused {
        return None;
    }
    let lower = answer.to_lowercase();
    for m in &expect.mentions {
        if !lower.contains(&m.to_lowercase()) {
            return Some(format!("does not mention {m:?}"));
        }
    }
    for group in &expect.mentions_any {
        if !group.iter().any(|m| lower.contains(&m.to_lowercase())) {
            return Some(format!("mentions none of {group:?}"));
        }
    }
    for m in &expect.not_mentions {
        if lower.contains(&m.to_lowercase()) {
            return Some(format!("mentions {m:?}"));
        }
    }
    let said = numbers(answer);
    let near =
        |value: Option<f64>, tolerance: f64| value.is_some_and(|v| said.iter().any(|n| (n - v).abs() <= tolerance));
    for fact in &expect.facts {
        let ok = match fact.as_str() {
            "cpu_percent" => near(live["cpu_percent"].as_f64(), 25.0),
            "memory_percent" => near(live["memory_percent"].as_f64(), 3.0),
            "load" => near(live["load_average"][0].as_f64(), 1.0),
            "uptime" => lower.contains("up for") || lower.contains("uptime"),
            _ => true,
        };
        if !ok {
            return Some(format!("does not state the live {fact}"));
        }
    }
    None
}

async fn ask(
    client: &reqwest::Client,
    gateway: &str,
    message: &str,
    conversation: Option<&str>,
) -> (bool, String, String) {
    let body = json!({"message": message, "conversation_id": conversation});
    let response = client.post(format!("{gateway}/chat")).header("X-API-Key", KEY).json(&body).send().await;
    let Ok(response) = response else { return (false, "(no answer)".into(), String::new()) };
    let status = response.status();
    let v: Value = response.json().await.unwrap_or_default();
    if !status.is_success() {
        return (false, format!("({status}: {})", v["detail"]), String::new());
    }
    (
        v["refused"].as_bool().unwrap_or(false),
        v["message"].as_str().unwrap_or_default().to_string(),
        v["conversation_id"].as_str().unwrap_or_default().to_string(),
    )
}

/// Whether tool-monitoring's problems list radarr as a restart loop.
async fn radarr_is_a_loop(client: &reqwest::Client, monitoring: &str) -> bool {
    let Ok(response) =
        client.get(format!("{monitoring}/problems")).header("x-internal-token", INTERNAL_TOKEN).send().await
    else {
        return false;
    };
    let v: Value = response.json().await.unwrap_or_default();
    // Told by its counted restarts ("restarted 3 times in the last 1 minute"), which hold for the
    // hour, not by a moment in Docker's back-off ("restarting: …"), which a later question can
    // miss when radarr is up for its second: a CI run (2026-12-07) was told the loop at once that
    // way, and two questions after it did not find radarr among the problems.
    v["problems"].as_array().is_some_and(|list| {
        list.iter().any(|p| {
            p["subject"] == "radarr"
                && p["kind"] == "restart loop"
                && p["reason"].as_str().is_some_and(|r| r.starts_with("restarted "))
        })
    })
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let file =
        arg("--questions").map(std::path::PathBuf::from).unwrap_or_else(|| root.join("tests/eval/questions.jsonl"));
    let min_tune: f64 = arg("--min-tune").and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let min_heldout: f64 = arg("--min-heldout").and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let questions: Vec<Question> = match std::fs::read_to_string(&file) {
        Ok(text) => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).expect("a question"))
            .collect(),
        Err(e) => {
            eprintln!("eval: {}: {e}", file.display());
            return std::process::ExitCode::from(2);
        }
    };
    let docker = std::env::var("DOCKER_HOST").unwrap_or_default();
    // The NAS owner's questions are asked of a fake TrueNAS that has only the new login.
    let certs = tempfile::tempdir().expect("a temporary folder");
    let truenas = FakeTruenas::start(Api::V27, certs.path()).await;
    // The night before, as the event record would hold it had the assistant watched this host.
    let since: i64 = std::env::var("EVAL_FIXTURE_SINCE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| chrono::Utc::now().timestamp() - 600);
    let state = tempfile::tempdir().expect("a temporary folder");
    let history = state.path().join("history.json");
    if let Err(e) = std::fs::write(history.with_extension("events.json"), last_night(chrono::Local::now(), since)) {
        eprintln!("eval: cannot write the event record: {e}");
        return std::process::ExitCode::from(2);
    }
    let extra: Vec<(String, String)> = vec![
        ("HISTORY_PATH".into(), history.display().to_string()),
        ("DOCKER_HOST".into(), docker),
        ("TRUENAS_URL".into(), truenas.url()),
        ("TRUENAS_USERNAME".into(), USERNAME.into()),
        ("TRUENAS_API_KEY".into(), API_KEY.into()),
        ("TRUENAS_CA_CERT".into(), truenas.ca_file.display().to_string()),
    ];
    let extra_ref: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    // The services built with this binary (`--release` or `--profile quick`), beside it.
    let bin_dir = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|p| p.to_path_buf()))
        .unwrap_or(root.join("target/release"));
    let stack = Stack::start_from(&bin_dir, Llm::Builtin, &extra_ref);
    let client = reqwest::Client::new();
    // Let the first CPU and history samples be taken.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    // The questions take radarr for a restart loop. Docker's back-off leaves it up for a second
    // now and then, and a loop is told for good by its count rising twice, so wait until
    // tool-monitoring sees it so (it would, for an owner, a minute or two after starting).
    let waited = std::time::Instant::now();
    loop {
        if radarr_is_a_loop(&client, &stack.monitoring_url()).await {
            println!("(radarr seen as a restart loop after {} s)", waited.elapsed().as_secs());
            break;
        }
        if waited.elapsed() > std::time::Duration::from_secs(150) {
            eprintln!("NOTICE: tool-monitoring did not see radarr's restart loop within 150 s; asking anyway");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }

    let mut by_split: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_kind: BTreeMap<(String, String), Tally> = BTreeMap::new();
    let mut by_lang: BTreeMap<(String, String), Tally> = BTreeMap::new();
    let mut details = Vec::new();
    for q in &questions {
        let mut conversation: Option<String> = None;
        for earlier in &q.after {
            let (_, _, id) = ask(&client, &stack.gateway_url(), earlier, conversation.as_deref()).await;
            conversation = Some(id);
        }
        let (refused, answer, _) = ask(&client, &stack.gateway_url(), &q.question, conversation.as_deref()).await;
        let live: Value = client
            .get(format!("{}/system/resources", stack.monitoring_url()))
            .header("x-internal-token", INTERNAL_TOKEN)
            .send()
            .await
            .ok()
            .map(|r| r.json())
            .unwrap_or_else(|| panic!("tool-monitoring answers"))
            .await
            .unwrap_or_default();
        let wrong = check(&q.expect, refused, &answer, &live);
        let ok = wrong.is_none();
        by_split.entry(q.split.clone()).or_default().add(ok);
        by_lang.entry((q.split.clone(), q.lang.clone())).or_default().add(ok);
        let kinds = if q.expect.refused { vec!["(change)".to_string()] } else { q.kinds.clone() };
        for kind in kinds {
            by_kind.entry((kind, q.split.clone())).or_default().add(ok);
        }
        if let (Some(why), "tune") = (&wrong, q.split.as_str()) {
            let short: String = answer.replace('\n', " ").chars().take(220).collect();
            details.push(format!("{} {:?}: {why}\n    answer: {short}", q.id, q.question));
        }
    }
    println!("== eval: {} questions about the fixture host, builtin model", questions.len());
    if !details.is_empty() {
        println!("-- wrong answers in the tune split:");
        for d in &details {
            println!("  {d}");
        }
    }
    println!("-- by kind (tune | held out):");
    let kinds: std::collections::BTreeSet<&String> = by_kind.keys().map(|(k, _)| k).collect();
    for kind in kinds {
        let t = by_kind.get(&(kind.clone(), "tune".into())).copied().unwrap_or_default();
        let h = by_kind.get(&(kind.clone(), "heldout".into())).copied().unwrap_or_default();
        println!("  {kind:<18} {:>14} | {:>14}", t.show(), h.show());
    }
    println!("-- by language (tune | held out):");
    let langs: std::collections::BTreeSet<&String> = by_lang.keys().map(|(_, l)| l).collect();
    for lang in langs {
        let t = by_lang.get(&("tune".into(), lang.clone())).copied().unwrap_or_default();
        let h = by_lang.get(&("heldout".into(), lang.clone())).copied().unwrap_or_default();
        println!("  {lang:<4} {:>14} | {:>14}", t.show(), h.show());
    }
    let tune = by_split.get("tune").copied().unwrap_or_default();
    let heldout = by_split.get("heldout").copied().unwrap_or_default();
    println!("== right answers: tune {}, held out {}", tune.show(), heldout.show());
    if tune.share() < min_tune || heldout.share() < min_heldout {
        println!("eval: below the minimum (tune {:.0}%, held out {:.0}%)", 100.0 * min_tune, 100.0 * min_heldout);
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
