//! Per-person facts as of day D, and the privacy label each person is counted under.
//!
//! The run's cohort — the people eligible on D (roster users with a wave, less those
//! whose `left_on` is on or before D) — is put beside their earliest enrollment and
//! their first email receipt and open once ([`joined`], by a walk over the people rows
//! and tables indexed by person); each cut-off day (D, or D − 7 for last week's figures
//! of the same people) then compares those instants and the attended training minutes
//! with the end of that day in the rollout's zone, into [`Persons`], from which every
//! table is aggregated. Labels
//! (folds and merges) are decided on D's eligible counts.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use polars::prelude::*;

use super::frames::col_names::cut as cut_column;
use super::frames::{col_names::*, Frames};
use crate::calendar::{end_of_day_ms, epoch_days};
use crate::config::Config;
use crate::error::Error;
use crate::privacy::{protect, Member, WaveFold};

/// The instants that end D, D − 7 and D − 14 in the rollout's zone.
#[derive(Debug, Clone, Copy)]
pub struct Cutoffs {
    /// The as-of day.
    pub as_of: NaiveDate,
    /// End of D: events strictly before count.
    pub d: i64,
    /// End of D − 7.
    pub d7: i64,
    /// End of D − 14.
    pub d14: i64,
}

impl Cutoffs {
    /// The cut-offs of day `as_of` in the config's zone.
    pub fn new(cfg: &Config, as_of: NaiveDate) -> Self {
        let back = |n: u64| {
            as_of
                .checked_sub_days(chrono::Days::new(n))
                .unwrap_or(as_of)
        };
        Cutoffs {
            as_of,
            d: end_of_day_ms(cfg.timezone, as_of),
            d7: end_of_day_ms(cfg.timezone, back(7)),
            d14: end_of_day_ms(cfg.timezone, back(14)),
        }
    }
}

/// The eligible people as of D with their facts, and how their groups are shown.
pub struct Persons {
    /// workload, pid, wave, group, label, suppressed, champion, `cut_label<k>`…,
    /// first_enrolled (ms or null), enrolled, enrolled_7d, enrolled_14d, recipient,
    /// opener, trained: one row per person and workload they are eligible in.
    pub frame: DataFrame,
    /// Per wave name: the fold of its groups.
    pub folds: BTreeMap<String, WaveFold>,
    /// Per wave name: the fold of each cut's values.
    pub cut_folds: BTreeMap<String, Vec<WaveFold>>,
    /// The channels and training methods whose columns the frame holds (`reached`,
    /// `reached_by<k>`, `trained_by<m>`: docs/metrics.md, "channels").
    pub engagement: super::channels::Names,
}

/// One eligible person's facts as of D, read back from [`Persons::frame`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    /// The person (position in the roster).
    pub pid: u32,
    /// The workload of the row.
    pub workload: String,
    /// Their wave of that workload.
    pub wave: String,
    /// Their group, as on the roster.
    pub group: String,
    /// The label their group is shown under.
    pub label: String,
    /// Their first enrollment in the workload (ms), if any.
    pub first_enrolled: Option<i64>,
    /// Enrolled by D.
    pub enrolled: bool,
    /// Received a rollout email by D.
    pub recipient: bool,
    /// Opened or clicked one by D.
    pub opener: bool,
    /// Trained by D.
    pub trained: bool,
}

impl Persons {
    /// Every eligible person's facts, in person order.
    pub fn facts(&self) -> Result<Vec<PersonFacts>, Error> {
        let err = |e| Error::compute("per-person facts", e);
        let df = &self.frame;
        let pid = df.column(PID).and_then(|c| c.u32()).map_err(err)?;
        let text = |name: &str| df.column(name).and_then(|c| c.str()).map_err(err);
        let flag = |name: &str| df.column(name).and_then(|c| c.bool()).map_err(err);
        let (workload, wave, group, label) =
            (text(WORKLOAD)?, text(WAVE)?, text(GROUP)?, text(LABEL)?);
        let first = df
            .column("first_enrolled")
            .and_then(|c| c.i64())
            .map_err(err)?;
        let (enrolled, recipient) = (flag("enrolled")?, flag("recipient")?);
        let (opener, trained) = (flag("opener")?, flag("trained")?);
        Ok((0..df.height())
            .filter_map(|i| {
                Some(PersonFacts {
                    pid: pid.get(i)?,
                    workload: workload.get(i).unwrap_or_default().to_string(),
                    wave: wave.get(i)?.to_string(),
                    group: group.get(i).unwrap_or_default().to_string(),
                    label: label.get(i).unwrap_or_default().to_string(),
                    first_enrolled: first.get(i),
                    enrolled: enrolled.get(i).unwrap_or(false),
                    recipient: recipient.get(i).unwrap_or(false),
                    opener: opener.get(i).unwrap_or(false),
                    trained: trained.get(i).unwrap_or(false),
                })
            })
            .collect())
    }

    /// The waves shown suppressed.
    pub fn suppressed_waves(&self) -> BTreeSet<String> {
        self.folds
            .iter()
            .filter(|(_, f)| f.suppressed)
            .map(|(w, _)| w.clone())
            .collect()
    }
}

/// Label column: the group as shown after folding.
pub const LABEL: &str = "label";
/// Whether the person's wave is suppressed.
pub const SUPPRESSED: &str = "suppressed";

/// The column of cut `k`'s label (its value as shown, after folding).
pub fn cut_label(k: usize) -> String {
    format!("cut_label{k}")
}

/// The run's cohort: the people eligible on D in every workload's waves, and how their
/// groups and cut values are shown — decided once, on D.
pub struct Cohort {
    /// Per row of [`Frames::people`]: the index of the row's wave when the row is
    /// eligible on D, else [`Cohort::NOT_ELIGIBLE`].
    wave_at: Vec<u32>,
    /// Per wave name: the fold of its groups.
    folds: BTreeMap<String, WaveFold>,
    /// Per wave name: the fold of each cut's values.
    cut_folds: BTreeMap<String, Vec<WaveFold>>,
    /// Per wave (config order): the fold of its groups.
    groups: Vec<WaveFold>,
    /// Per wave (config order): the fold of each cut's values.
    cuts: Vec<Vec<WaveFold>>,
}

impl Cohort {
    /// [`Cohort::wave_at`] of a row that is not eligible.
    const NOT_ELIGIBLE: u32 = u32::MAX;
}

use crate::FastMap;

/// The people eligible on `day` (roster people with a wave, less those whose `left_on`
/// is on or before it), with the labels their groups and cut values are shown under:
/// folded by size per wave, then, where two shown rows (of two partitions of a wave, or
/// of two workloads' waves) would differ by a few people, folded further
/// (`privacy::protect`, docs/privacy.md).
pub fn cohort(f: &Frames, cfg: &Config, day: NaiveDate) -> Result<Cohort, Error> {
    let err = |e| Error::compute("the cohort", e);
    let d_days = epoch_days(day);
    let people = &f.people;
    // Read row by row rather than filtered and joined in polars: the eligible rows are
    // kept as positions, and the labels are looked up by wave and name where the
    // frame of [`joined`] is built (a join on text keys copied every column twice).
    let wave_ix: FastMap<&str, u32> = cfg
        .waves
        .iter()
        .enumerate()
        .map(|(i, w)| (w.name.as_str(), i as u32))
        .collect();
    let text = |name: &str| people.column(name).and_then(|c| c.str()).map_err(err);
    let (waves, groups) = (text(WAVE)?, text(GROUP)?);
    let pids = people.column(PID).and_then(|c| c.u32()).map_err(err)?;
    let left_on = people
        .column(LEFT_ON)
        .and_then(|c| c.cast(&DataType::Int32))
        .map_err(err)?;
    let left_on = left_on.i32().map_err(err)?;
    let cut_columns = (0..cfg.cuts.len())
        .map(|k| text(&cut_column(k)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut wave_at = vec![Cohort::NOT_ELIGIBLE; people.height()];
    let mut members: Vec<Member<'_>> = Vec::new();
    let rows = waves
        .iter()
        .zip(left_on.iter())
        .zip(pids.iter())
        .zip(groups.iter());
    let mut cut_iters: Vec<_> = cut_columns.iter().map(|c| c.iter()).collect();
    for (i, (((wave, left), pid), group)) in rows.enumerate() {
        let cuts: Vec<&str> = cut_iters
            .iter_mut()
            .map(|c| c.next().flatten().unwrap_or_default())
            .collect();
        let Some(wave) = wave else { continue };
        if left.is_some_and(|l| l <= d_days) {
            continue;
        }
        // A row the filter keeps but the guard cannot see (no pid or group) is kept
        // out of the folds, as it always was, but still eligible.
        let Some(&w) = wave_ix.get(wave) else {
            continue;
        };
        wave_at[i] = w;
        if let (Some(pid), Some(group)) = (pid, group) {
            members.push(Member {
                wave: w as usize,
                pid,
                group,
                cuts,
            });
        }
    }
    let min = i64::from(cfg.thresholds.min_group_size);
    let workload_of: Vec<usize> = cfg.waves.iter().map(|w| w.workload).collect();
    let shown = protect(&workload_of, cfg.cuts.len(), &members, min);
    drop(members);
    let folds = cfg
        .waves
        .iter()
        .zip(&shown.groups)
        .map(|(w, f)| (w.name.clone(), f.clone()))
        .collect();
    let cut_folds = cfg
        .waves
        .iter()
        .zip(&shown.cuts)
        .map(|(w, f)| (w.name.clone(), f.clone()))
        .collect();
    Ok(Cohort {
        wave_at,
        folds,
        cut_folds,
        groups: shown.groups,
        cuts: shown.cuts,
    })
}

/// Computes the facts of the run's cohort as of `cut.as_of`: the people eligible on D,
/// in their groups and under the labels decided on D, whatever day the facts are cut
/// at, so the figures of D − 7 and of every week describe the same people as D's
/// (docs/privacy.md, "One cohort per run"). One row per person and workload: the
/// enrollment facts are that workload's, the email and training facts the person's.
pub fn persons(f: &Frames, cfg: &Config, at: &Cutoffs, cohort: &Cohort) -> Result<Persons, Error> {
    persons_of(&joined(f, cfg, cohort)?, f, cfg, at)
}

/// The cohort joined with what does not depend on the cut-off day — labels, first
/// enrollment, first email receipt and open — in order of person and workload (by
/// name): computed once and cut at D and at D − 7 by [`persons_of`], which then only
/// compares instants.
///
/// Built by hand rather than by polars joins and a sort: the rows of
/// [`Frames::people`] come workload by workload, each in person order, so the order of
/// person then workload name is a walk over the people, and every fact is read from a
/// table indexed by row or person. The frame is the same as the joins gave, column for
/// column (a label or a first instant without a match is null, as a left join leaves it).
pub fn joined(f: &Frames, cfg: &Config, cohort: &Cohort) -> Result<Joined, Error> {
    let err = |e| Error::compute("per-person facts", e);
    let people = &f.people;
    let n_workloads = cfg.workloads.len().max(1);
    let n = people.height() / n_workloads;
    // Workloads in order of name: a person's rows come in that order.
    let mut by_name: Vec<usize> = (0..cfg.workloads.len()).collect();
    by_name.sort_by(|&a, &b| cfg.workloads[a].name.cmp(&cfg.workloads[b].name));
    let mut order: Vec<IdxSize> = Vec::new();
    for pid in 0..n {
        for &w in &by_name {
            let row = w * n + pid;
            if cohort.wave_at[row] != Cohort::NOT_ELIGIBLE {
                order.push(row as IdxSize);
            }
        }
    }
    let positions = IdxCa::from_vec(PlSmallStr::EMPTY, order);
    let take = |name: &str| {
        people
            .column(name)
            .and_then(|c| c.take(&positions))
            .map_err(err)
    };
    let rows = positions.cont_slice().map_err(err)?;

    // Labels: per wave, each name's label, looked up per row.
    let text = |name: &str| people.column(name).and_then(|c| c.str()).map_err(err);
    fn label_maps<'a>(folds: impl Iterator<Item = &'a WaveFold>) -> Vec<FastMap<&'a str, &'a str>> {
        folds
            .map(|fold| {
                fold.labels
                    .iter()
                    .map(|(g, l)| (g.as_str(), l.as_str()))
                    .collect()
            })
            .collect()
    }
    let labels_of = |values: &StringChunked, maps: &[FastMap<&str, &str>]| -> StringChunked {
        rows.iter()
            .map(|&r| {
                let w = cohort.wave_at[r as usize] as usize;
                values.get(r as usize).and_then(|v| maps[w].get(v).copied())
            })
            .collect()
    };
    let groups = text(GROUP)?;
    let group_maps = label_maps(cohort.groups.iter());
    let label = labels_of(groups, &group_maps).with_name(LABEL.into());
    let suppressed: BooleanChunked = rows
        .iter()
        .map(|&r| {
            let w = cohort.wave_at[r as usize] as usize;
            let known = groups
                .get(r as usize)
                .is_some_and(|g| group_maps[w].contains_key(g));
            known.then_some(cohort.groups[w].suppressed)
        })
        .collect();
    let suppressed = suppressed.with_name(SUPPRESSED.into());
    let mut cut_labels = Vec::with_capacity(cfg.cuts.len());
    for k in 0..cfg.cuts.len() {
        let maps = label_maps(cohort.cuts.iter().map(|c| &c[k]));
        let values = text(&cut_column(k))?;
        cut_labels.push(
            labels_of(values, &maps)
                .with_name(cut_label(k).into())
                .into_column(),
        );
    }

    // First enrollment per row of `people` (a table by row already); first receipt and
    // open per person.
    let first_enrolled = &f.first_enrolled;
    let ep = &f.email_people;
    let (mut received, mut opened) = (vec![None; n], vec![None; n]);
    {
        let pids = ep.column(PID).and_then(|c| c.u32()).map_err(err)?;
        let instant = |name: &str| ep.column(name).and_then(|c| c.i64()).map_err(err);
        let (r, o) = (instant("first_received")?, instant("first_opened")?);
        for ((p, r), o) in pids.iter().zip(r.iter()).zip(o.iter()) {
            if let Some(p) = p.filter(|&p| (p as usize) < n) {
                (received[p as usize], opened[p as usize]) = (r, o);
            }
        }
    }
    let gather = |name: &str, v: &[Option<i64>], at: &dyn Fn(usize) -> usize| {
        let ca: Int64Chunked = rows
            .iter()
            .map(|&r| v.get(at(r as usize)).copied().flatten())
            .collect();
        ca.with_name(name.into()).into_column()
    };
    let person = |r: usize| r % n;
    let mut columns = vec![
        take(WORKLOAD)?,
        take(PID)?,
        take(WAVE)?,
        take(GROUP)?,
        label.into_column(),
        suppressed.into_column(),
        take(CHAMPION)?,
    ];
    columns.extend(cut_labels);
    columns.extend([
        gather("first_enrolled", first_enrolled, &|r| r),
        gather("first_received", &received, &person),
        gather("first_opened", &opened, &person),
    ]);
    let frame = DataFrame::new_infer_height(columns).map_err(err)?;
    Ok(Joined {
        frame,
        folds: cohort.folds.clone(),
        cut_folds: cohort.cut_folds.clone(),
    })
}

/// The columns of [`Persons::frame`] that say who a row is and how it is shown:
/// workload, pid, wave, group, label, suppressed, champion, `cut_label<k>`….
fn shown_columns(cfg: &Config) -> Vec<Expr> {
    let mut columns = vec![
        col(WORKLOAD),
        col(PID),
        col(WAVE),
        col(GROUP),
        col(LABEL),
        col(SUPPRESSED),
        col(CHAMPION),
    ];
    columns.extend((0..cfg.cuts.len()).map(|k| col(cut_label(k))));
    columns
}

/// The cohort with its facts that hold whatever the cut-off day (see [`joined`]).
pub struct Joined {
    frame: DataFrame,
    folds: BTreeMap<String, WaveFold>,
    cut_folds: BTreeMap<String, Vec<WaveFold>>,
}

/// [`persons`] from the cohort already [`joined`] with its facts.
pub fn persons_of(
    joined: &Joined,
    f: &Frames,
    cfg: &Config,
    at: &Cutoffs,
) -> Result<Persons, Error> {
    let cut = at;
    let err = |e| Error::compute("per-person facts", e);
    let base = &joined.frame;

    // Trained: attended minutes per person and session, the union of [joined, left]
    // over the intervals that start by D (see `Intervals::attended_ms`), at least the
    // threshold; read by pid from a dense table rather than joined.
    let min_ms = cfg.thresholds.training_min_minutes * 60_000.0;
    let (pids, attended) = f.training.attended_ms(cut.d);
    let mut by_pid = vec![0i64; pids.iter().max().map_or(0, |&p| p as usize + 1)];
    for (&p, &ms) in pids.iter().zip(&attended) {
        by_pid[p as usize] = ms;
    }
    let pid = base.column(PID).and_then(|c| c.u32()).map_err(err)?;
    let trained: BooleanChunked = pid
        .downcast_iter()
        .flat_map(|a| a.iter())
        .map(|p| {
            let ms = p
                .and_then(|&p| by_pid.get(p as usize))
                .copied()
                .unwrap_or(0);
            Some(ms as f64 >= min_ms)
        })
        .collect();
    let trained = trained.with_name("trained".into()).into_column();

    let mut columns = shown_columns(cfg);
    columns.extend([
        col("first_enrolled"),
        col("first_enrolled")
            .lt(lit(cut.d))
            .fill_null(lit(false))
            .alias("enrolled"),
        col("first_enrolled")
            .lt(lit(cut.d7))
            .fill_null(lit(false))
            .alias("enrolled_7d"),
        col("first_enrolled")
            .lt(lit(cut.d14))
            .fill_null(lit(false))
            .alias("enrolled_14d"),
        col("first_received")
            .lt(lit(cut.d))
            .fill_null(lit(false))
            .alias("recipient"),
        col("first_opened")
            .lt(lit(cut.d))
            .fill_null(lit(false))
            .alias("opener"),
        col("trained"),
    ]);
    let mut with_trained = base.clone();
    with_trained.with_column(trained).map_err(err)?;
    let mut frame = with_trained.lazy().select(columns).collect().map_err(err)?;
    // Channels beyond email and ways to learn: `reached`, per channel and per method.
    super::channels::add_reach(&mut frame, &f.engagement, cut.d)?;
    super::methods::add_methods(&mut frame, &f.engagement, &f.training, min_ms, cut.d)?;
    Ok(Persons {
        frame,
        folds: joined.folds.clone(),
        cut_folds: joined.cut_folds.clone(),
        engagement: f.engagement.names.clone(),
    })
}

/// Tickets of eligible people opened by D, with the person's wave, label and
/// suppression, and `hours` from opened to resolved (null while unresolved; the
/// caller keeps only those resolved by D for medians).
pub fn tickets_by_d(f: &Frames, cut: &Cutoffs, persons: &Persons) -> LazyFrame {
    // The person's every label (group and cuts), so tickets add up per row of any
    // table.
    let mut keep = vec![
        col(WORKLOAD),
        col(PID),
        col(WAVE),
        col(LABEL),
        col(SUPPRESSED),
    ];
    let cuts = persons
        .frame
        .get_column_names()
        .into_iter()
        .filter(|c| c.starts_with("cut_label"))
        .map(|c| col(c.as_str()))
        .collect::<Vec<_>>();
    keep.extend(cuts);
    let people = persons.frame.clone().lazy().select(keep);
    f.tickets
        .clone()
        .lazy()
        .filter(col("opened_at").lt(lit(cut.d)))
        .join(
            people,
            [col(PID)],
            [col(PID)],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column(
            ((col("resolved_at") - col("opened_at")).cast(DataType::Float64) / lit(3_600_000.0))
                .alias("hours"),
        )
}

/// A frame of persons (or of their tickets) three times over, keyed for the three
/// levels of every table: (wave, label), (wave, `(all)`), and (`(all)`, `(all)`) over
/// unsuppressed waves — the last per workload, since the frame keeps its `workload`
/// column. Aggregating this by `workload`, `wave`, `key_group` gives every row at once.
pub fn with_levels(base: LazyFrame, label: &str, overall: bool) -> Result<LazyFrame, Error> {
    let mut parts = vec![
        base.clone().with_column(col(label).alias("key_group")),
        base.clone()
            .with_column(lit(crate::schema::ALL).alias("key_group")),
    ];
    if overall {
        parts.push(base.filter(col(SUPPRESSED).not()).with_columns([
            lit(crate::schema::ALL).alias(WAVE),
            lit(crate::schema::ALL).alias("key_group"),
        ]));
    }
    concat(parts, UnionArgs::default()).map_err(|e| Error::compute("levels", e))
}
