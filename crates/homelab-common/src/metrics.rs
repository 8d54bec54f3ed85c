//! Prometheus metrics (`GET /metrics`, text format) for every service: request counts and
//! latency by route and status from a middleware, plus the counters each service adds (LLM calls
//! by provider, tool calls by outcome, rate-limit rejections, audit write errors). One registry
//! per service instance, held in its state, so tests running several services do not mix them.

use std::{sync::Arc, time::Instant};

use axum::{
    extract::{MatchedPath, Request},
    http::header,
    middleware::{self, Next},
    response::IntoResponse,
    routing::get,
    Router,
};
use prometheus::{
    core::{Collector, Desc},
    proto::MetricFamily,
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

pub use prometheus::IntGauge;

/// A service's metrics registry with the HTTP metrics every service has.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl Metrics {
    pub fn new(service: &str) -> Self {
        let registry =
            Registry::new_custom(Some("homelab".into()), Some([("service".to_string(), service.to_string())].into()))
                .expect("valid registry labels");
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route, method and status"),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency by route").buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0,
            ]),
            &["route", "method"],
        )
        .expect("valid metric");
        registry.register(Box::new(requests.clone())).expect("registered once");
        registry.register(Box::new(latency.clone())).expect("registered once");
        Self { registry, requests, latency }
    }

    /// A labelled counter of this service (`homelab_<name>`).
    pub fn counter(&self, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
        let counter = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
        self.registry.register(Box::new(counter.clone())).expect("registered once");
        counter
    }

    /// A gauge of this service (`homelab_<name>`).
    pub fn gauge(&self, name: &str, help: &str) -> IntGauge {
        let gauge = IntGauge::new(name, help).expect("valid metric");
        self.registry.register(Box::new(gauge.clone())).expect("registered once");
        gauge
    }

    /// A gauge of this service read when `/metrics` is asked, from a figure the service already
    /// holds (the history's and the event record's sizes); `None` leaves the last value.
    pub fn gauge_read(&self, name: &str, help: &str, read: impl Fn() -> Option<i64> + Send + Sync + 'static) {
        let gauge = IntGauge::new(name, help).expect("valid metric");
        self.registry.register(Box::new(ReadOnScrape { gauge, read: Box::new(read) })).expect("registered once");
    }

    /// Registers a metric made elsewhere (the audit writer's error counter).
    pub fn register(&self, collector: impl prometheus::core::Collector + 'static) {
        let _ = self.registry.register(Box::new(collector));
    }

    /// Everything, in Prometheus text format.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buffer);
        String::from_utf8(buffer).unwrap_or_default()
    }
}

/// A gauge set from its source each time the registry is gathered, so it is never stale and no
/// timer keeps it.
struct ReadOnScrape {
    gauge: IntGauge,
    read: Box<dyn Fn() -> Option<i64> + Send + Sync>,
}

impl Collector for ReadOnScrape {
    fn desc(&self) -> Vec<&Desc> {
        self.gauge.desc()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        if let Some(value) = (self.read)() {
            self.gauge.set(value);
        }
        self.gauge.collect()
    }
}

/// Adds `GET /metrics` and records every request of `router`.
pub fn instrument(router: Router, metrics: Arc<Metrics>) -> Router {
    let for_route = metrics.clone();
    router
        .route(
            "/metrics",
            get(move || {
                let metrics = for_route.clone();
                async move { ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], metrics.render()).into_response() }
            }),
        )
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            let metrics = metrics.clone();
            async move {
                let route = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_else(|| "unmatched".into());
                let method = request.method().as_str().to_string();
                let started = Instant::now();
                let response = next.run(request).await;
                metrics.latency.with_label_values(&[&route, &method]).observe(started.elapsed().as_secs_f64());
                metrics.requests.with_label_values(&[&route, &method, response.status().as_str()]).inc();
                response
            }
        }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{to_bytes, Body};
    use tower::ServiceExt;

    #[tokio::test]
    async fn requests_are_counted_by_route_and_status() {
        let metrics = Arc::new(Metrics::new("test"));
        let calls = metrics.counter("tool_calls_total", "tool calls", &["tool", "outcome"]);
        calls.with_label_values(&["list_containers", "ok"]).inc();
        let app = instrument(Router::new().route("/hello/{name}", get(|| async { "hi" })), metrics);
        for path in ["/hello/a", "/hello/b"] {
            app.clone().oneshot(axum::http::Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        }
        let resp = app.oneshot(axum::http::Request::get("/metrics").body(Body::empty()).unwrap()).await.unwrap();
        let text = String::from_utf8(to_bytes(resp.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
        assert!(
            text.contains(
                r#"homelab_http_requests_total{method="GET",route="/hello/{name}",status="200",service="test"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"homelab_tool_calls_total{outcome="ok",tool="list_containers",service="test"} 1"#),
            "{text}"
        );
        assert!(text.contains("homelab_http_request_duration_seconds_bucket"));
    }
}
