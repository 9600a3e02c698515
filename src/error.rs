//! The one error type of uptake.
//!
//! An [`Error`] stops the run: a config a user must fix, an input that cannot be
//! opened, a required column that is absent, a report that cannot be written. A bad
//! *row* is not an error: it becomes a quarantined row (see `quality`) and the run goes
//! on. Every message names the thing to fix (file, key, column) and, where we can,
//! says what to do in `help:` lines; `main` prints it and maps it to an exit code
//! with [`Error::exit_code`].

use std::fmt;
use std::path::{Path, PathBuf};

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The config is wrong: unknown key, bad value, unknown wave or phase. Exit 2.
    #[error("{}", config_message(.file, .key, .message, .help))]
    Config {
        /// The config file.
        file: PathBuf,
        /// The dotted key at fault (`waves[1].enrollment_target`), empty when the
        /// whole file is at fault.
        key: String,
        /// What is wrong with it.
        message: String,
        /// What to do, one line each.
        help: Vec<String>,
    },
    /// A bad command line that clap could not catch (e.g. a flag that needs another).
    #[error("{0}")]
    Usage(String),
    /// A source's file or folder does not exist or holds no file.
    #[error("{}", missing_input_message(.source_name, .path, .detail))]
    MissingInput {
        /// The source (`roster`, `email`, ...).
        source_name: String,
        /// The path from the config, resolved against the config's folder.
        path: PathBuf,
        /// What is missing: "no such file or folder", "the folder holds no file".
        detail: String,
    },
    /// A required column is absent from a source file.
    #[error("{}", missing_column_message(.0))]
    MissingColumn(Box<MissingColumn>),
    /// A file that exists but cannot be read as the source it is configured as.
    #[error("{}: {message}", .file.display())]
    Unreadable {
        /// The file.
        file: PathBuf,
        /// Why.
        message: String,
    },
    /// An operating-system error on a path (reading an input, writing the report).
    #[error("{}: {source}", .path.display())]
    Io {
        /// The path we were reading or writing.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The report cannot be written under `--out`: a read-only folder, a full disk,
    /// a file where a folder must go. The previous report is left as it was.
    #[error("{}", write_message(.out, .path, .source))]
    Write {
        /// The folder given with `--out`.
        out: PathBuf,
        /// The file or folder that could not be written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Something under `--out` that uptake did not write stands where it would
    /// replace it (a `<D>` folder without uptake's manifest, a `latest` that is not
    /// uptake's link): uptake never deletes or moves it. Nothing was written.
    #[error("{}", foreign_message(.path, .what))]
    Foreign {
        /// What stands there.
        path: PathBuf,
        /// What it is, in words.
        what: String,
    },
    /// A failure inside the metrics engine (polars). Not the user's fault: a bug.
    #[error("computing {what}: {source}")]
    Compute {
        /// The table being computed.
        what: String,
        /// The polars error.
        source: polars::error::PolarsError,
    },
}

/// What [`Error::MissingColumn`] knows (boxed: it is the largest error).
#[derive(Debug)]
pub struct MissingColumn {
    /// The source (`roster`, `email`, ...).
    pub source_name: String,
    /// The file that lacks the column.
    pub file: PathBuf,
    /// The canonical column that is required.
    pub column: String,
    /// The header we looked for when `columns` maps the column.
    pub config_key: Option<String>,
    /// The headers the file has.
    pub found: Vec<String>,
    /// The found header closest to the one we wanted, if any is close.
    pub closest: Option<String>,
    /// The mapping that reads this file, canonical column -> header, when the
    /// reader could tell it from the file's values (which column holds dates,
    /// emails, ids): the help then gives the whole `columns = { .. }` line.
    pub suggestion: Vec<(String, String)>,
    /// The config key that requires the column (`rollout.group_by`, `rollout.cuts`)
    /// when it is not one of the source's own columns.
    pub named_by: Option<&'static str>,
}

impl Error {
    /// The process exit code for this error: 2 for config and usage, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config { .. } | Error::Usage(_) => 2,
            _ => 1,
        }
    }

    /// A config error on `key` of `file`.
    pub fn config(file: &Path, key: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            file: file.to_path_buf(),
            key: key.into(),
            message: message.into(),
            help: Vec::new(),
        }
    }

    /// Adds a `help:` line to a config error (other kinds are returned unchanged).
    pub fn with_help(mut self, line: impl Into<String>) -> Self {
        if let Error::Config { help, .. } = &mut self {
            help.push(line.into());
        }
        self
    }

    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// An I/O error met while writing the report under `out` becomes
    /// [`Error::Write`], which names the folder to fix; other errors are unchanged.
    pub fn writing_report(self, out: &Path) -> Self {
        match self {
            Error::Io { path, source } => Error::Write {
                out: out.to_path_buf(),
                path,
                source,
            },
            other => other,
        }
    }

    /// A polars error while computing `what`.
    pub fn compute(what: impl Into<String>, source: polars::error::PolarsError) -> Self {
        Error::Compute {
            what: what.into(),
            source,
        }
    }
}

fn config_message(file: &Path, key: &str, message: &str, help: &[String]) -> String {
    let mut out = if key.is_empty() {
        format!("{}: {message}", file.display())
    } else {
        format!("{}: `{key}`: {message}", file.display())
    };
    for line in help {
        out.push_str("\nhelp: ");
        out.push_str(line);
    }
    out
}

fn write_message(out: &Path, path: &Path, source: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let out_shown = out.display();
    let fix = match source.kind() {
        ErrorKind::StorageFull | ErrorKind::FileTooLarge | ErrorKind::QuotaExceeded => {
            format!(
                "free space on the disk that holds {out_shown}, or pass another folder with --out"
            )
        }
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => {
            format!("make {out_shown} writable, or pass another folder with --out")
        }
        _ => format!("check {out_shown}, or pass another folder with --out"),
    };
    format!(
        "cannot write the report into {out_shown}: {}: {source}\nhelp: {fix}\nhelp: nothing was changed: the previous report, if any, is as it was",
        path.display()
    )
}

fn foreign_message(path: &Path, what: &str) -> String {
    format!(
        "{}: is {what}: uptake never replaces or deletes what it did not write\nhelp: move it away, or pass another folder with --out\nhelp: nothing was changed: the previous report, if any, is as it was",
        path.display()
    )
}

fn missing_input_message(source_name: &str, path: &Path, detail: &str) -> String {
    format!(
        "{}: {detail} (the `{source_name}` source)\nhelp: check `[sources.{source_name}] path` in the config; paths are relative to the config file",
        path.display()
    )
}

fn missing_column_message(m: &MissingColumn) -> String {
    let MissingColumn {
        source_name,
        file,
        column,
        config_key,
        found,
        closest,
        suggestion,
        named_by,
    } = m;
    let mut out = match (config_key, named_by) {
        (_, Some(key)) => format!(
            "{}: missing the column `{column}` that `{key}` names",
            file.display()
        ),
        (Some(header), None) if header != column => format!(
            "{}: missing required column `{column}` (mapped to the header `{header}`)",
            file.display()
        ),
        _ => format!("{}: missing required column `{column}`", file.display()),
    };
    let shown = Quoted::new(found);
    out.push_str(&format!("\n  found: {shown}"));
    if let Some(closest) = closest.as_ref().filter(|c| shown.shows(c)) {
        out.push_str(&format!(
            "\nhelp: a header with a similar name exists: `{closest}`"
        ));
    }
    // Only headers the message already shows are quoted again (docs/errors.md: no
    // more than 200 characters of a file that may not be a CSV at all).
    if !suggestion.is_empty() && suggestion.iter().all(|(_, h)| shown.shows(h)) {
        let pairs: Vec<String> = suggestion
            .iter()
            .map(|(canonical, header)| format!("{canonical} = {}", toml_string(header)))
            .collect();
        out.push_str(&format!(
            "\nhelp: its values say which columns hold what: write\n  [sources.{source_name}]\n  columns = {{ {} }}",
            pairs.join(", ")
        ));
    } else if let Some(closest) = closest.as_ref().filter(|c| shown.shows(c)) {
        out.push_str(&format!(
            "\nhelp: map it: [sources.{source_name}] columns = {{ {column} = \"{closest}\" }}"
        ));
    } else {
        out.push_str(&format!(
            "\nhelp: map the header that holds it: [sources.{source_name}] columns = {{ {column} = \"<header in the file>\" }}"
        ));
    }
    match *named_by {
        Some("rollout.group_by") => {
            out.push_str("\nhelp: or set `rollout.group_by` to a column the roster has")
        }
        Some(key) => out.push_str(&format!("\nhelp: or take it out of `{key}`")),
        None => {}
    }
    out
}

/// `s` as a TOML basic string, quoted, with `"`, `\\` and control characters escaped
/// (for the `columns = { .. }` lines a help gives).
pub(crate) fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The most of a file's text an error message quotes: a file that is not the
/// expected CSV may be anything (a source path naming `/etc/shadow`).
pub const QUOTED_CHARS: usize = 200;

/// A file's header row as an error quotes it: `a, b, c`, no more than
/// [`QUOTED_CHARS`] characters of it, then how many headers are left out.
struct Quoted<'a> {
    headers: &'a [String],
    /// How many headers are shown whole.
    whole: usize,
    /// The first characters of the next one, when it is cut.
    cut: Option<String>,
}

impl<'a> Quoted<'a> {
    fn new(headers: &'a [String]) -> Self {
        let mut used = 0usize;
        let mut whole = 0;
        let mut cut = None;
        for h in headers {
            let len = h.chars().count() + if whole > 0 { 2 } else { 0 };
            if used + len > QUOTED_CHARS {
                let room = QUOTED_CHARS.saturating_sub(used + 2);
                if room > 0 && whole == 0 {
                    cut = Some(h.chars().take(room).collect());
                }
                break;
            }
            used += len;
            whole += 1;
        }
        Quoted {
            headers,
            whole,
            cut,
        }
    }

    /// Whether `header` is among those shown whole.
    fn shows(&self, header: &str) -> bool {
        self.headers[..self.whole].iter().any(|h| h == header)
    }
}

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.headers.is_empty() {
            return f.write_str("(no header)");
        }
        for (i, h) in self.headers[..self.whole].iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(h)?;
        }
        if let Some(cut) = &self.cut {
            write!(f, "{cut}…")?;
        }
        let left = self.headers.len() - self.whole - usize::from(self.cut.is_some());
        if left > 0 {
            let sep = if self.whole > 0 || self.cut.is_some() {
                " "
            } else {
                ""
            };
            write!(
                f,
                "{sep}(and {left} more header{}, not shown)",
                if left == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_column_names_file_column_found_and_closest() {
        let e = Error::MissingColumn(Box::new(MissingColumn {
            source_name: "enrollments".into(),
            file: PathBuf::from("enrollments.csv"),
            column: "enrolled_at".into(),
            config_key: None,
            found: vec!["UPN".into(), "EnrolledDateTime".into()],
            closest: Some("EnrolledDateTime".into()),
            suggestion: Vec::new(),
            named_by: None,
        }));
        let text = e.to_string();
        assert!(text.starts_with("enrollments.csv: missing required column `enrolled_at`"));
        assert!(text.contains("found: UPN, EnrolledDateTime"));
        assert!(text.contains("help: a header with a similar name exists: `EnrolledDateTime`"));
        assert!(text.contains("columns = { enrolled_at = \"EnrolledDateTime\" }"));
        assert_eq!(e.exit_code(), 1);
    }

    /// A header row that is not a CSV header (a long line, a file of another kind)
    /// is quoted no further than its first 200 characters.
    // See: issue 12, finding 8.
    #[test]
    fn missing_column_quotes_at_most_200_characters_of_the_file() {
        let secret = "x".repeat(150);
        let e = Error::MissingColumn(Box::new(MissingColumn {
            source_name: "roster".into(),
            file: PathBuf::from("r.csv"),
            column: "user_id".into(),
            config_key: None,
            found: vec!["user".into(), secret.clone(), format!("user_id_{secret}")],
            closest: Some(format!("user_id_{secret}")),
            suggestion: Vec::new(),
            named_by: None,
        }));
        let text = e.to_string();
        assert!(text.contains(&format!(
            "found: user, {secret} (and 1 more header, not shown)"
        )));
        assert!(!text.contains("user_id_"), "{text}");
        let e = Error::MissingColumn(Box::new(MissingColumn {
            source_name: "roster".into(),
            file: PathBuf::from("r.csv"),
            column: "user_id".into(),
            config_key: None,
            found: vec!["y".repeat(500), "z".into()],
            closest: None,
            suggestion: Vec::new(),
            named_by: None,
        }));
        let text = e.to_string();
        let quoted = text.matches('y').count();
        assert!((150..=QUOTED_CHARS).contains(&quoted), "{quoted}: {text}");
        assert!(text.contains("y… (and 1 more header, not shown)"), "{text}");
    }

    #[test]
    fn a_suggested_mapping_is_one_toml_line_with_headers_escaped() {
        let e = Error::MissingColumn(Box::new(MissingColumn {
            source_name: "training".into(),
            file: PathBuf::from("a.csv"),
            column: "joined_at".into(),
            config_key: None,
            found: vec!["Pierwsze dołączenie".into(), "Id \"UPN\" \\ x".into()],
            closest: None,
            suggestion: vec![
                ("joined_at".into(), "Pierwsze dołączenie".into()),
                ("user_id".into(), "Id \"UPN\" \\ x".into()),
            ],
            named_by: None,
        }));
        let text = e.to_string();
        assert!(
            text.ends_with(
                "  [sources.training]\n  columns = { joined_at = \"Pierwsze dołączenie\", user_id = \"Id \\\"UPN\\\" \\\\ x\" }"
            ),
            "{text}"
        );
        let line = text.lines().last().unwrap().trim();
        let parsed: toml::Table = toml::from_str(line).unwrap();
        assert_eq!(
            parsed["columns"]["user_id"].as_str(),
            Some("Id \"UPN\" \\ x")
        );
    }

    #[test]
    fn config_error_names_key_and_exits_2() {
        let e = Error::config(Path::new("u.toml"), "waves[0].start", "not a date")
            .with_help("write it as YYYY-MM-DD");
        assert_eq!(
            e.to_string(),
            "u.toml: `waves[0].start`: not a date\nhelp: write it as YYYY-MM-DD"
        );
        assert_eq!(e.exit_code(), 2);
    }
}
