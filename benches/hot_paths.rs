//! criterion benches of the hot paths named in issue 7: timestamp parsing, the
//! per-person training interval union, the group aggregation, and ingest of one
//! canonical file.
//!
//! Inputs are made at bench start by the library's own generator (`uptake generate`)
//! into a temporary folder, so the benches read the same kind of rows as a real run
//! and need nothing checked in. Sizes are small enough that the whole run takes a
//! minute or two on the 2-core development machine:
//!
//! ```text
//! cargo bench --bench hot_paths                  # everything
//! cargo bench --bench hot_paths -- dates         # one group
//! BENCH_PEOPLE=100000 cargo bench --bench hot_paths -- metrics
//! ```
//!
//! On a shared machine, run it under `chrt -f 50` (as root) so other builds do not
//! distort the timings.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use chrono_tz::Tz;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use uptake::config::{self, Config, DateOrder};
use uptake::dataset::Dataset;
use uptake::generate::{generate, GenerateOptions};
use uptake::ingest::dates::TimeParser;
use uptake::ingest::{self, Row};
use uptake::metrics::{self, frames, groups, people, Cutoffs};
use uptake::progress::Progress;
use uptake::quality;
use uptake::schema::Source;

/// People in the generated rollout the metrics and ingest benches read (about 12
/// data rows per person over the five files). `BENCH_PEOPLE` overrides it.
const DEFAULT_PEOPLE: usize = 20_000;
/// The as-of day `uptake generate` writes into its config.
const AS_OF: (i32, u32, u32) = (2026, 11, 20);

fn people() -> usize {
    std::env::var("BENCH_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_PEOPLE)
}

/// A generated rollout in a temporary folder, removed when dropped.
struct Rollout {
    dir: tempfile::TempDir,
    people: usize,
}

impl Rollout {
    fn new(people: usize) -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder for the bench rollout");
        generate(&GenerateOptions {
            users: people,
            seed: 42,
            out: dir.path().to_path_buf(),
        })
        .expect("generating the bench rollout");
        Rollout { dir, people }
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }

    fn config(&self) -> Config {
        config::load(&self.path("uptake.toml")).expect("the generated config loads")
    }

    fn rows(&self, file: &str) -> u64 {
        let text = std::fs::read(self.path(file)).expect("a generated file");
        let lines = text.iter().filter(|&&b| b == b'\n').count() as u64;
        lines.saturating_sub(1)
    }
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(AS_OF.0, AS_OF.1, AS_OF.2).expect("a valid day")
}

/// `TimeParser::instant` on each timestamp layout of docs/inputs.md ("Time"), one cell per iteration
/// (the per-cell cost ingest pays), and on a column of 1 000 mixed cells.
fn dates(c: &mut Criterion) {
    let tz: Tz = "Europe/Paris".parse().expect("a known zone");
    let iso = TimeParser::new(tz, None);
    let dmy = TimeParser::new(tz, None).with_order(Some(DateOrder::Dmy));
    let cases: [(&str, &TimeParser, &str); 6] = [
        ("iso_z", &iso, "2026-10-22T15:31:34Z"),
        ("iso_offset", &iso, "2026-10-22T14:02:38+02:00"),
        ("iso_fraction_z", &iso, "2024-01-15T09:23:11.0000000Z"),
        ("naive_in_zone", &iso, "2026-10-02 09:42:34"),
        ("locale_dmy", &dmy, "15/11/2026 09:30"),
        ("locale_month_name_12h", &dmy, "09/Oct/25 1:42 PM"),
    ];
    let mut g = c.benchmark_group("dates");
    for (name, parser, cell) in cases {
        parser
            .instant(cell)
            .unwrap_or_else(|e| panic!("bench cell {cell} must parse: {e}"));
        g.bench_function(name, |b| b.iter(|| parser.instant(black_box(cell))));
    }
    // A column of naive cells spread over days and hours, as an email export has:
    // the zone offset differs across the daylight-saving change.
    let column: Vec<String> = (0..1_000)
        .map(|i| {
            format!(
                "2026-{:02}-{:02} {:02}:{:02}:{:02}",
                9 + i % 3,
                1 + i % 28,
                i % 24,
                i % 60,
                (i * 7) % 60
            )
        })
        .collect();
    g.throughput(Throughput::Elements(column.len() as u64));
    g.bench_function("naive_in_zone_column_1000", |b| {
        b.iter(|| {
            column
                .iter()
                .map(|cell| iso.instant(black_box(cell)).unwrap_or(0))
                .fold(0i64, i64::wrapping_add)
        })
    });
    g.finish();
}

/// Ingest of the generated email file (the largest source: ~10 rows per person).
/// `read_source` alone is the CSV reading (blocks, parallel pieces, row accounting)
/// with the timestamp parsed; `quality::ingest` on a config of roster + email is the
/// whole of it: matching ids, validation, dedupe, quarantine.
fn ingest_email(c: &mut Criterion, r: &Rollout) {
    let cfg = r.config();
    let rows = r.rows("email_events.csv");
    let parser = TimeParser::new(cfg.timezone, None);
    let (wanted, _) = ingest::wanted_columns(Source::Email, &cfg.roster_columns());
    let c_ts = wanted
        .iter()
        .position(|c| c == uptake::schema::TIMESTAMP)
        .expect("the email source reads a timestamp");
    let mut g = c.benchmark_group("ingest");
    g.sample_size(10);
    g.throughput(Throughput::Elements(rows));
    g.bench_function(format!("read_source_email_{}", r.people), |b| {
        b.iter(|| {
            let mut n = 0u64;
            ingest::read_source(
                Source::Email,
                cfg.source(Source::Email).expect("an email source"),
                &cfg.roster_columns(),
                |row: Row<'_>| match row {
                    Row::Cells(cells) => parser.instant(cells.get(c_ts)).is_ok(),
                    Row::Malformed { .. } => false,
                },
                |_: &Path, ok| n += u64::from(ok),
            )
            .expect("reading the generated email file");
            n
        })
    });

    // Only the roster and email sources: sources left out of a config are not read.
    let mut email_only = cfg.clone();
    email_only
        .sources
        .retain(|s, _| matches!(s, Source::Roster | Source::Email));
    g.bench_function(format!("quality_ingest_roster_email_{}", r.people), |b| {
        b.iter(|| {
            quality::ingest(&email_only, None, &Progress::hidden()).expect("ingesting the rollout")
        })
    });
    g.finish();
}

/// The metrics: the per-person plan (`persons`, whose training interval union is the
/// costly part), the group aggregation (`group_rows`), and every table (`compute`).
fn metrics_benches(c: &mut Criterion, r: &Rollout) {
    let cfg = r.config();
    let data: Dataset =
        quality::ingest(&cfg, None, &Progress::hidden()).expect("ingesting the rollout");
    let f = frames::build(&cfg, &data).expect("building the frames");
    let cut = Cutoffs::new(&cfg, as_of());
    let cohort = people::cohort(&f, &cfg, as_of()).expect("the cohort");
    let persons = people::persons(&f, &cfg, &cut, &cohort).expect("the per-person plan");

    let mut g = c.benchmark_group("metrics");
    g.sample_size(10);
    g.throughput(Throughput::Elements(r.people as u64));
    g.bench_function(format!("frames_build_{}", r.people), |b| {
        b.iter(|| frames::build(&cfg, &data).expect("building the frames"))
    });
    g.bench_function(format!("persons_{}", r.people), |b| {
        b.iter(|| people::persons(&f, &cfg, &cut, &cohort).expect("the per-person plan"))
    });
    g.bench_function(format!("group_rows_{}", r.people), |b| {
        b.iter(|| groups::group_rows(&f, &cfg, &cut, &persons).expect("group rows"))
    });
    g.bench_function(format!("compute_{}", r.people), |b| {
        b.iter(|| metrics::compute(&cfg, &data, as_of()).expect("every table"))
    });
    g.finish();
}

fn data_benches(c: &mut Criterion) {
    let r = Rollout::new(people());
    ingest_email(c, &r);
    metrics_benches(c, &r);
}

criterion_group!(benches, dates, data_benches);
criterion_main!(benches);
