//! One tracing set-up for every service: level from `LOG_LEVEL`, text or JSON from `LOG_FORMAT`,
//! and the service name on every line so a shared log (compose, journald) stays readable.
//!
//! The writer is a parameter so tests can capture the lines and check that no secret is in them.

use std::{
    fmt,
    sync::{Arc, Mutex},
};

use tracing::{Event, Subscriber};
use tracing_subscriber::{
    filter::LevelFilter,
    fmt::{
        format::{DefaultFields, Format, Json, JsonFields, Writer},
        FmtContext, FormatEvent, FormatFields, MakeWriter,
    },
    registry::LookupSpan,
    EnvFilter,
};

use crate::configuration::LogFormat;

/// Maps `LOG_LEVEL` (Python-style names accepted: `WARNING`, `CRITICAL`) to a level.
pub fn level_filter(level: &str) -> Result<LevelFilter, String> {
    match level.trim().to_ascii_lowercase().as_str() {
        "trace" => Ok(LevelFilter::TRACE),
        "debug" => Ok(LevelFilter::DEBUG),
        "info" => Ok(LevelFilter::INFO),
        "warn" | "warning" => Ok(LevelFilter::WARN),
        "error" | "critical" => Ok(LevelFilter::ERROR),
        "off" => Ok(LevelFilter::OFF),
        other => Err(format!("'{other}' is not a log level (use DEBUG, INFO, WARNING or ERROR)")),
    }
}

/// Builds the subscriber for `service`, writing to `writer`.
pub fn subscriber<W>(
    service: &'static str,
    level: &str,
    format: LogFormat,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let level = level_filter(level).unwrap_or(LevelFilter::INFO);
    // Our crates at LOG_LEVEL; chatty dependencies one step quieter unless debugging.
    let directives = if level >= LevelFilter::DEBUG {
        level.to_string()
    } else {
        format!("{level},hyper=warn,reqwest=warn,bollard=warn,rustls=warn")
    };
    let filter = EnvFilter::builder().parse_lossy(directives);
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).with_ansi(false);
    match format {
        LogFormat::Json => Box::new(
            builder
                .fmt_fields(JsonFields::new())
                .event_format(WithService::new(service, Format::default().json().with_current_span(true)))
                .finish(),
        ),
        LogFormat::Text => Box::new(
            builder
                .fmt_fields(DefaultFields::new())
                .event_format(WithService::new(service, Format::default()))
                .finish(),
        ),
    }
}

/// Installs the subscriber for `service` on stderr, process-wide.
pub fn init_tracing(service: &'static str, level: &str, format: LogFormat) {
    let _ = tracing::subscriber::set_global_default(subscriber(service, level, format, std::io::stderr));
}

/// Puts `service` on every line: a `service=` prefix in text, a `"service"` field in JSON.
struct WithService<F> {
    service: &'static str,
    inner: F,
}

impl<F> WithService<F> {
    fn new(service: &'static str, inner: F) -> Self {
        Self { service, inner }
    }
}

impl<S, N> FormatEvent<S, N> for WithService<Format<Json>>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let mut line = String::new();
        self.inner.format_event(ctx, Writer::new(&mut line), event)?;
        match line.strip_prefix('{') {
            Some(rest) => write!(writer, "{{\"service\":\"{}\",{}", self.service, rest),
            None => writer.write_str(&line),
        }
    }
}

impl<S, N> FormatEvent<S, N> for WithService<Format>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        write!(writer, "service={} ", self.service)?;
        self.inner.format_event(ctx, writer, event)
    }
}

/// A log writer that keeps every line in memory, so tests can assert what was (not) logged.
/// Collects every line written, for assertions.
#[derive(Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogCapture {
    type Writer = LogCapture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl LogCapture {
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_style_level_names_are_accepted() {
        assert_eq!(level_filter("WARNING").unwrap(), LevelFilter::WARN);
        assert_eq!(level_filter("INFO").unwrap(), LevelFilter::INFO);
        assert!(level_filter("loud").is_err());
    }

    #[test]
    fn json_lines_carry_the_service_name_and_parse() {
        let capture = LogCapture::default();
        let sub = subscriber("gateway", "info", LogFormat::Json, capture.clone());
        tracing::subscriber::with_default(sub, || {
            tracing::info!(answer = 42, "hello");
            tracing::debug!("hidden at info");
        });
        let text = capture.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1, "{text}");
        let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(v["service"], "gateway");
        assert_eq!(v["fields"]["answer"], 42);
    }

    #[test]
    fn text_lines_start_with_the_service_name() {
        let capture = LogCapture::default();
        let sub = subscriber("orchestrator", "debug", LogFormat::Text, capture.clone());
        tracing::subscriber::with_default(sub, || tracing::debug!("visible"));
        let text = capture.text();
        assert!(text.starts_with("service=orchestrator "), "{text}");
        assert!(text.contains("visible"));
    }
}
