//! Helpers for tests that run a service's real binary: start it on a free port with a clean
//! working directory, wait for `/health`, stop it with SIGTERM and check that it exits cleanly;
//! and [`until`], for waiting on a condition instead of sleeping a guessed time.

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// Polls `ok` every 100 ms until it holds; fails the test naming `what` after `within`.
pub async fn until(what: &str, within: Duration, mut ok: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !ok().await {
        assert!(started.elapsed() < within, "gave up waiting for {what} after {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// [`until`] for a test without a runtime.
pub fn until_blocking(what: &str, within: Duration, mut ok: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ok() {
        assert!(started.elapsed() < within, "gave up waiting for {what} after {within:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The events of a whole `text/event-stream` body, in order: each one's name and its data read
/// as JSON (an event whose data is not JSON is left out).
pub async fn sse_events(body: &str) -> Vec<(String, serde_json::Value)> {
    use eventsource_stream::Eventsource;
    use futures::StreamExt;
    let bytes = bytes::Bytes::from(body.to_owned());
    futures::stream::once(async move { Ok::<_, std::convert::Infallible>(bytes) })
        .eventsource()
        .filter_map(|event| async move {
            let event = event.ok()?;
            Some((event.event, serde_json::from_str(&event.data).ok()?))
        })
        .collect()
        .await
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// `GET http://127.0.0.1:<port><path>` with a plain socket: (status, body).
pub fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Some((status, body))
}

/// A running service binary, killed if the test panics.
pub struct RunningBinary {
    pub child: Child,
    pub port: u16,
    /// The working directory the binary runs in (no stray `.env` from the repository).
    pub dir: std::path::PathBuf,
}

impl RunningBinary {
    /// Starts `exe` with `port_var` set to a free port, `BIND_HOST=127.0.0.1`, and `env`.
    ///
    /// A free port is only free until someone binds it, and nextest runs each test in a process
    /// of its own: two tests starting a service at the same moment could be given the same port,
    /// and one would then talk to the other's service. So a lock file shared by every test
    /// process is held from choosing the port until the binary listens on it (or has exited).
    /// Only ports chosen here are covered: a test that takes [`free_port`] for itself must bind
    /// it at once. Any other program's outgoing connection can still take the port as its own
    /// end between the choice and the bind (seen once, with a stack running beside the tests):
    /// the service then exits saying the port is in use, and it is started again on another.
    pub fn start(exe: &str, port_var: &str, env: &[(&str, &str)]) -> Self {
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(std::env::temp_dir().join("homelab-test-ports.lock"))
            .expect("the port lock file");
        lock.lock().expect("the port lock");
        let mut attempts = 0;
        let binary = loop {
            attempts += 1;
            let mut binary = Self::start_on(exe, port_var, free_port(), env);
            let started = Instant::now();
            while TcpStream::connect(("127.0.0.1", binary.port)).is_err()
                && binary.child.try_wait().ok().flatten().is_none()
                && started.elapsed() < Duration::from_secs(15)
            {
                std::thread::sleep(Duration::from_millis(1));
            }
            let exited = binary.child.try_wait().ok().flatten().is_some();
            let taken = exited
                && std::fs::read_to_string(binary.dir.join("stderr.log"))
                    .is_ok_and(|e| e.contains("the port is in use"));
            if !taken || attempts == 5 {
                break binary;
            }
        };
        drop(lock);
        binary
    }

    /// Starts `exe` on a given port (to restart a service where the others expect it).
    /// Its stderr goes to `stderr.log` in its working directory, so a chatty service never
    /// blocks on a full pipe.
    pub fn start_on(exe: &str, port_var: &str, port: u16, env: &[(&str, &str)]) -> Self {
        let dir = std::env::temp_dir().join(format!("homelab-bin-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let log = std::fs::File::create(dir.join("stderr.log")).expect("log file");
        let mut cmd = Command::new(exe);
        cmd.current_dir(&dir)
            .env("BIND_HOST", "127.0.0.1")
            .env(port_var, port.to_string())
            .env("LOG_LEVEL", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("the binary starts");
        Self { child, port, dir }
    }

    /// Waits until `/health` answers 200 and returns its body.
    pub fn wait_healthy(&mut self, within: Duration) -> String {
        let started = Instant::now();
        while started.elapsed() < within {
            if let Some((200, body)) = http_get(self.port, "/health") {
                return body;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let err = std::fs::read_to_string(self.dir.join("stderr.log")).unwrap_or_default();
                panic!("the binary exited with {status} before it was healthy: {err}");
            }
            // Short: the benchmark reports exec → healthy times in milliseconds.
            std::thread::sleep(Duration::from_millis(1));
        }
        panic!("not healthy within {within:?}");
    }

    /// Sends `signal` (e.g. `-TERM`, `-KILL`) without waiting.
    pub fn signal(&self, signal: &str) {
        let _ = Command::new("kill").args([signal, &self.child.id().to_string()]).status();
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self, within: Duration) -> std::process::ExitStatus {
        self.signal("-TERM");
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            assert!(started.elapsed() < within, "still running {within:?} after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RunningBinary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `exe` to completion with `env` (and no `INTERNAL_TOKEN` but one `env` gives) and returns
/// (exit code, stderr).
pub fn run_to_exit(exe: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = std::env::temp_dir();
    let mut cmd = Command::new(exe);
    cmd.current_dir(dir).env("BIND_HOST", "127.0.0.1").env_remove("INTERNAL_TOKEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the binary runs");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The whole life of a service binary: start, healthy, named correctly, clean exit on SIGTERM;
/// and a malformed port variable stops it with a message naming the variable.
pub fn check_binary_lifecycle(exe: &str, service: &str, port_var: &str, env: &[(&str, &str)]) {
    let mut running = RunningBinary::start(exe, port_var, env);
    let body = running.wait_healthy(Duration::from_secs(10));
    assert!(body.contains(&format!("\"service\":\"{service}\"")), "{body}");
    let status = running.terminate(Duration::from_secs(10));
    assert!(status.success(), "exit status after SIGTERM: {status}");

    let mut bad = env.to_vec();
    bad.push((port_var, "eighty"));
    let (code, stderr) = run_to_exit(exe, &bad);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(port_var), "the message names the variable: {stderr}");

    // A placeholder copied from an example file is refused, naming the variable.
    let mut placeholder = env.to_vec();
    placeholder.push(("INTERNAL_TOKEN", "CHANGE-ME-internal-token"));
    let (code, stderr) = run_to_exit(exe, &placeholder);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("INTERNAL_TOKEN") && stderr.contains("placeholder"), "{stderr}");
    assert!(!stderr.contains("CHANGE-ME-internal-token"), "the value is not repeated: {stderr}");

    // Behind the gateway, a reachable address without the token is refused (fail closed).
    if crate::configuration::is_internal(service) {
        let mut open = env.to_vec();
        open.push(("BIND_HOST", "0.0.0.0"));
        let (code, stderr) = run_to_exit(exe, &open);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains("INTERNAL_TOKEN") && stderr.contains("ALLOW_NO_INTERNAL_TOKEN"), "{stderr}");
    }
}
