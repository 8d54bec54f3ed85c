//! One series' summary over a window: min, mean, max, peak, the figures at its start and end,
//! and — from an hour of data or more ([`MIN_TREND_SECONDS`]) — the trend, its rate and when a
//! filesystem fills, projected no further than [`PROJECTION_FACTOR`] times the span observed.

use chrono::{DateTime, Utc};
use homelab_schemas::monitoring::{round2, HistoryMetric, HistorySeries, MIN_TREND_SECONDS, PROJECTION_FACTOR};

use super::MAX_POINTS;

/// Least-squares slope of `points`, per second.
fn slope(points: &[(i64, f64)]) -> f64 {
    let n = points.len() as f64;
    if points.len() < 2 {
        return 0.0;
    }
    let t0 = points[0].0 as f64;
    let mean_t = points.iter().map(|p| p.0 as f64 - t0).sum::<f64>() / n;
    let mean_v = points.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for (t, v) in points {
        let dt = *t as f64 - t0 - mean_t;
        num += dt * (v - mean_v);
        den += dt * dt;
    }
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

/// The smallest change over a window that counts as a trend, in the metric's unit: for a
/// filesystem 0.1 % of its size, for the others 5 % of the mean, and never less than a small step.
fn trend_floor(metric: HistoryMetric, mean: f64, total: Option<f64>) -> f64 {
    let absolute: f64 = match metric {
        HistoryMetric::Cpu | HistoryMetric::Memory | HistoryMetric::ContainerCpu => 2.0,
        HistoryMetric::Load => 0.2,
        HistoryMetric::Disk => 0.05,
        HistoryMetric::Network => 0.05,
        HistoryMetric::ContainerMemory => 5.0,
    };
    match (metric, total) {
        (HistoryMetric::Disk, Some(total)) => absolute.max(total * 0.001),
        _ => absolute.max(mean.abs() * 0.05),
    }
}

pub(super) fn rfc3339(ts: i64) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0).unwrap_or_default().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `about 3 days`, `about 5 hours`, `about 40 minutes`.
pub fn about(seconds: f64) -> String {
    let (n, unit) = match seconds {
        s if s >= 2.0 * 86_400.0 => ((s / 86_400.0).round(), "day"),
        s if s >= 2.0 * 3600.0 => ((s / 3600.0).round(), "hour"),
        s => ((s / 60.0).round().max(1.0), "minute"),
    };
    format!("about {n} {unit}{}", if n == 1.0 { "" } else { "s" })
}

/// One series' answer over its points (`None` when there are none). Shared with the Prometheus
/// source, which gives points the same way.
pub fn summarise(
    subject: &str,
    metric: HistoryMetric,
    points: &[(i64, f64)],
    total: Option<f64>,
    now: i64,
    max_points: usize,
) -> Option<HistorySeries> {
    let first = points.first()?;
    let last = points.last()?;
    let (mut min, mut max, mut peak_at, mut sum) = (f64::INFINITY, f64::NEG_INFINITY, first.0, 0.0);
    for (t, v) in points {
        min = min.min(*v);
        if *v > max {
            max = *v;
            peak_at = *t;
        }
        sum += v;
    }
    let mean = sum / points.len() as f64;
    let per_second = slope(points);
    let spanned = (last.0 - first.0).max(0) as u64;
    // Minutes of a compiler writing to disk are no trend: an hour of data at least.
    let long_enough = spanned >= MIN_TREND_SECONDS && points.len() >= 3;
    let change = per_second * spanned as f64;
    let floor = trend_floor(metric, mean, total);
    let trend = match change {
        _ if !long_enough => "unknown",
        c if c > floor => "rising",
        c if c < -floor => "falling",
        _ => "steady",
    };
    let (mut full_at, mut full_in) = (None, None);
    if let (HistoryMetric::Disk, Some(total), true) = (metric, total, long_enough) {
        let horizon = (spanned * PROJECTION_FACTOR) as f64;
        if trend == "rising" && per_second > 0.0 {
            let seconds = ((total - last.1) / per_second).max(0.0);
            if seconds <= horizon {
                full_at = Some(rfc3339(now + seconds as i64));
                full_in = Some(about(seconds));
            } else {
                full_in = Some(format!("not within {}", about(horizon).trim_start_matches("about ")));
            }
        } else {
            full_in = Some("not filling".into());
        }
    }
    Some(HistorySeries {
        subject: subject.to_string(),
        instance: None,
        samples: points.len(),
        from: rfc3339(first.0),
        to: rfc3339(last.0),
        min: round2(min),
        mean: round2(mean),
        max: round2(max),
        peak_at: rfc3339(peak_at),
        first: round2(first.1),
        latest: round2(last.1),
        trend: trend.into(),
        change_per_hour: long_enough.then(|| round2(per_second * 3600.0)),
        total: total.map(round2),
        full_at,
        full_in,
        points: thin(points, max_points),
    })
}

/// At most `max` points, each the mean of a run of neighbours.
fn thin(points: &[(i64, f64)], max: usize) -> Vec<[f64; 2]> {
    if max == 0 {
        return Vec::new();
    }
    let per = points.len().div_ceil(max.min(MAX_POINTS)).max(1);
    points
        .chunks(per)
        .map(|c| {
            let n = c.len() as f64;
            [c[0].0 as f64, round2(c.iter().map(|p| p.1).sum::<f64>() / n)]
        })
        .collect()
}
