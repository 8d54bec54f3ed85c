//! The history's file: written to a temporary file and renamed, read back at start.

use std::{collections::BTreeMap, path::Path};

use homelab_schemas::monitoring::HistoryMetric;
use serde::{Deserialize, Serialize};

use super::{Key, Rings, Series, Tier, EMPTY, MAX_CONTAINERS, MAX_FILESYSTEMS, TIERS, VERSION};

pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// The file: the slots' buckets and each series' values (`null` where nothing was recorded).
#[derive(Serialize, Deserialize)]
pub(super) struct Saved {
    version: u32,
    tiers: Vec<Tier>,
    series: Vec<SavedSeries>,
    totals: BTreeMap<String, f64>,
}

#[derive(Serialize, Deserialize)]
struct SavedSeries {
    metric: HistoryMetric,
    subject: String,
    values: Vec<Vec<Option<f32>>>,
}

impl Saved {
    pub(super) fn of(rings: &Rings) -> Self {
        let series = rings
            .series
            .iter()
            .map(|(k, s)| SavedSeries {
                metric: k.metric,
                subject: k.subject.clone(),
                values: s
                    .values
                    .iter()
                    .map(|v| v.iter().map(|x| (!x.is_nan()).then(|| (x * 100.0).round() / 100.0)).collect())
                    .collect(),
            })
            .collect();
        Self { version: VERSION, tiers: rings.tiers.to_vec(), series, totals: rings.totals.clone() }
    }

    pub(super) fn into_rings(self) -> Result<Rings, String> {
        let shape_ok = self.version == VERSION
            && self.tiers.len() == TIERS.len()
            && self.tiers.iter().zip(TIERS).all(|(t, (step, slots))| t.step == step && t.buckets.len() == slots);
        if !shape_ok {
            return Err("written by another version".into());
        }
        let mut rings = Rings::new();
        rings.tiers = [self.tiers[0].clone(), self.tiers[1].clone()];
        rings.totals = self.totals;
        for s in self.series {
            if s.values.len() != TIERS.len() || s.values.iter().zip(TIERS).any(|(v, (_, slots))| v.len() != slots) {
                return Err(format!("series {} has the wrong length", s.subject));
            }
            let mut series = Series::new();
            for (i, values) in s.values.into_iter().enumerate() {
                series.values[i] = values.into_iter().map(|v| v.unwrap_or(f32::NAN)).collect();
                // The newest bucket with a value, so a container is still forgotten a day after.
                let tier = &rings.tiers[i];
                let newest =
                    tier.buckets.iter().zip(&series.values[i]).filter(|(_, v)| !v.is_nan()).map(|(b, _)| *b).max();
                series.filling[i] = (newest.unwrap_or(EMPTY), 0);
            }
            rings.series.insert(Key { metric: s.metric, subject: s.subject }, series);
        }
        let disks = rings.series.keys().filter(|k| k.metric == HistoryMetric::Disk).count();
        if disks > MAX_FILESYSTEMS || rings.containers() > MAX_CONTAINERS {
            return Err("more series than this version keeps".into());
        }
        Ok(rings)
    }
}
