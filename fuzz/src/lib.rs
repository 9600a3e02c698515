//! What the fuzz targets share: a scratch folder, a small roster, and a config that
//! reads one fuzzed file as a source in a format the first bytes choose.
//!
//! Each source target hands its input to [`ingest_source`], which runs the whole of
//! ingest and quality (`uptake::quality::ingest`) on it, the same path `uptake run`
//! takes, and checks the row accounting of docs/inputs.md on what comes back. A panic, or an
//! accounting that does not add up, is a crash for libFuzzer.

use std::path::PathBuf;
use std::sync::OnceLock;

use uptake::config::Config;
use uptake::progress::Progress;
use uptake::schema::Source;

/// A roster with an id/mail/display-name mix, so that matching by id, by mail and
/// by name (and an ambiguous name: two Ann Lees) all run.
pub const ROSTER: &str = "user_id,group,wave,left_on,display_name,mail,champion\n\
ann@x.com,Finance,Wave 1,,Ann Lee,ann.lee@x.com,yes\n\
bob@x.com,Finance,,2026-09-30,\"Stone, Bob\",,no\n\
cat@x.com,HR,,,Cat Ray,cat.ray@x.com,\n\
dan@x.com,HR,Wave 2,,Ann Lee,,1\n";

/// The formats a source can be read in: canonical, auto, then its tools.
pub fn formats(source: Source) -> &'static [&'static str] {
    match source {
        Source::Roster => &["canonical", "auto", "entra"],
        Source::Enrollments => &["canonical", "auto", "intune"],
        Source::Email => &["canonical", "auto", "sendgrid", "mailchimp"],
        Source::Training => &["canonical", "auto", "teams", "zoom"],
        Source::Tickets => &["canonical", "auto", "servicenow", "zendesk", "jira"],
    }
}

/// A scratch folder of this process (on /dev/shm when there is one), with the roster.
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("uptake-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch folder");
        std::fs::write(dir.join("roster.csv"), ROSTER).expect("scratch roster");
        dir
    })
}

/// The config for reading `source` from `input` with the options `opts` picks.
pub fn config_text(source: Source, format: &str, opts: u8) -> String {
    let mut src = format!("path = \"input\"\nformat = \"{format}\"\n");
    match opts & 3 {
        1 => src.push_str("date_order = \"dmy\"\n"),
        2 => src.push_str("date_order = \"mdy\"\n"),
        _ => {}
    }
    if opts & 4 != 0 {
        src.push_str("date_format = \"%d/%m/%Y %H:%M\"\n");
    }
    if opts & 8 != 0 && source == Source::Email {
        src.push_str("campaign_from = \"category\"\n");
    }
    let tz = if opts & 16 != 0 {
        "UTC"
    } else {
        "Europe/Paris"
    };
    let roster = if source == Source::Roster {
        String::new()
    } else {
        "[sources.roster]\npath = \"roster.csv\"\n".to_string()
    };
    format!(
        "[rollout]\nname = \"fuzz\"\ntimezone = \"{tz}\"\n\n{roster}[sources.{}]\n{src}\n\
[[waves]]\nname = \"Wave 1\"\nstart = \"2026-09-07\"\ngroups = [\"Finance\"]\n\
enrollment_target = [[14, 0.5], [28, 0.9]]\n\n\
[[waves]]\nname = \"Wave 2\"\nstart = \"2026-10-05\"\ngroups = [\"HR\"]\n\
enrollment_target = [[14, 0.5], [28, 0.9]]\n",
        source.name()
    )
}

/// Reads `data` as `source`: byte 0 picks the format, byte 1 the options, the rest
/// is the file. Panics when the row accounting does not add up.
pub fn ingest_source(source: Source, data: &[u8]) {
    let [pick, opts, file @ ..] = data else {
        return;
    };
    let formats = formats(source);
    let format = formats[usize::from(*pick) % formats.len()];
    let dir = scratch();
    std::fs::write(dir.join("input"), file).expect("scratch input");
    let text = config_text(source, format, *opts);
    let cfg: Config = uptake::config::parse(&dir.join("uptake.toml"), &text)
        .unwrap_or_else(|e| panic!("the fuzz config is valid: {e}\n{text}"));
    match uptake::quality::ingest(&cfg, None, &Progress::hidden()) {
        Ok(data) => check_accounting(&data),
        Err(e) => {
            // An error stops the run: it must say something and map to 1 or 2.
            assert!(!e.to_string().trim().is_empty());
            assert!(matches!(e.exit_code(), 1 | 2));
        }
    }
}

/// rows read = accepted + quarantined for every source, every quarantined row has a
/// reason and a line, and the files' rows add up to the rows read.
pub fn check_accounting(data: &uptake::dataset::Dataset) {
    for source in Source::ALL {
        let c = &data.counts[&source];
        let q = &data.quarantine[&source];
        assert_eq!(
            c.rows_read,
            c.rows_accepted + c.rows_quarantined,
            "{source}"
        );
        assert_eq!(c.rows_quarantined, q.len() as u64, "{source}");
        let from_files: u64 = data
            .files
            .iter()
            .filter(|f| f.source == source)
            .map(|f| f.rows)
            .sum();
        assert_eq!(c.rows_read, from_files, "{source}");
        assert!(c.duplicates_removed <= c.rows_accepted, "{source}");
        for row in q {
            assert!(
                !row.reason.trim().is_empty(),
                "{source}: a quarantined row has no reason"
            );
            assert!(row.line >= 1, "{source}: a quarantined row has no line");
        }
    }
}
