//! The load benchmark of the whole stack: the four release binaries on loopback, the fast fake
//! LLM (in this process) as an OpenAI-compatible provider, and a closed-loop load generator.
//! Prints start-up times, memory, the one-hop floor, chat throughput and latency at several
//! concurrencies and LLM delays, audit completeness, and `/system/resources` latency.
//!
//!   make bench            # builds the release binaries, then runs this
//!   cargo run --release -p e2e-tests --bin bench -- [--quick | --soak]
//!
//! `--soak` instead runs 60 s at c=256 through the gateway in six windows and exits non-zero
//! on any error or when the audit log or the session counts do not match the answered chats.
//!
//! `--llm-cost` instead asks a fixed set of questions (the seed README's seven, follow-ups, and
//! multi-tool ones) with and without prefetch, against the recording fake provider, and prints
//! LLM calls, prompt characters and prompt tokens (cl100k_base, counted by tiktoken-rs with its
//! vocabulary built in) per question, with the means over the seven.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::Arc,
    time::Duration,
};

use e2e_tests::{
    fake_llm::{self, Fake},
    load::{self, MakeRequest, Report},
    stack::{Llm, Stack, KEY, MONITORING},
};
use futures::StreamExt;
use serde_json::json;
/// How long after a load run memory is measured again: services return freed memory to the
/// kernel once they have been quiet for half a second (homelab_common::memory).
const SETTLE: Duration = Duration::from_secs(2);

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// RSS of each service, in stack order.
fn rss_each(stack: &Stack) -> Vec<f64> {
    stack.services().map(|s| rss_mib(s.binary.child.id())).collect()
}

/// The stack from the release binaries, with the fake as its provider.
fn start(bin: &Path, fake_url: &str) -> Stack {
    let docker = std::env::var("TEST_DOCKER_HOST").unwrap_or_else(|_| "unix:///nonexistent.sock".into());
    Stack::start_from(bin, Llm::OpenAi(fake_url.to_string()), &[("DOCKER_HOST", &docker)])
}

/// SIGTERM to every service, front first, waiting for each to exit (the audit log is then
/// whole); the stack's folder is handed back, to be read before it is dropped.
fn stop(mut stack: Stack) -> tempfile::TempDir {
    for index in (0..4).rev() {
        if let Some(service) = stack.take(index) {
            let _ = service.binary.terminate(Duration::from_secs(30));
        }
    }
    stack.dir
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// The audit log's files, oldest first: those it was rotated into (named with a UTC stamp, so
/// they sort by age), then the current one.
fn audit_files(path: &Path) -> Vec<PathBuf> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("audit").to_string();
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p != path)
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                    name.starts_with(&format!("{stem}.")) && name.ends_with(".jsonl")
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    if path.exists() {
        files.push(path.to_path_buf());
    }
    files
}

/// Lines across the audit log and its rotated files.
fn audit_lines(path: &Path) -> usize {
    audit_files(path).iter().map(|f| std::fs::read_to_string(f).map(|t| t.lines().count()).unwrap_or(0)).sum()
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (short, long) = if quick {
        (Duration::from_secs(2), Duration::from_secs(3))
    } else {
        (Duration::from_secs(5), Duration::from_secs(10))
    };
    let bin = PathBuf::from(std::env::var("HOMELAB_BIN_DIR").unwrap_or_else(|_| "target/release".into()));
    let fake = Fake::default();
    let delay = fake.delay.clone();
    let fake_counts = fake.clone();
    let fake_url = fake_llm::serve(fake).await;
    // Started off the runtime: the fake provider answers on it.
    let stack = {
        let (bin, url) = (bin.clone(), fake_url.clone());
        tokio::task::spawn_blocking(move || start(&bin, &url)).await.unwrap()
    };
    let audit = stack.audit_path();

    if std::env::args().any(|a| a == "--llm-cost") {
        llm_cost(&bin).await;
        return;
    }
    if std::env::args().any(|a| a == "--soak") {
        let code = soak(stack, &bin).await;
        std::process::exit(code);
    }
    println!("# Homelab Assistant benchmark\n");
    println!("machine: {} cores, {}", num_cpus(), first_line("/proc/cpuinfo", "model name"));
    tokio::time::sleep(Duration::from_secs(1)).await;

    println!("\n## Start-up and memory\n");
    println!("| service | exec → first 200 on /health (ms) | RSS idle (MiB) | binary (MiB) |");
    println!("|---|---|---|---|");
    let mut idle_total = 0.0;
    for s in stack.services() {
        let rss = rss_mib(s.binary.child.id());
        idle_total += rss;
        let size = std::fs::metadata(bin.join(s.name)).map(|m| m.len() as f64 / 1048576.0).unwrap_or(0.0);
        println!("| {} | {} | {:.1} | {:.1} |", s.name, ms(s.startup), rss, size);
    }
    println!("| **all four** | | **{idle_total:.1}** | |");

    let client = reqwest::Client::builder().pool_max_idle_per_host(512).build().unwrap();
    let floor_url = format!("{fake_url}/chat/completions");
    let floor_body =
        json!({"model": "bench", "messages": [{"role": "user", "content": "What is the current CPU usage?"}]});
    let floor =
        load::run(&client, Arc::new(move |c: &reqwest::Client| c.post(&floor_url).json(&floor_body)), 1, short).await;
    println!(
        "\n## Floor\n\none HTTP round trip to the fake LLM at c=1: p50 {} ms ({} requests)",
        ms(floor.p50),
        floor.requests
    );

    let chat_url = format!("{}/chat", stack.gateway_url());
    let chat: MakeRequest = Arc::new(move |c: &reqwest::Client| {
        c.post(&chat_url).header("X-API-Key", KEY).json(&json!({"message": "What is the current CPU usage?"}))
    });

    // How many LLM calls a chat makes (one when the tool is prefetched, two when the model asks
    // for it): counted at the fake over a few chats, for the header and the ideal rate.
    let before = fake_counts.calls();
    for _ in 0..10 {
        let r = chat(&client).send().await;
        assert!(r.is_ok_and(|r| r.status().is_success()), "a chat before the load failed");
    }
    let llm_calls = ((fake_counts.calls() - before) as f64 / 10.0).max(1.0);
    println!(
        "\n## Chats through the gateway: \"What is the current CPU usage?\" (1 tool call, {llm_calls} LLM call{} a chat, counted at the fake)\n",
        if llm_calls == 1.0 { "" } else { "s" }
    );
    println!("| LLM delay | concurrency | chats/s | p50 (ms) | p99 (ms) | p50 / floor | errors | audit lines = 200s |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut after_load = Vec::new();
    let mut settled = Vec::new();
    for delay_ms in [0u64, 300] {
        delay.set(delay_ms);
        for c in [1usize, 16, 64, 256] {
            let before = audit_lines(&audit);
            let r: Report = load::run(&client, chat.clone(), c, if delay_ms == 0 { short } else { long }).await;
            tokio::time::sleep(Duration::from_millis(200)).await;
            let lines = audit_lines(&audit) - before;
            let ok = r.requests - r.errors;
            let ideal = if delay_ms > 0 {
                format!(
                    " ({:.0}% of ideal {:.0}/s)",
                    r.per_second * 100.0 / (c as f64 / (llm_calls * delay_ms as f64 / 1000.0)),
                    c as f64 / (llm_calls * delay_ms as f64 / 1000.0)
                )
            } else {
                String::new()
            };
            println!(
                "| {delay_ms} ms | {c} | {:.0}{ideal} | {} | {} | {:.1}× | {} | {} = {} {} |",
                r.per_second,
                ms(r.p50),
                ms(r.p99),
                r.p50.as_secs_f64() / floor.p50.as_secs_f64().max(1e-9),
                r.errors,
                lines,
                ok,
                if lines == ok { "✓" } else { "✗" }
            );
            if delay_ms == 0 && c == 256 {
                after_load = rss_each(&stack);
                tokio::time::sleep(SETTLE).await;
                settled = rss_each(&stack);
            }
        }
    }

    delay.set(0);
    let again = load::run(&client, chat.clone(), 256, short).await;
    tokio::time::sleep(SETTLE).await;
    let repeated = rss_each(&stack);
    println!("\n## Memory after load (MiB)\n");
    println!(
        "| service | 0.2 s after c=256 | {} s after | {} s after a second c=256 run ({} more chats) |",
        SETTLE.as_secs(),
        SETTLE.as_secs(),
        again.requests
    );
    println!("|---|---|---|---|");
    for (i, s) in stack.services().enumerate() {
        println!("| {} | {:.1} | {:.1} | {:.1} |", s.name, after_load[i], settled[i], repeated[i]);
    }
    println!(
        "| **all four** | **{:.1}** | **{:.1}** | **{:.1}** |",
        after_load.iter().sum::<f64>(),
        settled.iter().sum::<f64>(),
        repeated.iter().sum::<f64>()
    );

    let monitoring = stack.service(MONITORING).unwrap().binary.port;
    let res_url = format!("http://127.0.0.1:{monitoring}/system/resources");
    println!(
        "\n## GET /system/resources\n\n| concurrency | req/s | p50 (ms) | p99 (ms) | errors |\n|---|---|---|---|---|"
    );
    for c in [1usize, 64] {
        let url = res_url.clone();
        let r = load::run(&client, Arc::new(move |cl: &reqwest::Client| cl.get(&url)), c, short).await;
        println!("| {c} | {:.0} | {} | {} | {} |", r.per_second, ms(r.p50), ms(r.p99), r.errors);
    }

    tokio::task::spawn_blocking(move || stop(stack)).await.unwrap();
}

/// 60 s at c=256 in six windows: errors, audit lines and sessions against answered chats, RSS.
async fn soak(stack: Stack, bin: &Path) -> i32 {
    let (audit, db) = (stack.audit_path(), stack.db_path());
    let client = reqwest::Client::builder().pool_max_idle_per_host(512).build().unwrap();
    let url = format!("{}/chat", stack.gateway_url());
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let next = counter.clone();
    let chat: MakeRequest = Arc::new(move |c: &reqwest::Client| {
        let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        c.post(&url)
            .header("X-API-Key", KEY)
            .json(&json!({"message": "What is the current CPU usage?", "conversation_id": format!("soak-{n}")}))
    });
    println!("# Soak: 60 s at c=256 through the gateway\n");
    println!("| window | chats/s | p99 (ms) | errors | RSS all four (MiB) |\n|---|---|---|---|---|");
    let (mut ok, mut errors) = (0, 0);
    for window in 1..=6 {
        let r = load::run(&client, chat.clone(), 256, Duration::from_secs(10)).await;
        ok += r.requests - r.errors;
        errors += r.errors;
        let rss: f64 = rss_each(&stack).iter().sum();
        println!("| {window} | {:.0} | {} | {} | {rss:.1} |", r.per_second, ms(r.p99), r.errors);
        if let Some(why) = &r.first_error {
            println!("first error in window {window}: {why}");
        }
    }
    // The chat page's charts read the history while chats go on; the history stays in its budget.
    // A key may read status, history, events and conversations 120 times a minute (the gateway's read
    // allowance), so the charts ask 100 times, 32 at once, and every one must be answered.
    let history_url = format!("{}/history?metric=cpu&window=24h", stack.gateway_url());
    let started = std::time::Instant::now();
    let answers: Vec<Result<(), String>> = futures::stream::iter(0..100)
        .map(|_| {
            let request = client.get(&history_url).header("X-API-Key", KEY);
            async move {
                let resp = request.send().await.map_err(|e| e.to_string())?;
                let status = resp.status();
                let body = resp.text().await.unwrap_or_default();
                if status.is_success() {
                    Ok(())
                } else {
                    Err(format!("{status}: {}", body.chars().take(200).collect::<String>()))
                }
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let chart_errors: Vec<String> = answers.into_iter().filter_map(Result::err).collect();
    errors += chart_errors.len();
    println!(
        "\nhistory charts: 100 reads, 32 at once, in {} ms, {} errors",
        started.elapsed().as_millis(),
        chart_errors.len()
    );
    if let Some(why) = chart_errors.first() {
        println!("first history error: {why}");
    }
    let history_bytes = gauge(&client, &stack.monitoring_url(), "homelab_history_bytes").await;
    let history_ok = history_bytes.is_some_and(|b| b > 0.0 && b <= 2.0 * 1024.0 * 1024.0);
    println!(
        "history memory: {:?} bytes (budget 2 MiB): {}",
        history_bytes,
        if history_ok { "ok" } else { "OVER or unknown" }
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let lines = audit_lines(&audit);
    let sessions: i64 = rusqlite::Connection::open(&db)
        .and_then(|c| c.query_row("SELECT COALESCE(SUM(message_count), 0) FROM sessions", [], |r| r.get(0)))
        .unwrap_or(-1);
    let sent = counter.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "\nanswered {ok}, errors {errors}, audit lines {lines}, session messages {sessions}, requests sent {sent}"
    );
    tokio::time::sleep(SETTLE).await;
    let settled: f64 = rss_each(&stack).iter().sum();
    println!("RSS of all four {} s after the load: {settled:.1} MiB", SETTLE.as_secs());
    let _dir = tokio::task::spawn_blocking(move || stop(stack)).await.unwrap();
    let files = audit_files(&audit);
    let verified = Command::new(bin.join("orchestrator"))
        .arg("verify-audit")
        .arg("--key-file")
        .arg(audit.with_file_name("audit.key"))
        .args(&files)
        .output()
        .map(|o| {
            print!("audit chain over {} file(s): {}", files.len(), String::from_utf8_lossy(&o.stdout));
            o.status.success()
        })
        .unwrap_or(false);
    let good = errors == 0 && lines == ok && sessions == ok as i64 && verified && history_ok;
    println!("{} passed, {} failed", u8::from(good), u8::from(!good));
    if good {
        0
    } else {
        1
    }
}

/// A gauge's value from a service's `/metrics`.
async fn gauge(client: &reqwest::Client, service: &str, name: &str) -> Option<f64> {
    let text = client.get(format!("{service}/metrics")).send().await.ok()?.text().await.ok()?;
    text.lines().find(|l| l.starts_with(name))?.rsplit(' ').next()?.parse().ok()
}

/// The seed README's seven example questions.
const SEED_QUESTIONS: [&str; 7] = [
    "What is the current CPU usage?",
    "How much memory is being used?",
    "How much disk space is left?",
    "Give me a full system health report",
    "What containers are running?",
    "List all Docker containers and their status",
    "Which containers are stopped?",
];

/// Follow-ups (in the conversation of the question before) and questions that need several tools.
const MORE_QUESTIONS: [(&str, bool); 4] = [
    ("And how much memory?", true),
    ("Is anything wrong with the server?", false),
    ("What is the CPU and disk usage, and which containers are stopped?", false),
    ("How long has the server been up?", false),
];

/// LLM calls, prompt characters and prompt tokens per question, with prefetch off and on.
async fn llm_cost(bin: &Path) {
    let bpe = tiktoken_rs::cl100k_base().expect("the vocabulary is built into tiktoken-rs");
    println!("# LLM cost per question (fake OpenAI-compatible provider, real tools)\n");
    println!("Prompt = what each LLM call sends (system prompt, messages, tool definitions), summed over the calls");
    println!("of one question; tokens are cl100k_base counts.\n");
    for prefetch in ["false", "true"] {
        let fake = Fake::recording();
        let url = fake_llm::serve(fake.clone()).await;
        let docker = std::env::var("TEST_DOCKER_HOST").unwrap_or_else(|_| "unix:///nonexistent.sock".into());
        let stack = {
            let bin = bin.to_path_buf();
            tokio::task::spawn_blocking(move || {
                Stack::start_from(&bin, Llm::OpenAi(url), &[("DOCKER_HOST", &docker), ("PREFETCH_TOOLS", prefetch)])
            })
            .await
            .unwrap()
        };
        println!("## PREFETCH_TOOLS={prefetch}\n");
        println!("| question | LLM calls | prompt chars | prompt tokens |\n|---|---|---|---|");
        let mut seed = (0.0, 0.0, 0.0);
        let mut conversation: Option<String> = None;
        let questions = SEED_QUESTIONS.iter().map(|q| (*q, false)).chain(MORE_QUESTIONS);
        for (i, (question, follow_up)) in questions.enumerate() {
            let before = fake.requests().len();
            let mut body = json!({"message": question});
            if follow_up {
                body["conversation_id"] = json!(conversation);
            }
            let (status, answer) = stack.chat(&body).await;
            assert_eq!(status, 200, "{question}: {answer}");
            conversation = answer["conversation_id"].as_str().map(String::from);
            let sent = &fake.requests()[before..];
            let prompts: Vec<String> =
                sent.iter().map(|r| format!("{}{}", r["body"]["messages"], r["body"]["tools"])).collect();
            let chars: usize = prompts.iter().map(String::len).sum();
            let tokens: usize = prompts.iter().map(|p| bpe.encode_with_special_tokens(p).len()).sum();
            println!("| {question} | {} | {chars} | {tokens} |", sent.len());
            if i < SEED_QUESTIONS.len() {
                seed.0 += sent.len() as f64;
                seed.1 += chars as f64;
                seed.2 += tokens as f64;
            }
        }
        let n = SEED_QUESTIONS.len() as f64;
        println!(
            "\nMean over the seed's seven: **{:.2} LLM calls, {:.0} prompt characters, {:.0} prompt tokens** per question.\n",
            seed.0 / n,
            seed.1 / n,
            seed.2 / n
        );
        let _dir = tokio::task::spawn_blocking(move || stop(stack)).await.unwrap();
    }
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

fn first_line(path: &str, key: &str) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| "unknown CPU".into())
}
