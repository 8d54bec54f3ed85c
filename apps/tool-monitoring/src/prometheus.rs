//! History from a Prometheus server the user already runs (`PROMETHEUS_URL`): node_exporter's
//! and cAdvisor's metrics, over any host Prometheus scrapes and further back than a day.
//!
//! Queries come only from the fixed templates in [`templates`]; the only value put into one is a
//! container name that has already matched Docker's name pattern (no quote can get in). The model
//! never writes PromQL.

use std::time::Duration;

use homelab_common::upstream::{Upstream, UpstreamError};
use homelab_schemas::monitoring::{window_text, History, HistoryMetric, HistorySeries, CONTAINER_NAME_PATTERN};
use serde::Deserialize;

use crate::history::summarise;

/// The longest window asked of Prometheus (it keeps 15 days by default).
pub const MAX_WINDOW_SECONDS: u64 = 90 * 86_400;
/// Points asked for per series at most; the step grows with the window.
const POINTS_PER_SERIES: u64 = 240;
/// One Prometheus request, at most (a history question waits for two at most).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Filesystems that hold no user data.
const PSEUDO_FS: &str = r#"fstype!~"tmpfs|devtmpfs|overlay|squashfs|ramfs|nsfs|autofs|fuse\\..*""#;

/// Why Prometheus could not answer; the handler then answers from this host's own history.
#[derive(Debug, thiserror::Error)]
pub enum PrometheusError {
    #[error("{0}")]
    Unreachable(String),
    #[error("it answered {0}")]
    Refused(String),
    #[error("it has no {0} figures")]
    NoData(&'static str),
}

/// One PromQL query of a template and how to name its series.
struct Query {
    promql: String,
    /// The series' subject: a label's value, or a fixed word.
    subject: Subject,
}

enum Subject {
    Fixed(&'static str),
    Label(&'static str),
}

/// The vetted queries of each metric. `range` is the rate window (`2m`), `container` a checked name.
fn templates(metric: HistoryMetric, range: &str, container: Option<&str>) -> Vec<Query> {
    let name = match container {
        Some(n) => format!(r#"name="{n}""#),
        None => r#"name!="""#.to_string(),
    };
    let fixed = |promql: String, word| Query { promql, subject: Subject::Fixed(word) };
    match metric {
        HistoryMetric::Cpu => vec![fixed(
            format!(r#"100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{{mode="idle"}}[{range}])))"#),
            "host",
        )],
        HistoryMetric::Memory => {
            vec![fixed("100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)".into(), "host")]
        }
        HistoryMetric::Load => vec![fixed("node_load1".into(), "host")],
        HistoryMetric::Disk => vec![Query {
            promql: format!(
                "(node_filesystem_size_bytes{{{PSEUDO_FS}}} - node_filesystem_free_bytes{{{PSEUDO_FS}}}) / 1073741824"
            ),
            subject: Subject::Label("mountpoint"),
        }],
        HistoryMetric::Network => ["receive", "transmit"]
            .into_iter()
            .zip(["received", "sent"])
            .map(|(way, word)| {
                fixed(
                    format!(
                        r#"sum by (instance) (rate(node_network_{way}_bytes_total{{device!="lo"}}[{range}])) / 1048576"#
                    ),
                    word,
                )
            })
            .collect(),
        HistoryMetric::ContainerCpu => vec![Query {
            promql: format!("sum by (name) (rate(container_cpu_usage_seconds_total{{{name}}}[{range}])) * 100"),
            subject: Subject::Label("name"),
        }],
        HistoryMetric::ContainerMemory => vec![Query {
            promql: format!("sum by (name) (container_memory_working_set_bytes{{{name}}}) / 1048576"),
            subject: Subject::Label("name"),
        }],
    }
}

/// The size of each filesystem (GB), for the "full at" projection.
fn disk_size_query() -> String {
    format!("node_filesystem_size_bytes{{{PSEUDO_FS}}} / 1073741824")
}

/// What the metric's series are called when Prometheus has none.
fn source_of(metric: HistoryMetric) -> &'static str {
    if metric.per_container() {
        "cAdvisor"
    } else {
        "node_exporter"
    }
}

#[derive(Deserialize)]
struct Answer {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    result: Vec<Series>,
}

#[derive(Deserialize)]
struct Series {
    metric: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    values: Vec<(f64, String)>,
    #[serde(default)]
    value: Option<(f64, String)>,
}

/// A Prometheus server's HTTP API.
#[derive(Debug)]
pub struct Prometheus {
    base: String,
    /// Answers read through [`ANSWER_BYTES`].
    client: Upstream,
}

/// Most bytes of one Prometheus answer: a day of a few series at chart resolution is well under
/// a MB.
pub const ANSWER_BYTES: usize = 32 * 1024 * 1024;

impl Prometheus {
    pub fn new(url: &str) -> Self {
        let client = reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build().unwrap_or_default();
        Self { base: url.trim_end_matches('/').to_string(), client: Upstream::new(client, ANSWER_BYTES) }
    }

    async fn get(&self, path: &str, params: &[(&str, String)]) -> Result<Vec<Series>, PrometheusError> {
        let request = self.client.get(format!("{}{path}", self.base)).query(params);
        let answer = self.client.send(request).await.map_err(|e| match e {
            UpstreamError::Status { status, detail, .. } => {
                PrometheusError::Refused(format!("{}: {detail}", status.as_u16()))
            }
            other => PrometheusError::Unreachable(in_words(&other)),
        })?;
        let status = answer.status;
        let answer: Answer = answer.json().map_err(|_| {
            PrometheusError::Refused(format!("HTTP {} with a body that is not its API's", status.as_u16()))
        })?;
        if answer.status != "success" {
            let error: String = answer.error.unwrap_or_default().chars().take(200).collect();
            return Err(PrometheusError::Refused(format!("{}: {error}", status.as_u16())));
        }
        Ok(answer.data.map(|d| d.result).unwrap_or_default())
    }

    /// `metric` over `span`, as [`History`] (its coverage is filled in by the caller, in the
    /// host's time zone); `points` per series for charts.
    pub async fn query(
        &self,
        metric: HistoryMetric,
        span: crate::history::Span,
        container: Option<&str>,
        now: i64,
        points: usize,
    ) -> Result<History, PrometheusError> {
        if let Some(name) = container {
            // Already checked by the handler; checked again here because it goes into PromQL.
            if crate::docker::checked_name(name).is_err() {
                return Err(PrometheusError::Refused(format!("a name that does not match {CONTAINER_NAME_PATTERN}")));
            }
        }
        let mut note = None;
        let seconds = if span.seconds() > MAX_WINDOW_SECONDS {
            note = Some(format!(
                "Prometheus is asked for 90 days at most, so this covers 90d rather than {}.",
                window_text(span.seconds())
            ));
            MAX_WINDOW_SECONDS
        } else {
            span.seconds()
        };
        let step = (seconds / POINTS_PER_SERIES).max(15);
        let range = format!("{}s", (2 * step).max(120));
        let (start, end) = (span.end - seconds as i64, span.end);
        let mut series = Vec::new();
        let totals = if metric == HistoryMetric::Disk {
            let sizes = self.get("/api/v1/query", &[("query", disk_size_query()), ("time", end.to_string())]).await?;
            sizes
                .into_iter()
                .filter_map(|s| {
                    let value = s.value.as_ref()?.1.parse::<f64>().ok()?;
                    Some(((s.metric.get("instance")?.clone(), s.metric.get("mountpoint")?.clone()), value))
                })
                .collect()
        } else {
            std::collections::BTreeMap::new()
        };
        for q in templates(metric, &range, container) {
            let params = [
                ("query", q.promql.clone()),
                ("start", start.to_string()),
                ("end", end.to_string()),
                ("step", step.to_string()),
            ];
            for s in self.get("/api/v1/query_range", &params).await? {
                let subject = match q.subject {
                    Subject::Fixed(word) => word.to_string(),
                    Subject::Label(label) => s.metric.get(label).cloned().unwrap_or_default(),
                };
                let instance = s.metric.get("instance").cloned();
                let pts: Vec<(i64, f64)> = s
                    .values
                    .iter()
                    .filter_map(|(t, v)| v.parse::<f64>().ok().filter(|v| v.is_finite()).map(|v| (*t as i64, v)))
                    .collect();
                let total = instance.clone().and_then(|i| totals.get(&(i, subject.clone())).copied());
                if let Some(mut summary) = summarise(&subject, metric, &pts, total, now, points) {
                    summary.instance = instance;
                    series.push(summary);
                }
            }
        }
        if series.is_empty() {
            return Err(PrometheusError::NoData(source_of(metric)));
        }
        series.sort_by(|a: &HistorySeries, b| (&a.instance, &a.subject).cmp(&(&b.instance, &b.subject)));
        if metric.per_container() && container.is_none() && series.len() > crate::history::SHOWN_CONTAINERS {
            let shown = crate::history::SHOWN_CONTAINERS;
            note = Some(format!("The {shown} busiest of {} containers are shown.", series.len()));
            series.sort_by(|a, b| b.max.total_cmp(&a.max));
            series.truncate(shown);
        }
        Ok(History {
            window: window_text(seconds),
            note,
            ..crate::history::undescribed(metric, "prometheus", step, series)
        })
    }
}

/// A request error in words, without the URL (it may carry credentials in its userinfo).
fn in_words(e: &UpstreamError) -> String {
    match e {
        UpstreamError::TimedOut => format!("no answer within {} s", REQUEST_TIMEOUT.as_secs()),
        UpstreamError::Unreachable => "nothing answers at PROMETHEUS_URL".into(),
        other => format!("Prometheus {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_fixed_and_only_take_a_checked_name() {
        let q = templates(HistoryMetric::ContainerCpu, "120s", Some("plex"));
        assert_eq!(q[0].promql, r#"sum by (name) (rate(container_cpu_usage_seconds_total{name="plex"}[120s])) * 100"#);
        let all = templates(HistoryMetric::ContainerMemory, "120s", None);
        assert_eq!(all[0].promql, r#"sum by (name) (container_memory_working_set_bytes{name!=""}) / 1048576"#);
        assert_eq!(templates(HistoryMetric::Network, "120s", None).len(), 2);
        let disk = &templates(HistoryMetric::Disk, "120s", None)[0].promql;
        assert!(disk.contains("node_filesystem_free_bytes") && disk.contains("tmpfs"), "{disk}");
    }

    #[tokio::test]
    async fn a_name_that_could_change_the_query_is_refused() {
        let p = Prometheus::new("http://127.0.0.1:9");
        let e = p
            .query(
                HistoryMetric::ContainerCpu,
                crate::history::Span::last(0, 3600),
                Some(r#"x"} or vector(1) #"#),
                0,
                0,
            )
            .await
            .unwrap_err();
        assert!(matches!(e, PrometheusError::Refused(_)), "{e}");
    }

    #[tokio::test]
    async fn nothing_listening_is_said_plainly() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        let e = Prometheus::new(&url)
            .query(HistoryMetric::Cpu, crate::history::Span::last(1_790_000_000, 3600), None, 1_790_000_000, 0)
            .await
            .unwrap_err();
        assert_eq!(e.to_string(), "nothing answers at PROMETHEUS_URL");
    }
}
