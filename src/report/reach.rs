//! The page's and lessons' view of the channels beyond email and the ways to learn:
//! takes the `channels` and `training_methods` tables and hands the [`View`] one
//! [`ReachSection`] — the compact tables' lines and, per wave, the channel and the
//! method that went with the highest enrollment (docs/metrics.md, "channels").
//!
//! [`View`]: super::view::View

use serde::Serialize;

use super::format::{count, p_value, pct, points};
use crate::metrics::channels::ChannelRow;
use crate::metrics::methods::MethodRow;
use crate::metrics::Tables;
use crate::schema::ALL;

/// One channel or method of one wave, as a reader reads it.
#[derive(Debug, Clone, Serialize)]
pub struct ReachLine {
    /// The workload.
    pub workload: String,
    /// The wave, or `(all)`.
    pub wave: String,
    /// The channel or the method.
    pub name: String,
    /// People it reached (or trained), or `–` when too few to show.
    pub count_text: String,
    /// Their share of the eligible.
    pub share_text: String,
    /// Enrolled among them.
    pub rate_text: String,
    /// Enrolled among the others (channels only).
    pub rate_other_text: String,
    /// The difference in points (channels only).
    pub difference_text: String,
    /// The p-value in words (channels only).
    pub p_text: String,
    /// Enrolled among them, for ranking; `None` when not shown.
    #[serde(skip)]
    rate: Option<f64>,
    /// The share of the eligible, as shown (for the channels chart).
    #[serde(skip)]
    pub share: Option<f64>,
    /// The difference in enrolled share, as shown (for the channels chart).
    #[serde(skip)]
    pub difference: Option<f64>,
}

/// Per wave, what went with the highest enrollment.
#[derive(Debug, Clone, Serialize)]
pub struct WaveBest {
    /// The workload.
    pub workload: String,
    /// The wave.
    pub wave: String,
    /// The channel whose reached people enrolled most, if any is shown.
    pub channel: Option<ReachLine>,
    /// The method whose trained people enrolled most, if any is shown.
    pub method: Option<ReachLine>,
}

/// The channels and ways to learn of a run, as the page and the lessons show them.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ReachSection {
    /// Whether there is anything to show (touchpoints, `[[training_methods]]` or
    /// completions configured).
    pub shown: bool,
    /// `channels`, row by row.
    pub channels: Vec<ReachLine>,
    /// `training_methods`, row by row.
    pub methods: Vec<ReachLine>,
    /// Per wave (not `(all)`), the best channel and method.
    pub waves: Vec<WaveBest>,
}

fn channel_line(r: &ChannelRow) -> ReachLine {
    ReachLine {
        workload: r.lift.workload.clone(),
        wave: r.lift.wave.clone(),
        name: r.channel.clone(),
        count_text: count(r.reached),
        share_text: pct(r.reach_rate),
        rate_text: pct(r.lift.with.rate),
        rate_other_text: pct(r.lift.without.rate),
        difference_text: points(r.lift.difference),
        p_text: p_value(r.lift.p_value),
        rate: r.lift.with.rate.filter(|_| r.lift.difference.is_some()),
        share: r.reach_rate,
        difference: r.lift.difference,
    }
}

fn method_line(r: &MethodRow) -> ReachLine {
    ReachLine {
        workload: r.lift.workload.clone(),
        wave: r.lift.wave.clone(),
        name: r.method.clone(),
        count_text: count(r.trained),
        share_text: pct(r.share),
        rate_text: pct(r.lift.with.rate),
        rate_other_text: pct(r.lift.without.rate),
        difference_text: points(r.lift.difference),
        p_text: p_value(r.lift.p_value),
        rate: r.lift.with.rate,
        share: r.share,
        difference: r.lift.difference,
    }
}

/// The highest shown rate among `lines` of one wave (the first on a tie).
fn best<'a>(lines: &'a [ReachLine], workload: &str, wave: &str) -> Option<&'a ReachLine> {
    lines
        .iter()
        .filter(|l| l.workload == workload && l.wave == wave && l.rate.is_some())
        .fold(None, |acc: Option<&ReachLine>, l| match acc {
            Some(a) if a.rate >= l.rate => Some(a),
            _ => Some(l),
        })
}

/// The section of `tables`.
pub fn section(tables: &Tables) -> ReachSection {
    let names = &tables.persons.engagement;
    let shown = names.touchpoints || names.methods_configured;
    if !shown {
        return ReachSection::default();
    }
    let channels: Vec<ReachLine> = tables.channels.iter().map(channel_line).collect();
    let methods: Vec<ReachLine> = tables.training_methods.iter().map(method_line).collect();
    let mut waves: Vec<WaveBest> = Vec::new();
    for l in &methods {
        let seen = waves
            .iter()
            .any(|w| w.workload == l.workload && w.wave == l.wave);
        if l.wave != ALL && !seen {
            waves.push(WaveBest {
                workload: l.workload.clone(),
                wave: l.wave.clone(),
                channel: best(&channels, &l.workload, &l.wave).cloned(),
                method: best(&methods, &l.workload, &l.wave).cloned(),
            });
        }
    }
    ReachSection {
        shown,
        channels,
        methods,
        waves,
    }
}
