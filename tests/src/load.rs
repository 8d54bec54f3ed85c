//! A closed-loop load generator: `concurrency` workers send requests back to back for a fixed
//! time and record each latency; the report has throughput, p50, p99 and the error count.

use std::time::{Duration, Instant};

/// What one run measured.
#[derive(Debug, Clone)]
pub struct Report {
    pub requests: usize,
    pub errors: usize,
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
    /// What the first failed request got (a status and the start of its body, or the transport
    /// error), so a run with errors says why.
    pub first_error: Option<String>,
}

/// One request to send; a fresh builder per call.
pub type MakeRequest = std::sync::Arc<dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync>;

pub async fn run(client: &reqwest::Client, make: MakeRequest, concurrency: usize, duration: Duration) -> Report {
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let client = client.clone();
            let make = make.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                let mut first_error = None;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let failure = match make(&client).send().await {
                        Ok(resp) => {
                            let status = resp.status();
                            let body = resp.bytes().await.unwrap_or_default();
                            (!status.is_success()).then(|| {
                                let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
                                format!("{status}: {text}")
                            })
                        }
                        Err(e) => Some(e.to_string()),
                    };
                    latencies.push(t.elapsed());
                    if let Some(failure) = failure {
                        errors += 1;
                        first_error.get_or_insert(failure);
                    }
                }
                (latencies, errors, first_error)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for w in workers {
        let (l, e, f) = w.await.expect("worker");
        all.extend(l);
        errors += e;
        first_error = first_error.or(f);
    }
    let elapsed = started.elapsed();
    all.sort();
    let pick = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or_default()
    };
    Report {
        requests: all.len(),
        errors,
        per_second: (all.len() - errors) as f64 / elapsed.as_secs_f64(),
        p50: pick(0.50),
        p99: pick(0.99),
        first_error,
    }
}
