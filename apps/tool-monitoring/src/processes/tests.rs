//! /proc parsing, and a fake /proc with thousands of processes and huge command lines.

use super::*;

fn stat_line(pid: u32, name: &str, ticks: u64, started: u64, rss_pages: u64) -> String {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    // cutime cstime priority nice threads itreal starttime vsize rss …
    format!("{pid} ({name}) S 1 1 1 0 -1 4194560 100 0 0 0 {ticks} 0 0 0 20 0 1 0 {started} 1000000 {rss_pages} 18446744073709551615")
}

#[test]
fn stat_is_read_from_the_last_parenthesis() {
    let s = parse_stat(42, &stat_line(42, "my (odd) name) x", 150, 9000, 256)).unwrap();
    assert_eq!((s.name.as_str(), s.ticks, s.started, s.rss_pages), ("my (odd) name) x", 150, 9000, 256));
    let kernel = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 3 7 0 0 20 0 1 0 1 0 0 18446744073709551615";
    assert_eq!(parse_stat(2, kernel).unwrap().ticks, 10);
    assert_eq!(parse_stat(1, "1 (init"), None);
    assert_eq!(parse_stat(1, "1 (init) S 1 2"), None, "too few fields");
}

#[test]
fn the_container_id_is_found_in_each_cgroup_layout() {
    let id = "8dfafdbc3a40a2c1e7b5e3f0c5d1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9";
    for cgroup in [
        format!("0::/system.slice/docker-{id}.scope"),
        format!("12:memory:/docker/{id}\n0::/"),
        format!("0::/machine.slice/libpod-{id}.scope/container"),
        format!("0::/../../system.slice/docker-{id}.scope"),
        format!("0::/kubepods/burstable/pod1234/{id}"),
    ] {
        assert_eq!(container_id(&cgroup).as_deref(), Some(id), "{cgroup}");
    }
    assert_eq!(container_id("0::/init.scope"), None);
    assert_eq!(container_id("4:memory:/process_api/6c7497a40b4a5d88605e13998cd5f0ec"), None, "32 digits is no id");
    assert_eq!(container_id(&format!("0::/x/{id}0")), None, "65 digits is no id");
}

#[test]
fn command_lines_are_joined_redacted_and_cut() {
    let raw = b"postgres\0-c\0password=hunter2\0--token\0abc\0";
    let c = command_line(raw);
    assert!(c.starts_with("postgres -c password=[redacted]"), "{c}");
    assert!(!c.contains("hunter2"));
    let long: Vec<u8> = [b"java\0-jar\0".as_slice(), &b"x".repeat(3000)].concat();
    let c = command_line(&long);
    assert_eq!(c.chars().count(), MAX_COMMAND_CHARS + "… [cut]".chars().count());
    assert_eq!(command_line(b""), "");
}

/// A fake /proc with `n` processes, each with a 1 MiB command line holding a secret at its end.
fn fake_proc(n: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("meminfo"), "MemTotal:       16384000 kB\nMemFree: 1 kB\n").unwrap();
    for pid in 1..=n {
        let p = dir.path().join(pid.to_string());
        std::fs::create_dir(&p).unwrap();
        std::fs::write(p.join("stat"), stat_line(pid, &format!("worker-{pid}"), 0, 500, pid as u64)).unwrap();
        std::fs::write(p.join("cgroup"), "0::/user.slice\n").unwrap();
    }
    let big = dir.path().join("7/cmdline");
    let mut cmd = b"node\0server.js\0".to_vec();
    cmd.extend(b"a".repeat(1024 * 1024));
    cmd.extend(b"\0API_KEY=topsecret\0");
    std::fs::write(big, cmd).unwrap();
    std::fs::write(dir.path().join("2/comm"), "kthreadd\n").unwrap();
    std::fs::write(
        dir.path().join("9/cgroup"),
        "0::/system.slice/docker-8dfafdbc3a40a2c1e7b5e3f0c5d1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9.scope\n",
    )
    .unwrap();
    dir
}

#[test]
fn thousands_of_processes_give_a_bounded_answer_with_cpu_from_the_previous_reading() {
    let dir = fake_proc(3000);
    let readings = CpuReadings::first(dir.path().to_path_buf());
    // Two seconds later process 9 has used 1.5 s of CPU (150 ticks at 100 a second) and process 7
    // 0.5 s; process 5 is a new process with a reused pid, so it has no baseline.
    let hz = rustix::param::clock_ticks_per_second();
    std::fs::write(dir.path().join("9/stat"), stat_line(9, "busy", 3 * hz / 2, 500, 9)).unwrap();
    std::fs::write(dir.path().join("7/stat"), stat_line(7, "node", hz / 2, 500, 7)).unwrap();
    std::fs::write(dir.path().join("5/stat"), stat_line(5, "reused", 10 * hz, 900, 5)).unwrap();
    let later = Instant::now() + Duration::from_secs(2);
    let started = Instant::now();
    let s = snapshot(&readings, SortBy::Cpu, 20, later);
    println!("3000 processes read in {:?}", started.elapsed());
    assert_eq!((s.total, s.processes.len(), s.whole_host), (3000, 20, true));
    let top: Vec<(u32, f64)> = s.processes.iter().take(3).map(|p| (p.pid, p.cpu_percent)).collect();
    assert!(
        (top[0].0, top[1].0) == (9, 7) && (top[0].1 - 75.0).abs() < 1.0 && (top[1].1 - 25.0).abs() < 1.0,
        "{top:?}"
    );
    let all = snapshot(&readings, SortBy::Cpu, MAX_PROCESSES, later);
    assert_eq!(
        all.processes.iter().find(|p| p.pid == 5).map(|p| p.cpu_percent),
        Some(0.0),
        "a reused pid has no baseline"
    );
    let node = &s.processes[1];
    assert!(node.command.starts_with("node server.js aaa") && node.command.ends_with("… [cut]"), "{}", node.command);
    assert!(node.command.chars().count() <= MAX_COMMAND_CHARS + 10);
    assert!(s.containers.get(&9).is_some_and(|id| id.starts_with("8dfafdbc3a40")));
    assert!(s.interval_seconds >= 1.9, "{}", s.interval_seconds);
    let by_memory = snapshot(&readings, SortBy::Memory, 3, later);
    let pids: Vec<u32> = by_memory.processes.iter().map(|p| p.pid).collect();
    assert_eq!(pids, [3000, 2999, 2998]);
    let page = rustix::param::page_size() as f64;
    assert_eq!(by_memory.processes[0].memory_mb, round1(3000.0 * page / 1_048_576.0));
    // A reading taken just now is too recent to measure against: no CPU figures, said so.
    let fresh = CpuReadings::first(dir.path().to_path_buf());
    let s = snapshot(&fresh, SortBy::Cpu, 5, Instant::now());
    assert_eq!(s.interval_seconds, 0.0);
    assert!(s.processes.iter().all(|p| p.cpu_percent == 0.0));
}

#[test]
fn a_secret_in_a_command_line_never_comes_out() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("12");
    std::fs::create_dir(&p).unwrap();
    std::fs::write(p.join("stat"), stat_line(12, "app", 1, 1, 1)).unwrap();
    std::fs::write(p.join("cmdline"), b"app\0--db-url\0postgres://admin:s3cr3tpass@db/app\0").unwrap();
    let s = snapshot(&CpuReadings::first(dir.path().to_path_buf()), SortBy::Cpu, 1, Instant::now());
    assert!(!s.processes[0].command.contains("s3cr3tpass"), "{}", s.processes[0].command);
    assert!(!s.whole_host, "no kernel threads: a container's own view");
}

#[test]
fn this_machines_own_processes_are_read() {
    let readings = CpuReadings::first(PathBuf::from("/proc"));
    let s = snapshot(&readings, SortBy::Memory, 5, Instant::now());
    assert!(s.total >= 2, "{}", s.total);
    assert!(s.processes[0].memory_mb > 0.0);
    let me = std::process::id();
    let all = snapshot(&readings, SortBy::Memory, MAX_PROCESSES, Instant::now());
    assert!(all.processes.iter().any(|p| p.pid == me), "this test's own process is listed");
}
