//! The error catalogue (issue 8, point 3; docs/errors.md): one case per error a
//! user can hit. Each asserts the exit code (2 for the command line and the config,
//! 1 for data and I/O) and that the message names the thing to fix: the key, the
//! file, the column, the folder. Every case is listed in docs/errors.md, and every
//! entry there has a case.

use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::util::{bin, copy_fixture, is_root, uptake, Immutable};

/// What a case does to a copy of the hand-worked fixture before running.
enum Setup {
    /// Nothing.
    None,
    /// Replace the first `from` in uptake.toml with `to` (each pair in turn).
    Config(&'static [(&'static str, &'static str)]),
    /// Write `bytes` to the fixture file `name` (empty: remove it).
    File(&'static str, &'static [u8]),
    /// Anything else.
    Custom(fn(&Path)),
    /// The two-workload fixture (tests/fixtures/workloads) instead of the hand-worked
    /// one, with its uptake.toml edited like `Config`.
    Workloads(&'static [(&'static str, &'static str)]),
}

struct Case {
    /// The entry's name in docs/errors.md.
    name: &'static str,
    setup: Setup,
    /// Arguments after `uptake`; `{config}`, `{out}` and `{dir}` (the fixture's copy)
    /// are filled in.
    args: &'static [&'static str],
    code: i32,
    /// What stderr must say, each in turn.
    says: &'static [&'static str],
}

const RUN: &[&str] = &["run", "--config", "{config}", "--out", "{out}"];
const VALIDATE: &[&str] = &["validate", "--config", "{config}"];

fn config(
    name: &'static str,
    edits: &'static [(&'static str, &'static str)],
    says: &'static [&'static str],
) -> Case {
    Case {
        name,
        setup: Setup::Config(edits),
        args: RUN,
        code: 2,
        says,
    }
}

/// A config error in the two-workload fixture.
fn workloads(
    name: &'static str,
    edits: &'static [(&'static str, &'static str)],
    says: &'static [&'static str],
) -> Case {
    Case {
        name,
        setup: Setup::Workloads(edits),
        args: RUN,
        code: 2,
        says,
    }
}

fn cases() -> Vec<Case> {
    vec![
        // ---- the command line (exit 2)
        Case {
            name: "unknown command",
            setup: Setup::None,
            args: &["frobnicate"],
            code: 2,
            says: &["frobnicate"],
        },
        Case {
            name: "bad --as-of",
            setup: Setup::None,
            args: &["run", "--config", "{config}", "--as-of", "20/11/2026"],
            code: 2,
            says: &["--as-of", "20/11/2026"],
        },
        Case {
            name: "generate without --users",
            setup: Setup::None,
            args: &["generate", "--out", "{out}"],
            code: 2,
            says: &["--users"],
        },
        // ---- `uptake init` (docs/init.md)
        Case {
            name: "init over an existing config",
            setup: Setup::None,
            args: &["init", "{dir}"],
            code: 2,
            says: &["uptake.toml: a config already exists there", "help: pass --force"],
        },
        Case {
            name: "init on a file",
            setup: Setup::None,
            args: &["init", "{config}", "--out", "{out}.toml"],
            code: 2,
            says: &["uptake.toml: not a folder: `uptake init` reads a folder of exports"],
        },
        Case {
            name: "init --out a folder",
            setup: Setup::Custom(|dir| std::fs::create_dir_all(dir.join("cfg")).unwrap()),
            args: &["init", "{dir}", "--out", "{dir}/cfg"],
            code: 2,
            says: &["cfg: is a folder: --out names the config file to write"],
        },
        Case {
            name: "init finds no roster",
            setup: Setup::File("roster.csv", &[]),
            args: &["init", "{dir}", "--out", "{out}.toml"],
            code: 1,
            says: &[
                "no roster found: a roster is a CSV with a `user_id` column",
                "and a group column",
                "enrollments.csv: enrollments (canonical)",
            ],
        },
        // ---- the config (exit 2): each names the key
        Case {
            name: "config file missing",
            setup: Setup::None,
            args: &["validate", "--config", "/nonexistent/uptake.toml"],
            code: 2,
            says: &["/nonexistent/uptake.toml", "cannot read the config", "help: pass the config with --config"],
        },
        Case {
            name: "config not a regular file",
            setup: Setup::None,
            // A device never ends: read whole, it would fill the memory.
            args: &["validate", "--config", "/dev/zero"],
            code: 2,
            says: &["/dev/zero", "cannot read the config", "not a regular file"],
        },
        config("not TOML", &[("[thresholds]", "[thresholds")], &["uptake.toml", "(line 8)"]),
        config(
            "unknown key",
            &[("min_group_size = 3", "min_group_size = 3\nmin_size = 2")],
            &["`thresholds.min_size`", "unknown field"],
        ),
        config(
            "wrong type",
            &[("as_of = \"2026-11-20\"", "as_of = 2026-11-20")],
            &["`rollout.as_of`", "help: write dates and names in quotes"],
        ),
        config(
            "not a date",
            &[("as_of = \"2026-11-20\"", "as_of = \"20/11/2026\"")],
            &["`rollout.as_of`", "`20/11/2026` is not a date", "YYYY-MM-DD"],
        ),
        config(
            "unknown time zone",
            &[("Europe/Paris", "Europe/Parsi")],
            &["`rollout.timezone`", "`Europe/Parsi`", "similar name exists: `Europe/Paris`"],
        ),
        config(
            "empty group_by",
            &[("group_by = \"department\"", "group_by = \" \"")],
            &["`rollout.group_by`", "must name a roster column"],
        ),
        config(
            "bad training minutes",
            &[("training_min_minutes = 30", "training_min_minutes = -5")],
            &["`thresholds.training_min_minutes`", "-5"],
        ),
        config(
            "share outside 0..1",
            &[("at_risk_margin = 0.10", "at_risk_margin = 10")],
            &["`thresholds.at_risk_margin`", "10 is not a share between 0 and 1", "write 0.8 for 80 %"],
        ),
        config(
            "bad group size",
            &[("min_group_size = 3", "min_group_size = 0")],
            &["`thresholds.min_group_size`", "0 is not a group size"],
        ),
        config(
            "no roster",
            &[("[sources.roster]\npath = \"roster.csv\"", "")],
            &["`sources.roster`", "the roster is required"],
        ),
        config(
            "source without a path",
            &[("path = \"tickets.csv\"", "")],
            &["`sources.tickets.path`", "missing", "help: add path ="],
        ),
        config(
            "unknown format",
            &[("path = \"tickets.csv\"", "path = \"tickets.csv\"\nformat = \"remedy\"")],
            &["`sources.tickets.format`", "unknown format `remedy`", "servicenow, zendesk, jira"],
        ),
        config(
            "format of another source",
            &[("path = \"tickets.csv\"", "path = \"tickets.csv\"\nformat = \"intune\"")],
            &["`sources.tickets.format`", "`intune` exports are enrollments data", "[sources.enrollments]"],
        ),
        config(
            "unknown column",
            &[("path = \"tickets.csv\"", "path = \"tickets.csv\"\ncolumns = { priority = \"Priority\" }")],
            &["`sources.tickets.columns.priority`", "not a column of the tickets source", "ticket_id"],
        ),
        config(
            "empty header name",
            &[("path = \"tickets.csv\"", "path = \"tickets.csv\"\ncolumns = { opened_at = \"\" }")],
            &["`sources.tickets.columns.opened_at`", "an empty header name"],
        ),
        config(
            "bad date_format",
            &[("path = \"tickets.csv\"", "path = \"tickets.csv\"\ndate_format = \"%Q/%d\"")],
            &["`sources.tickets.date_format`", "`%Q/%d` is not a chrono date format"],
        ),
        config(
            "date_format without a year",
            &[("path = \"tickets.csv\"", "path = \"tickets.csv\"\ndate_format = \"%d/%m\"")],
            &["`sources.tickets.date_format`", "has no year"],
        ),
        config(
            "unknown date_order",
            &[("path = \"tickets.csv\"", "path = \"tickets.csv\"\ndate_order = \"ymd\"")],
            &["`sources.tickets.date_order`", "unknown date order `ymd`", "\"dmy\""],
        ),
        config(
            "campaign_from outside email",
            &[("path = \"tickets.csv\"", "path = \"tickets.csv\"\ncampaign_from = \"category\"")],
            &["`sources.tickets.campaign_from`", "only email sources"],
        ),
        config(
            "products outside usage",
            &[("path = \"tickets.csv\"", "path = \"tickets.csv\"\nproducts = { \"OneDrive\" = \"Hand-worked rollout\" }")],
            &["`sources.tickets.products`", "only usage sources"],
        ),
        config(
            "unknown product workload",
            &[("[sources.tickets]", "[sources.usage]\npath = \"usage.csv\"\nproducts = { \"OneDrive\" = \"KFM\" }\n[sources.tickets]")],
            &["`sources.usage.products.OneDrive`", "unknown workload `KFM`"],
        ),
        config(
            "no product for a workload",
            &[("[sources.tickets]", "[sources.usage]\npath = \"usage.csv\"\nformat = \"m365_active_users\"\n[sources.tickets]")],
            &["`sources.usage.products`", "no product of the Active Users report", "help: say which product's use counts"],
        ),
        config(
            "bad active days",
            &[("min_group_size = 3", "min_group_size = 3\nactive_days = 0")],
            &["`thresholds.active_days`", "0 is not a number of days"],
        ),
        config(
            "training method named twice",
            &[("[sources.roster]", "[[training_methods]]\nname = \"bb\"\nsessions = [\"a*\"]\n[[training_methods]]\nname = \"BB\"\nsessions = [\"b*\"]\n[sources.roster]")],
            &["`training_methods[1].name`", "a second training method named `BB`"],
        ),
        config(
            "built-in training method",
            &[("[sources.roster]", "[[training_methods]]\nname = \"self-paced\"\nsessions = [\"a*\"]\n[sources.roster]")],
            &["`training_methods[0].name`", "built in"],
        ),
        config(
            "empty session glob",
            &[("[sources.roster]", "[[training_methods]]\nname = \"bb\"\nsessions = [\" \"]\n[sources.roster]")],
            &["`training_methods[0].sessions[0]`", "an empty glob matches no session"],
        ),
        config(
            "bad survey scale",
            &[("[sources.roster]", "[survey]\nscale = [5, 1]\n[sources.roster]")],
            &["`survey.scale`", "[5, 1] does not go up"],
        ),
        config(
            "satisfied_from off the scale",
            &[("[sources.roster]", "[survey]\nscale = [1, 5]\nsatisfied_from = 6\n[sources.roster]")],
            &["`survey.satisfied_from`", "6 is not on the scale 1 to 5"],
        ),
        config(
            "after-enrollment target outside 0..1",
            &[("training_target = 0.5", "training_target = 0.5\nhealth_target = 85")],
            &["`waves[0].health_target`", "85 is not a share"],
        ),
        Case {
            name: "no score question",
            setup: Setup::Custom(|dir| {
                std::fs::write(
                    dir.join("survey.csv"),
                    "ID,Start time,Completion time,Email,Name,How did it go?\n\
1,11/18/26 10:20:05,11/18/26 10:21:37,anonymous,,Fine\n",
                )
                .unwrap();
                let cfg = dir.join("uptake.toml");
                let text = std::fs::read_to_string(&cfg).unwrap().replace(
                    "[sources.tickets]",
                    "[sources.survey]\npath = \"survey.csv\"\nformat = \"forms\"\n[sources.tickets]",
                );
                std::fs::write(&cfg, text).unwrap();
            }),
            args: RUN,
            code: 2,
            says: &[
                "`sources.survey.columns.score`",
                "no question is answered with whole numbers",
                "help: name the score question: [sources.survey] columns = { score = \"How did it go?\" }",
            ],
        },
        Case {
            name: "no waves",
            setup: Setup::Custom(|dir| {
                let cfg = dir.join("uptake.toml");
                let text = std::fs::read_to_string(&cfg).unwrap();
                let head = text.split("[[waves]]").next().unwrap().to_string();
                std::fs::write(&cfg, head).unwrap();
            }),
            args: RUN,
            code: 2,
            says: &["`waves`", "a rollout needs at least one wave"],
        },
        config(
            "wave without a name",
            &[("name = \"W2\"", "")],
            &["`waves[1].name`", "missing"],
        ),
        config(
            "two waves of one name",
            &[("name = \"W2\"", "name = \"w1\"")],
            &["`waves[1].name`", "a second wave named `w1`"],
        ),
        config(
            "wave without a start",
            &[("start = \"2026-11-09\"", "")],
            &["`waves[1].start`", "missing"],
        ),
        config(
            "bad wave start",
            &[("start = \"2026-11-09\"", "start = \"2026-13-09\"")],
            &["`waves[1].start`", "`2026-13-09` is not a date"],
        ),
        config(
            "group in two waves",
            &[("groups = [\"Sales\"]", "groups = [\"Sales\", \"finance\"]")],
            &["`waves[1].groups`", "group `finance` is already in wave `W1`"],
        ),
        config(
            "wave without a target",
            &[("enrollment_target = [[7, 0.2], [21, 0.6]]", "")],
            &["`waves[1].enrollment_target`", "missing", "help: e.g. enrollment_target"],
        ),
        config(
            "empty target curve",
            &[("enrollment_target = [[7, 0.2], [21, 0.6]]", "enrollment_target = []")],
            &["`waves[1].enrollment_target`", "an empty target curve"],
        ),
        config(
            "target point not a pair",
            &[("[[7, 0.2], [21, 0.6]]", "[[7, 0.2], [21]]")],
            &["`waves[1].enrollment_target[1]`", "a point is [days since start, share enrolled]"],
        ),
        config(
            "target day not whole",
            &[("[[7, 0.2], [21, 0.6]]", "[[7.5, 0.2], [21, 0.6]]")],
            &["`waves[1].enrollment_target[0]`", "7.5 is not a whole number of days"],
        ),
        config(
            "target not increasing",
            &[("[28, 0.8]", "[10, 0.8]")],
            &["`waves[0].enrollment_target[1]`", "not increasing in days: 10 comes after 14"],
        ),
        config(
            "target share outside 0..1",
            &[("[42, 1.0]", "[42, 1.5]")],
            &["`waves[0].enrollment_target[2]`", "1.5 is not a share"],
        ),
        config(
            "email target outside 0..1",
            &[("email_open_target = 0.6", "email_open_target = 60")],
            &["`waves[0].email_open_target`", "60 is not a share"],
        ),
        config(
            "negative ticket target",
            &[("tickets_per_100_target = 50.0", "tickets_per_100_target = -1.0")],
            &["`waves[0].tickets_per_100_target`", "-1 is not a ticket rate"],
        ),
        config(
            "campaign without a name",
            &[("name = \"w2-kickoff\"", "")],
            &["`campaigns[1].name`", "missing"],
        ),
        config(
            "two campaigns of one name",
            &[("name = \"w2-kickoff\"", "name = \"w1-kickoff\"")],
            &["`campaigns[1].name`", "a second campaign named `w1-kickoff`"],
        ),
        config(
            "unknown phase",
            &[("phase = \"kickoff\"\nwave = \"W1\"", "phase = \"launch\"\nwave = \"W1\"")],
            &["`campaigns[0].phase`", "unknown phase `launch`", "pre-enrollment"],
        ),
        config(
            "campaign without a phase",
            &[("phase = \"kickoff\"\nwave = \"W1\"", "wave = \"W1\"")],
            &["`campaigns[0].phase`", "missing"],
        ),
        config(
            "unknown campaign wave",
            &[("wave = \"W2\"", "wave = \"W9\"")],
            &["`campaigns[1].wave`", "unknown wave `W9`", "the waves are: W1, W2"],
        ),
        config(
            "campaign without a wave",
            &[("wave = \"W2\"", "")],
            &["`campaigns[1].wave`", "missing"],
        ),
        config(
            "bad planned day",
            &[("planned = \"2026-10-28\"", "planned = \"28 Oct\"")],
            &["`campaigns[1].planned`", "`28 Oct` is not a date"],
        ),
        // ---- workloads and cuts (exit 2): each names the key
        workloads(
            "unknown workload of a wave",
            &[("name = \"K1\"\nworkload = \"KFM\"", "name = \"K1\"\nworkload = \"OneDrive\"")],
            &["`waves[2].workload`", "unknown workload `OneDrive`", "the workloads are: MDM, KFM"],
        ),
        workloads(
            "wave without a workload",
            &[("name = \"K2\"\nworkload = \"KFM\"", "name = \"K2\"")],
            &["`waves[3].workload`", "with several workloads every wave names its own", "add workload = \"MDM\""],
        ),
        workloads(
            "group in two waves of a workload",
            &[("groups = [\"HR\"]", "groups = [\"HR\", \"sales\"]")],
            &["`waves[3].groups`", "group `sales` is already in wave `K1` of workload `KFM`"],
        ),
        Case {
            name: "roster wave column with several workloads",
            setup: Setup::Custom(|dir| {
                to_workloads(dir);
                edit_config(dir, "wave_column = \"mdm_wave\"", "");
                let roster = std::fs::read_to_string(dir.join("roster.csv")).unwrap();
                let roster = roster.replacen(",mdm_wave,", ",wave,", 1);
                std::fs::write(dir.join("roster.csv"), roster).unwrap();
            }),
            args: RUN,
            code: 2,
            says: &["uptake.toml", "`workloads`", "the roster has a `wave` column", "set wave_column = \"wave\""],
        },
        workloads(
            "unknown workload of an enrollments table",
            &[("workload = \"MDM\"\n[[sources", "workload = \"Intune\"\n[[sources")],
            &["`sources.enrollments[0].workload`", "unknown workload `Intune`", "the workloads are: MDM, KFM"],
        ),
        config(
            "workload on another source",
            &[("path = \"tickets.csv\"", "path = \"tickets.csv\"\nworkload = \"MDM\"")],
            &["`sources.tickets.workload`", "only enrollment sources belong to a workload"],
        ),
        workloads(
            "cut equal to group_by",
            &[("cuts = [\"location\"]", "cuts = [\"location\", \"Department\"]")],
            &["`rollout.cuts[1]`", "`Department` is already `group_by`", "cuts = [\"location\"]"],
        ),
        workloads(
            "cut listed twice",
            &[("cuts = [\"location\"]", "cuts = [\"location\", \" Location\"]")],
            &["`rollout.cuts[1]`", "`Location` is listed twice"],
        ),
        Case {
            name: "cut column missing from the roster",
            setup: Setup::Workloads(&[("cuts = [\"location\"]", "cuts = [\"site\"]")]),
            args: VALIDATE,
            code: 1,
            says: &[
                "roster.csv",
                "missing the column `site` that `rollout.cuts` names",
                "columns = { site =",
                "help: or take it out of `rollout.cuts`",
            ],
        },
        Case {
            name: "group_by column missing from the roster",
            setup: Setup::Config(&[("group_by = \"department\"", "group_by = \"dept\"")]),
            args: VALIDATE,
            code: 1,
            says: &[
                "roster.csv",
                "missing the column `dept` that `rollout.group_by` names",
                "columns = { dept = \"department\" }",
                "help: or set `rollout.group_by` to a column the roster has",
            ],
        },
        Case {
            name: "undecidable day order",
            setup: Setup::Custom(|dir| {
                std::fs::write(
                    dir.join("enrollments.csv"),
                    "Device name,Enrollment date,Primary user UPN\nLT-1,3/4/2026 10:00,f1@example.com\n",
                )
                .unwrap();
                edit_config(dir, "path = \"enrollments.csv\"", "path = \"enrollments.csv\"\nformat = \"intune\"");
            }),
            args: VALIDATE,
            code: 2,
            says: &["`sources.enrollments.date_order`", "enrollments.csv", "3/4/2026", "set date_order = \"dmy\""],
        },
        Case {
            name: "as-of before every wave",
            setup: Setup::None,
            args: &["run", "--config", "{config}", "--as-of", "2025-11-20", "--out", "{out}"],
            code: 2,
            says: &["`--as-of`: 2025-11-20 is before every wave: the first, `W1`, starts 2026-10-19", "help: pass a day on or after 2026-10-19"],
        },
        config(
            "configured as-of before every wave",
            &[("as_of = \"2026-11-20\"", "as_of = \"2025-11-20\"")],
            &["`rollout.as_of`: 2025-11-20 is before every wave"],
        ),
        Case {
            name: "as-of decades after the waves",
            setup: Setup::None,
            args: &["run", "--config", "{config}", "--as-of", "2206-11-20", "--out", "{out}"],
            code: 2,
            says: &["`--as-of`: 2206-11-20 is more than 20 years after the last wave starts", "help: pass a day on or before 2046-11-09"],
        },
        config(
            "wave decades before the as-of day",
            &[("start = \"2026-10-19\"", "start = \"1926-10-19\"")],
            &["`waves[0].start`", "`W1` starts 1926-10-19, more than 20 years before the as-of day 2026-11-20"],
        ),
        Case {
            name: "no as-of day",
            setup: Setup::Custom(|dir| {
                edit_config(dir, "as_of = \"2026-11-20\"\n", "");
                for f in ["enrollments.csv", "email.csv", "training.csv", "tickets.csv"] {
                    let path = dir.join(f);
                    let text = std::fs::read_to_string(&path).unwrap();
                    let header = text.lines().next().unwrap().to_string();
                    std::fs::write(&path, format!("{header}\n")).unwrap();
                }
            }),
            args: RUN,
            code: 2,
            says: &["`rollout.as_of`", "no source holds an event", "pass --as-of YYYY-MM-DD"],
        },
        // ---- inputs (exit 1): each names the file
        Case {
            name: "missing input file",
            setup: Setup::File("email.csv", b""),
            args: RUN,
            code: 1,
            says: &["email.csv: no such file or folder (the `email` source)", "[sources.email] path"],
        },
        Case {
            name: "empty input folder",
            setup: Setup::Custom(|dir| {
                std::fs::remove_file(dir.join("email.csv")).unwrap();
                std::fs::create_dir(dir.join("email.csv")).unwrap();
                std::fs::write(dir.join("email.csv/.hidden"), "x").unwrap();
            }),
            args: RUN,
            code: 1,
            says: &["email.csv: the folder holds no file (the `email` source)"],
        },
        Case {
            name: "missing column",
            setup: Setup::Custom(|dir| {
                let path = dir.join("enrollments.csv");
                let text = std::fs::read_to_string(&path).unwrap();
                std::fs::write(&path, text.replacen("enrolled_at", "EnrolledDateTime", 1)).unwrap();
            }),
            args: VALIDATE,
            code: 1,
            says: &[
                "enrollments.csv: missing required column `enrolled_at`",
                "found: user_id, device_id, EnrolledDateTime",
                "help: a header with a similar name exists: `EnrolledDateTime`",
                "columns = { enrolled_at = \"EnrolledDateTime\" }",
            ],
        },
        Case {
            name: "missing mapped column",
            setup: Setup::Config(&[("path = \"enrollments.csv\"", "path = \"enrollments.csv\"\ncolumns = { enrolled_at = \"Enrolled\" }")]),
            args: VALIDATE,
            code: 1,
            says: &["enrollments.csv: missing required column `enrolled_at` (mapped to the header `Enrolled`)", "found: user_id, device_id, enrolled_at"],
        },
        Case {
            name: "not a text file",
            setup: Setup::File("email.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"),
            args: VALIDATE,
            code: 1,
            says: &["email.csv: does not look like a CSV text file", "[sources.email] path"],
        },
        Case {
            name: "not a delimited file",
            setup: Setup::File("roster.csv", b"root:x:0:0:root:/root:/bin/bash\nbin:x:1:1::/:\n"),
            args: VALIDATE,
            code: 1,
            says: &[
                "roster.csv: does not look like a CSV export: its first line has no comma, tab or semicolon",
                "[sources.roster] path",
            ],
        },
        Case {
            name: "export of another source",
            setup: Setup::Custom(|dir| {
                let export = crate::util::fixture("exports/intune/resaved.csv");
                std::fs::copy(export, dir.join("tickets.csv")).unwrap();
                edit_config(dir, "path = \"tickets.csv\"", "path = \"tickets.csv\"\nformat = \"auto\"");
            }),
            args: VALIDATE,
            code: 1,
            says: &["tickets.csv: this looks like a", "which is enrollments data, not tickets"],
        },
        Case {
            name: "broken JSON export",
            setup: Setup::Custom(|dir| {
                std::fs::write(dir.join("email.csv"), "[{\"email\": \"f1@example.com\", \"event\": \"open\",\n").unwrap();
                edit_config(dir, "path = \"email.csv\"", "path = \"email.csv\"\nformat = \"sendgrid\"");
            }),
            args: VALIDATE,
            code: 1,
            says: &["email.csv: the JSON array is not valid near line 1"],
        },
        Case {
            name: "unreadable input",
            setup: Setup::Custom(|dir| {
                let path = dir.join("training.csv");
                std::fs::remove_file(&path).unwrap();
                // A symlink to itself: no user can read it.
                #[cfg(unix)]
                std::os::unix::fs::symlink("training.csv", &path).unwrap();
            }),
            args: VALIDATE,
            code: 1,
            says: &["training.csv", "symbolic links"],
        },
        // The cases below need more than a changed file: see their own tests.
        Case {
            // messy.rs: a_fifo_as_a_source_path_is_an_error_that_names_it
            name: "not a regular file",
            setup: Setup::None,
            args: &[],
            code: 1,
            says: &[],
        },
        Case {
            name: "permission denied on an input",
            setup: Setup::None,
            args: &[],
            code: 1,
            says: &[],
        },
        Case {
            name: "read-only report folder",
            setup: Setup::None,
            args: &[],
            code: 1,
            says: &[],
        },
        Case {
            name: "disk full",
            setup: Setup::None,
            args: &[],
            code: 1,
            says: &[],
        },
        Case {
            name: "foreign latest",
            setup: Setup::Custom(|dir| {
                std::fs::create_dir_all(dir.join("out/latest")).unwrap();
                std::fs::write(dir.join("out/latest/notes.txt"), "mine").unwrap();
            }),
            args: RUN,
            code: 1,
            says: &[
                "out/latest: is a folder, not the link to the latest report uptake writes",
                "uptake never replaces or deletes what it did not write",
                "help: move it away, or pass another folder with --out",
            ],
        },
        Case {
            name: "foreign day folder",
            setup: Setup::Custom(|dir| {
                std::fs::create_dir_all(dir.join("out/2026-11-20")).unwrap();
                std::fs::write(dir.join("out/2026-11-20/budget.xlsx"), "mine").unwrap();
            }),
            args: RUN,
            code: 1,
            says: &[
                "out/2026-11-20: is a folder with no uptake manifest.json, so not a report uptake wrote",
                "help: move it away, or pass another folder with --out",
            ],
        },
        Case {
            name: "report folder is a file",
            setup: Setup::Custom(|dir| std::fs::write(dir.join("out"), "not a folder").unwrap()),
            args: RUN,
            code: 1,
            says: &["cannot write the report into", "out: it is a file, not a folder", "pass another folder with --out"],
        },
    ]
}

/// Replaces the hand-worked fixture in `dir` with the two-workload one.
fn to_workloads(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workloads");
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
}

fn edit_config(dir: &Path, from: &str, to: &str) {
    let cfg = dir.join("uptake.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(text.contains(from), "the fixture's config lacks {from:?}");
    std::fs::write(&cfg, text.replacen(from, to, 1)).unwrap();
}

fn fill(args: &[&str], dir: &Path) -> Vec<String> {
    let config = dir.join("uptake.toml").display().to_string();
    let out = dir.join("out").display().to_string();
    let folder = dir.display().to_string();
    args.iter()
        .map(|a| {
            a.replace("{config}", &config)
                .replace("{out}", &out)
                .replace("{dir}", &folder)
        })
        .collect()
}

#[test]
fn every_error_names_the_thing_to_fix_and_exits_with_its_code() {
    for case in cases() {
        if case.args.is_empty() {
            continue; // held by its own test below
        }
        let dir = copy_fixture("handworked");
        let out_existed = dir.path().join("out").exists();
        match case.setup {
            Setup::None => {}
            Setup::Config(edits) => {
                for (from, to) in edits {
                    edit_config(dir.path(), from, to);
                }
            }
            Setup::File(name, []) => {
                std::fs::remove_file(dir.path().join(name)).unwrap();
            }
            Setup::File(name, bytes) => std::fs::write(dir.path().join(name), bytes).unwrap(),
            Setup::Custom(f) => f(dir.path()),
            Setup::Workloads(edits) => {
                to_workloads(dir.path());
                for (from, to) in edits {
                    edit_config(dir.path(), from, to);
                }
            }
        }
        let assert = uptake().args(fill(case.args, dir.path())).assert();
        let output = assert.get_output().clone();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(case.code),
            "{}: exit code\n{stderr}",
            case.name
        );
        for says in case.says {
            assert!(
                stderr.contains(says),
                "{}: stderr does not say {says:?}:\n{stderr}",
                case.name
            );
        }
        // Nothing is written by a run that fails before its report.
        if !out_existed && case.code == 2 {
            assert!(
                !dir.path().join("out").exists(),
                "{}: wrote output",
                case.name
            );
        }
    }
}

#[test]
fn docs_errors_lists_every_case_and_nothing_else() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/errors.md"))
        .unwrap();
    let listed: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" | ").next())
        .filter(|name| !name.starts_with("error") && !name.starts_with("---"))
        .collect();
    let names: Vec<&str> = cases().iter().map(|c| c.name).collect();
    for name in &names {
        assert!(
            listed.contains(name),
            "docs/errors.md does not list `{name}`"
        );
    }
    for name in &listed {
        assert!(
            names.contains(name),
            "docs/errors.md lists `{name}`, which has no case"
        );
    }
}

/// The hard-linked (or copied) binary and a fixture, in a folder any user can read,
/// for running as an unprivileged user.
fn world_readable_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = copy_fixture("handworked");
    let exe = dir.path().join("uptake");
    if std::fs::hard_link(bin(), &exe).is_err() {
        std::fs::copy(bin(), &exe).unwrap();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    (dir, exe)
}

#[test]
fn permission_denied_on_an_input_names_the_file_and_exits_1() {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let (dir, exe) = world_readable_copy();
        let email = dir.path().join("email.csv");
        std::fs::set_permissions(&email, std::fs::Permissions::from_mode(0o000)).unwrap();
        let config = dir.path().join("uptake.toml");
        let mut cmd = if is_root() {
            // Root reads any file: run as nobody, for whom the mode counts.
            if std::process::Command::new("setpriv")
                .arg("--help")
                .output()
                .is_err()
            {
                eprintln!(
                    "note: running as root without setpriv: permission denied cannot be provoked"
                );
                return;
            }
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(&exe);
            c
        } else {
            std::process::Command::new(&exe)
        };
        let output = cmd
            .arg("validate")
            .arg("--config")
            .arg(&config)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(&email.display().to_string()), "{stderr}");
        assert!(stderr.contains("Permission denied"), "{stderr}");
    }
}

#[test]
fn a_read_only_report_folder_names_it_and_exits_1() {
    let dir = copy_fixture("handworked");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let Some(_guard) = Immutable::new(&out) else {
        eprintln!("note: no way to make a read-only folder here (chattr +i or chmod)");
        return;
    };
    uptake()
        .args(fill(RUN, dir.path()))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "cannot write the report into {}",
            out.display()
        )))
        .stderr(predicate::str::contains(format!(
            "help: make {} writable, or pass another folder with --out",
            out.display()
        )));
}

#[test]
fn a_full_disk_names_the_report_folder_and_exits_1() {
    let dir = copy_fixture("handworked");
    let out = dir.path().join("out");
    let script = r#"trap '' XFSZ; exec prlimit --fsize=4096 -- "${@:1}""#;
    let mut cmd = std::process::Command::new("bash");
    cmd.args(["-c", script, "bash"])
        .arg(bin())
        .args(fill(RUN, dir.path()));
    let output = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot write the report into {}", out.display())),
        "{stderr}"
    );
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(stderr.contains("help: free space on the disk"), "{stderr}");
    // The true "No space left on device" is provoked on a tmpfs in faults.rs.
}

#[test]
fn mapped_columns_are_honoured() {
    let dir = copy_fixture("handworked");
    let path = dir.path().join("enrollments.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("enrolled_at", "EnrolledDateTime", 1)).unwrap();
    edit_config(
        dir.path(),
        "path = \"enrollments.csv\"",
        "path = \"enrollments.csv\"\ncolumns = { enrolled_at = \"EnrolledDateTime\" }",
    );
    uptake().args(fill(VALIDATE, dir.path())).assert().success();
}

#[test]
fn an_empty_or_header_only_file_is_not_an_error_but_is_noted() {
    let dir = copy_fixture("handworked");
    std::fs::write(dir.path().join("training.csv"), b"").unwrap();
    std::fs::write(
        dir.path().join("tickets.csv"),
        b"ticket_id,user_id,opened_at\n",
    )
    .unwrap();
    uptake()
        .args(fill(VALIDATE, dir.path()))
        .assert()
        .success()
        .stdout(predicate::str::contains("training.csv has no data rows"))
        .stdout(predicate::str::contains("tickets.csv has no data rows"));
}
