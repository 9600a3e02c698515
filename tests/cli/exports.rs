//! Real tool exports (tests/fixtures/exports/<tool>/, written by hand after each
//! tool's layout and quirks) read with only `format` set: the canonical rows each
//! adapter hands to `quality`, line by line, with every row accounted for.

use std::collections::BTreeMap;
use std::path::PathBuf;

use uptake::config::{DateOrder, Format, RosterColumns, SourceConfig, Tool};
use uptake::ingest::{read_source, wanted_columns, Row};
use uptake::schema::Source;

use crate::util::{fixture, uptake};

/// Reads a fixture as `format` and renders each row as `line: col=value | ...` (empty
/// cells left out) or `line: QUARANTINE reason`.
fn read_as(
    source: Source,
    format: &str,
    rel: &str,
    tweak: impl FnOnce(&mut SourceConfig),
) -> Vec<String> {
    let mut cfg = SourceConfig {
        path: fixture("exports").join(rel),
        format: match format {
            "auto" => Format::Auto,
            f => Format::Tool(Tool::from_name(f).expect("a tool name")),
        },
        columns: BTreeMap::new(),
        date_format: None,
        date_order: None,
        campaign_from: None,
        snapshots: false,
        workload: None,
        products: BTreeMap::new(),
        key: String::new(),
        config_file: PathBuf::from("uptake.toml"),
    };
    tweak(&mut cfg);
    let group_by = "department";
    let (wanted, _) = wanted_columns(source, &RosterColumns::grouped_by(group_by));
    let mut out = Vec::new();
    let describe = |row: Row<'_>| match row {
        Row::Cells(c) => {
            let cells: Vec<String> = wanted
                .iter()
                .enumerate()
                .filter(|(i, _)| !c.get(*i).is_empty())
                .map(|(i, name)| format!("{name}={}", c.get(i)))
                .collect();
            format!("{}: {}", c.line, cells.join(" | "))
        }
        Row::Malformed { line, reason, .. } => format!("{line}: QUARANTINE {reason}"),
    };
    let files = read_source(
        source,
        &cfg,
        &RosterColumns::grouped_by(group_by),
        describe,
        |_, row| out.push(row),
    )
    .unwrap_or_else(|e| panic!("{rel}: {e}"));
    // Every row the file counts is handed on once.
    assert_eq!(
        files.iter().map(|f| f.rows).sum::<u64>() as usize,
        out.len(),
        "{rel}"
    );
    out
}

fn read(source: Source, format: &str, rel: &str) -> Vec<String> {
    read_as(source, format, rel, |_| {})
}

#[test]
fn intune_reads_utc_inventory_and_counts_shared_devices() {
    // BOM, every field quoted, CRLF, UTC with seven-digit fractions (a `Z` is added);
    // `Last check-in` is the device's last check-in, in UTC too.
    assert_eq!(
        read(Source::Enrollments, "intune", "intune/DevicesWithInventory_2024-01-20.csv"),
        [
            "2: user_id=ann.lee@contoso.com | enrolled_at=2024-01-15 09:23:11.0000000Z | device_id=1f0e7c2a-0001 | os=Windows | compliant=Compliant | last_check_in=2024-01-19 08:00:02.0000000Z",
            "3: QUARANTINE the device has no primary user (a shared or kiosk device): no person to count it for",
            // No UPN: the primary user's email address stands in.
            "4: user_id=bob.ray@contoso.com | enrolled_at=2024-01-17 23:30:00.0000000Z | device_id=1f0e7c2a-0003 | os=iOS/iPadOS | compliant=InGracePeriod | last_check_in=2024-01-19 08:00:02.0000000Z",
            "5: user_id=Eve.Stone@contoso.com | enrolled_at=2024-01-18 07:05:09.0000000Z | device_id=1f0e7c2a-0004 | os=macOS | compliant=Noncompliant | last_check_in=2024-01-19 08:00:02.0000000Z",
        ]
    );
    // Re-saved by a spreadsheet: `Azure AD Device ID`, `11/20/2023` decides month-first.
    assert_eq!(
        read(Source::Enrollments, "intune", "intune/resaved.csv"),
        [
            "2: user_id=ann.lee@contoso.com | enrolled_at=2023-11-03T16:12:31Z | device_id=9a1b-0001 | os=Windows | compliant=Compliant",
            "3: user_id=bob.ray@contoso.com | enrolled_at=2023-11-20T09:05:00Z | device_id=9a1b-0005 | os=Windows | compliant=Noncompliant",
        ]
    );
}

#[test]
fn intune_all_inventory_columns_take_the_upn_not_the_user_guid() {
    // Every column of a real "Include all inventory data" export, in its order (as
    // a public demo copies them): `UserId` (a GUID) comes before `Primary user UPN`
    // and loosely matches `user_id`; the UPN must win.
    assert_eq!(
        read(
            Source::Enrollments,
            "intune",
            "intune/DevicesWithInventory_all-columns.csv"
        ),
        [
            "2: user_id=ana.lima@contoso.com.br | enrolled_at=2024-01-15 09:23:11.0000000Z | device_id=5b1c0a7e-0001 | os=Windows | compliant=Compliant | last_check_in=2024-01-20 08:00:00.0000000Z",
            "3: QUARANTINE the device has no primary user (a shared or kiosk device): no person to count it for",
            "4: user_id=bruno.costa@contoso.com.br | enrolled_at=2024-01-17 23:30:00.0000000Z | device_id=5b1c0a7e-0003 | os=iOS/iPadOS | compliant=InGracePeriod",
        ]
    );
}

#[test]
fn entra_and_admin_center_exports_read_as_the_roster() {
    assert_eq!(
        read(Source::Roster, "entra", "entra/exportUsers_2024-1-20.csv"),
        [
            "2: user_id=ann.lee@contoso.com | department=Finance | display_name=Ann Lee | mail=ann.lee@contoso.com | location=Paris",
            // `=HR` is never passed on as a formula.
            "3: user_id=bob.ray@contoso.com | department=HR | display_name=Ray, Bob | mail=bob.ray@contoso.com | location=Lyon",
            "4: user_id=eve.stone@contoso.com | department=Finance | display_name=Eve Stone | mail=estone@contoso.fr | location=Paris",
            "5: QUARANTINE a guest account (userType Guest, #EXT#): not one of the organisation's people",
        ]
    );
    assert_eq!(
        read(Source::Roster, "entra", "entra/m365_users.csv"),
        [
            "2: user_id=ann.lee@contoso.com | department=Finance | display_name=Ann Lee | location=Paris HQ",
            "3: user_id=bob.ray@contoso.com | department=HR | display_name=Ray, Bob | location=Lyon",
        ]
    );
}

#[test]
fn teams_2020_actions_pair_into_intervals() {
    // UTF-16LE with BOM, tabs; `11/14/2020` decides month-first.
    assert_eq!(
        read(Source::Training, "teams", "teams/gen1"),
        [
            "2: user_id=Ann Lee | session=meetingAttendanceList | joined_at=2020-11-04T09:50:12 | left_at=2020-11-04T10:20:12",
            // `Lee, Ann` is Ann Lee: her `Left` repeats the interval (a duplicate).
            "3: user_id=Lee, Ann | session=meetingAttendanceList | joined_at=2020-11-04T09:50:12 | left_at=2020-11-04T10:20:12",
            "4: user_id=Bob Ray | session=meetingAttendanceList | joined_at=2020-11-04T09:45:00 | left_at=2020-11-04T11:00:00",
            "5: user_id=Ann Lee | session=meetingAttendanceList | joined_at=2020-11-04T10:30:00 | left_at=2020-11-04T10:45:00",
            "6: user_id=Ann Lee | session=meetingAttendanceList | joined_at=2020-11-04T10:30:00 | left_at=2020-11-04T10:45:00",
            "7: QUARANTINE `Left` with no `Joined` before it for this person",
            "8: user_id=Bob Ray | session=meetingAttendanceList | joined_at=2020-11-04T09:45:00 | left_at=2020-11-04T11:00:00",
            // Still present at download: until the file's last timestamp.
            "9: user_id=Zed Unknown | session=meetingAttendanceList | joined_at=2020-11-14T09:00:00 | left_at=2020-11-14T09:00:00",
        ]
    );
}

#[test]
fn teams_2021_summary_block_and_2022_sections() {
    // Day-first two-digit years (`15/11/22`); the UPN, not the email, is the person.
    assert_eq!(
        read(Source::Training, "teams", "teams/gen2"),
        [
            "8: user_id=ann.lee@contoso.com | session=Intune onboarding session 1 | joined_at=2022-11-15T09:30:17 | left_at=2022-11-15T10:28:01",
            "9: user_id=eve.stone@contoso.com | session=Intune onboarding session 1 | joined_at=2022-11-15T09:31:00 | left_at=2022-11-15T10:01:00",
        ]
    );
    // UTF-16LE without BOM; the in-meeting activities (one row per join) are read,
    // their people found in the participants section.
    assert_eq!(
        read(Source::Training, "teams", "teams/gen3"),
        [
            "16: user_id=bob.ray@contoso.com | session=Intune Q&A | joined_at=2023-07-20T16:00:10 | left_at=2023-07-20T16:20:10",
            "17: user_id=bob.ray@contoso.com | session=Intune Q&A | joined_at=2023-07-20T16:39:00 | left_at=2023-07-20T16:59:00",
            "18: user_id=ann.lee@contoso.com | session=Intune Q&A | joined_at=2023-07-20T16:30:36 | left_at=2023-07-20T17:00:00",
        ]
    );
}

#[test]
fn zoom_meeting_block_then_participants() {
    assert_eq!(
        read(Source::Training, "zoom", "zoom"),
        [
            "5: user_id=ann.lee@contoso.com | session=Intune for managers | joined_at=2022-03-08T09:49:29 | left_at=2022-03-08T10:49:29",
            // A guest with no email is named by name.
            "6: user_id=Bob Ray (Bob's iPhone) | session=Intune for managers | joined_at=2022-03-08T09:50:00 | left_at=2022-03-08T10:20:00",
            "7: user_id=eve.stone@contoso.com | session=Intune for managers | joined_at=2022-03-08T10:00:00 | left_at=2022-03-08T10:05:00",
        ]
    );
    // `date_order` overrides Zoom's month-first.
    let dmy = read_as(Source::Training, "zoom", "zoom", |c| {
        c.date_order = Some(DateOrder::Dmy)
    });
    assert!(dmy[0].contains("joined_at=2022-08-03T09:49:29"), "{dmy:?}");
}

#[test]
fn servicenow_keeps_update_order_and_reads_blanks() {
    // Quoted fields, `?`/`null`, an embedded newline, `29-02-2016` day-first; the
    // audit rows of INC0010001 come in sys_mod_count order (1, then 3).
    assert_eq!(
        read(Source::Tickets, "servicenow", "servicenow"),
        [
            "5: ticket_id=INC0010001 | user_id=Ann Lee | opened_at=2016-02-29T01:16:00 | category=Software | status=In Progress",
            "2: ticket_id=INC0010001 | user_id=Ann Lee | opened_at=2016-02-29T01:16:00 | resolved_at=2016-02-29T03:16:00 | category=Software | status=Resolved",
            "4: ticket_id=INC0010002 | user_id=Ray, Bob (bray) | opened_at=2016-03-01T09:00:00 | category=Hardware | status=New",
            // No resolved_at: closed_at stands in.
            "6: ticket_id=INC0010003 | user_id=eve.stone@contoso.com | opened_at=2016-03-13T10:00:00 | resolved_at=2016-03-13T12:00:00 | status=Closed",
        ]
    );
}

#[test]
fn zendesk_and_jira_tickets() {
    assert_eq!(
        read(Source::Tickets, "zendesk", "zendesk"),
        [
            "2: ticket_id=101 | user_id=ann.lee@contoso.com | opened_at=2024-01-16 08:30:00 +0100 | resolved_at=2024-01-16 10:00:00 +0100 | category=incident | status=solved",
            "3: ticket_id=102 | user_id=bob.ray@contoso.com | opened_at=2024-01-17 09:00:00 +0100 | category=question | status=open",
        ]
    );
    // BOM, repeated `Labels`, `09/Oct/25 1:42 PM`.
    assert_eq!(
        read(Source::Tickets, "jira", "jira"),
        [
            "2: ticket_id=HELP-42 | user_id=Ann Lee | opened_at=2025-10-09T13:42:00 | resolved_at=2025-10-10T09:00:00 | category=Get IT help | status=Resolved",
            "3: ticket_id=HELP-43 | user_id=Ray, Bob | opened_at=2025-10-11T00:05:00 | category=Report an incident | status=Waiting for support",
        ]
    );
}

#[test]
fn sendgrid_arrays_and_ndjson_map_onto_five_events() {
    // 1700000000 s = 2023-11-14T22:13:20Z; lines are where each object starts.
    assert_eq!(
        read(Source::Email, "sendgrid", "sendgrid/events.json"),
        [
            "2: user_id=ann.lee@contoso.com | campaign=w1-kickoff | event=sent | timestamp=2023-11-14T22:13:20.000Z",
            "3: user_id=ann.lee@contoso.com | campaign=w1-kickoff | event=delivered | timestamp=2023-11-14T22:14:20.000Z",
            "4: user_id=ann.lee@contoso.com | campaign=w1-kickoff | event=open | timestamp=2023-11-14T23:13:20.000Z | machine_open=true",
            "13: user_id=bob.ray@contoso.com | campaign=w1-kickoff | event=click | timestamp=2023-11-15T00:13:20.000Z",
            "14: QUARANTINE SendGrid event `deferred` is not one uptake measures (processed, delivered, open, click, bounce, dropped)",
            "15: user_id=zed@contoso.com | campaign=w1-kickoff | event=bounce | timestamp=2023-11-14T22:15:00.000Z",
        ]
    );
    assert_eq!(
        read(Source::Email, "sendgrid", "sendgrid/events.ndjson"),
        [
            "1: user_id=ann.lee@contoso.com | campaign=w1-reminder | event=sent | timestamp=2023-11-16T02:00:00.000Z",
            "2: user_id=ann.lee@contoso.com | campaign=w1-reminder | event=open | timestamp=2023-11-16T03:00:00.000Z",
            "3: QUARANTINE not a JSON object: EOF while parsing an object at line 1 column 145",
            "4: QUARANTINE SendGrid event `unsubscribe` is not one uptake measures (processed, delivered, open, click, bounce, dropped)",
        ]
    );
    let by_category = read_as(Source::Email, "sendgrid", "sendgrid/events.ndjson", |c| {
        c.campaign_from = Some("category".to_string())
    });
    assert!(
        by_category[0].contains("campaign=rollout"),
        "{by_category:?}"
    );
}

#[test]
fn mailchimp_email_activity_gives_a_sent_per_recipient() {
    assert_eq!(
        read(Source::Email, "mailchimp", "mailchimp"),
        [
            "8: user_id=ann.lee@contoso.com | campaign=42694e9e57 | event=sent | timestamp=2023-11-14T22:13:20+00:00",
            "8: user_id=ann.lee@contoso.com | campaign=42694e9e57 | event=open | timestamp=2023-11-14T22:13:20+00:00",
            "8: user_id=ann.lee@contoso.com | campaign=42694e9e57 | event=click | timestamp=2023-11-14T22:14:00+00:00",
            // No activity: still a recipient.
            "18: user_id=bob.ray@contoso.com | campaign=42694e9e57 | event=sent | timestamp=2023-11-14T22:13:20+00:00",
        ]
    );
}

#[test]
fn auto_recognises_every_fixture() {
    for (source, rel, tool) in [
        (Source::Enrollments, "intune/resaved.csv", "intune"),
        (Source::Roster, "entra/m365_users.csv", "entra"),
        (Source::Training, "teams/gen1", "teams"),
        (Source::Training, "teams/gen3", "teams"),
        (Source::Training, "zoom", "zoom"),
        (Source::Tickets, "servicenow", "servicenow"),
        (Source::Tickets, "zendesk", "zendesk"),
        (Source::Tickets, "jira", "jira"),
        (Source::Email, "sendgrid/events.ndjson", "sendgrid"),
        (Source::Email, "mailchimp", "mailchimp"),
        (Source::Training, "teams/gen1-pt", "teams"),
        (Source::Training, "teams/gen2-fr", "teams"),
        (Source::Training, "teams/gen3-pt", "teams"),
        (Source::Training, "teams/gen2-resaved", "teams"),
        (Source::Training, "teams/gen3-pl", "teams"),
        (Source::Training, "teams/gen3-pl-resaved", "teams"),
        (Source::Training, "teams/structure-ja", "teams"),
        (Source::Tickets, "jira-es", "jira"),
        (Source::Tickets, "servicenow-de", "servicenow"),
        (Source::Tickets, "zendesk-fr", "zendesk"),
        (Source::Training, "zoom-layouts", "zoom"),
        (
            Source::Email,
            "mailchimp-csv/lists/2024-01-15 Kickoff",
            "mailchimp",
        ),
        (
            Source::Enrollments,
            "intune/DevicesWithInventory_all-columns.csv",
            "intune",
        ),
    ] {
        assert_eq!(read(source, "auto", rel), read(source, tool, rel), "{rel}");
    }
}

#[test]
fn a_whole_rollout_of_exports_reads_with_only_format_auto() {
    let ex = fixture("exports");
    let config = format!(
        r#"
[rollout]
name = "Exports"
as_of = "2025-12-01"
timezone = "Europe/Paris"
group_by = "department"
[thresholds]
min_group_size = 1
[sources.roster]
path = "{roster}"
format = "auto"
[sources.enrollments]
path = "{intune}"
format = "auto"
[sources.training]
path = "{teams}"
format = "auto"
[sources.tickets]
path = "{jira}"
format = "auto"
[[waves]]
name = "W1"
start = "2022-11-01"
groups = ["Finance", "HR"]
enrollment_target = [[14, 1.0]]
"#,
        // The wave starts within two years of the Teams report (November 2020):
        // an event more than two years before the first wave is a mistyped year.
        roster = ex.join("entra/exportUsers_2024-1-20.csv").display(),
        intune = ex
            .join("intune/DevicesWithInventory_2024-01-20.csv")
            .display(),
        teams = ex.join("teams/gen1").display(),
        jira = ex.join("jira").display(),
    );
    let stdout = validate(&config);
    for said in [
        "roster: format auto: read as a Microsoft Entra / Microsoft 365 user export (entra)",
        "enrollments: format auto: read as a Microsoft Intune device export (intune)",
        "training: format auto: read as a Microsoft Teams attendance report export (teams)",
        "tickets: format auto: read as a Jira issue export (jira)",
        "1 devices have no primary user",
        "1 guest accounts quarantined",
        // 4 devices: the shared one quarantined; Eve's UPN matches in any case.
        "enrollments 4 rows read = 3 accepted + 1 quarantined; 0 unmatched ids; 0 duplicates removed; 0 matched by name",
        // 8 action rows: Eve's lone `Left` quarantined; 3 `Left` rows repeat their
        // interval; Ann (x2 intervals) and Bob matched by name, Zed unmatched.
        "training 8 rows read = 7 accepted + 1 quarantined; 1 unmatched ids; 3 duplicates removed; 3 matched by name",
        // Jira names its reporters: `Ann Lee` and `Ray, Bob`.
        "tickets 2 rows read = 2 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 2 matched by name",
    ] {
        assert!(stdout.contains(said), "missing {said:?} in:\n{stdout}");
    }
}

#[test]
fn canonical_files_read_in_utf16_without_a_bom() {
    let dir = tempfile::tempdir().unwrap();
    let text = "user_id\tenrolled_at\r\nann.lee@contoso.com\t2024-01-15T09:00:00Z\r\n";
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let path = dir.path().join("enrollments.csv");
    std::fs::write(&path, bytes).unwrap();
    let rows = read_as(Source::Enrollments, "auto", "", |c| {
        c.path = path.clone();
        c.format = Format::Canonical;
    });
    assert_eq!(
        rows,
        ["2: user_id=ann.lee@contoso.com | enrolled_at=2024-01-15T09:00:00Z"]
    );
}

#[test]
fn an_undecidable_file_names_the_file_and_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("incident.csv");
    std::fs::write(
        &path,
        "number,opened_at,caller_id\nINC1,3/4/2025 10:00,Ann Lee\nINC2,5/6/2025 11:00,Ann Lee\n",
    )
    .unwrap();
    let cfg = SourceConfig {
        path: path.clone(),
        format: Format::Tool(Tool::ServiceNow),
        columns: BTreeMap::new(),
        date_format: None,
        date_order: None,
        campaign_from: None,
        snapshots: false,
        workload: None,
        products: BTreeMap::new(),
        key: String::new(),
        config_file: PathBuf::from("uptake.toml"),
    };
    let e = read_source(
        Source::Tickets,
        &cfg,
        &RosterColumns::grouped_by("department"),
        |_| (),
        |_, ()| {},
    )
    .unwrap_err();
    let text = e.to_string();
    assert!(
        text.starts_with("uptake.toml: `sources.tickets.date_order`: "),
        "{text}"
    );
    assert!(text.contains("incident.csv"), "{text}");
    assert_eq!(e.exit_code(), 2);
    // With the setting, it reads.
    let cfg = SourceConfig {
        date_order: Some(DateOrder::Dmy),
        ..cfg
    };
    let mut n = 0;
    read_source(
        Source::Tickets,
        &cfg,
        &RosterColumns::grouped_by("department"),
        |_| (),
        |_, ()| n += 1,
    )
    .unwrap();
    assert_eq!(n, 2);
}

#[test]
fn a_missing_column_in_an_export_names_file_headers_and_closest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.csv");
    std::fs::write(&path, "Id,Requester email,Created\n1,a@x.com,2024-01-01\n").unwrap();
    let cfg = SourceConfig {
        path,
        format: Format::Tool(Tool::Zendesk),
        columns: BTreeMap::from([("opened_at".to_string(), "Created on".to_string())]),
        date_format: None,
        date_order: None,
        campaign_from: None,
        snapshots: false,
        workload: None,
        products: BTreeMap::new(),
        key: String::new(),
        config_file: PathBuf::from("uptake.toml"),
    };
    let text = read_source(
        Source::Tickets,
        &cfg,
        &RosterColumns::grouped_by("department"),
        |_| (),
        |_, ()| {},
    )
    .unwrap_err()
    .to_string();
    assert!(
        text.contains(
            "tickets.csv: missing required column `opened_at` (mapped to the header `Created on`)"
        ),
        "{text}"
    );
    assert!(
        text.contains("found: Id, Requester email, Created"),
        "{text}"
    );
    assert!(text.contains("`Created`"), "{text}");
}

/// Runs `uptake validate` on `config` (written to a temp folder) and returns its
/// output, asserting success.
fn validate(config: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("uptake.toml"), config).unwrap();
    let out = uptake()
        .arg("validate")
        .arg("--config")
        .arg(dir.path().join("uptake.toml"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Runs `uptake validate` with the people of `exports/roster/people.csv` and one
/// source read with only `format` set; returns the source's data-quality line.
fn validate_against_roster(source: &str, format: &str, rel: &str) -> String {
    validate_against(&fixture("exports/roster/people.csv"), source, format, rel)
}

/// `validate_against_roster` with the people of `roster`.
fn validate_against(roster: &std::path::Path, source: &str, format: &str, rel: &str) -> String {
    let ex = fixture("exports");
    let config = format!(
        r#"
[rollout]
name = "Exports"
as_of = "2026-12-01"
timezone = "Europe/Paris"
group_by = "department"
[thresholds]
min_group_size = 1
[sources.roster]
path = "{roster}"
[sources.{source}]
path = "{path}"
format = "{format}"
[[waves]]
name = "W1"
start = "2020-01-01"
groups = ["Finance", "HR"]
enrollment_target = [[14, 1.0]]
"#,
        roster = roster.display(),
        path = ex.join(rel).display(),
    );
    let stdout = validate(&config);
    stdout
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{source} ")) && l.contains("rows read"))
        .unwrap_or_else(|| panic!("{rel}: no {source} line in:\n{stdout}"))
        .trim()
        .to_string()
}

#[test]
fn teams_real_layouts_in_other_languages_and_locales() {
    // Portuguese 2020 list (after RenatoJardimParducci/ExemploGit3SIB2021
    // meetingAttendanceList.csv): every date is 09/03/2021, which no value decides;
    // the Portuguese labels mean a day-first locale.
    assert_eq!(
        read(Source::Training, "teams", "teams/gen1-pt"),
        [
            "2: user_id=Ana Lima | session=meetingAttendanceList | joined_at=2021-03-09T07:59:50 | left_at=2021-03-09T09:27:46",
            "3: user_id=Bruno Costa | session=meetingAttendanceList | joined_at=2021-03-09T08:00:07 | left_at=2021-03-09T08:29:25",
            "4: user_id=Bruno Costa | session=meetingAttendanceList | joined_at=2021-03-09T08:00:07 | left_at=2021-03-09T08:29:25",
            // Still present at download: until the file's last timestamp.
            "5: user_id=Carla Dias | session=meetingAttendanceList | joined_at=2021-03-09T08:12:39 | left_at=2021-03-09T09:27:46",
            "6: user_id=Ana Lima | session=meetingAttendanceList | joined_at=2021-03-09T07:59:50 | left_at=2021-03-09T09:27:46",
        ]
    );
    // English labels, 24-hour clock (after dominikhoebert/Teams-Attendance-Klassenbuch-
    // Writer): day-first. `Joined before` then `Joined` with no `Left` between (after
    // smarjapure/webscrapping_project): the first interval ends at the second join.
    assert_eq!(
        read(Source::Training, "teams", "teams/gen1-24h"),
        [
            "2: user_id=Mustermann Max | session=meetingAttendanceList | joined_at=2020-12-11T12:27:24 | left_at=2020-12-11T12:45:18",
            "3: user_id=Mustermann Max | session=meetingAttendanceList | joined_at=2020-12-11T12:27:24 | left_at=2020-12-11T12:45:18",
            "4: user_id=Musterfrau Erika | session=meetingAttendanceList | joined_at=2020-12-11T12:20:00 | left_at=2020-12-11T12:36:16",
            "5: user_id=Musterfrau Erika | session=meetingAttendanceList | joined_at=2020-12-11T12:36:16 | left_at=2020-12-11T13:56:48",
            "6: user_id=Mustermann Max | session=meetingAttendanceList | joined_at=2020-12-11T13:45:41 | left_at=2020-12-11T13:56:48",
            "7: user_id=Musterfrau Erika | session=meetingAttendanceList | joined_at=2020-12-11T12:36:16 | left_at=2020-12-11T13:56:48",
        ]
    );
    // French 2021 report (after Necrelox/Auto_Presence meetingAttendanceReport.csv):
    // title `null` (the file name stands in), `13/04/2021 à 09:01:31`, no UPN.
    assert_eq!(
        read(Source::Training, "teams", "teams/gen2-fr"),
        [
            "8: user_id=zoe.martin@contoso.fr | session=meetingAttendanceReport | joined_at=2021-04-13T09:01:31 | left_at=2021-04-13T11:45:31",
            "9: user_id=hugo.petit@contoso.fr | session=meetingAttendanceReport | joined_at=2021-04-13T09:01:39 | left_at=2021-04-13T11:27:03",
            "10: user_id=hugo.petit@contoso.fr | session=meetingAttendanceReport | joined_at=2021-04-13T11:30:00 | left_at=2021-04-13T11:45:55",
        ]
    );
    // Re-saved with semicolons and `Nama` (after hamonangann/presence-script): the
    // UPN, not the email, is the person.
    assert_eq!(
        read(Source::Training, "teams", "teams/gen2-resaved"),
        [
            "2: user_id=sari.dewi@contoso.co.id | session=meetingAttendanceReport | joined_at=2022-04-13T07:56:32 | left_at=2022-04-13T09:38:51",
            "3: user_id=budi.santoso@contoso.co.id | session=meetingAttendanceReport | joined_at=2022-04-13T08:09:06 | left_at=2022-04-13T08:21:07",
            "4: user_id=budi.santoso@contoso.co.id | session=meetingAttendanceReport | joined_at=2022-04-13T08:42:26 | left_at=2022-04-13T09:38:51",
        ]
    );
    // Portuguese 2022+ sections; a guest with no email is named by name.
    assert_eq!(
        read(Source::Training, "teams", "teams/gen3-pt"),
        [
            "10: user_id=davi.rocha@contoso.com.br | session=Alinhamento Semanal | joined_at=2026-02-07T10:00:00 | left_at=2026-02-07T11:00:00",
            "11: user_id=Elisa Melo (External) | session=Alinhamento Semanal | joined_at=2026-02-07T10:10:00 | left_at=2026-02-07T10:55:00",
        ]
    );
    // Every roster person is matched: `Mustermann Max` is Max Mustermann, `Elisa
    // Melo (External)` is Elisa Melo.
    for (dir, line) in [
        ("gen1-pt", "training 5 rows read = 5 accepted + 0 quarantined; 0 unmatched ids; 2 duplicates removed; 3 matched by name"),
        ("gen1-24h", "training 6 rows read = 6 accepted + 0 quarantined; 0 unmatched ids; 2 duplicates removed; 4 matched by name"),
        ("gen2-fr", "training 3 rows read = 3 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 0 matched by name"),
        ("gen2-resaved", "training 3 rows read = 3 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 0 matched by name"),
        ("gen3-pt", "training 2 rows read = 2 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 1 matched by name"),
    ] {
        assert_eq!(
            validate_against_roster("training", "teams", &format!("teams/{dir}")),
            line,
            "{dir}"
        );
    }
}

#[test]
fn teams_honours_configured_person_and_session_columns() {
    let rows = read_as(Source::Training, "teams", "teams/gen2-resaved", |c| {
        c.columns = BTreeMap::from([
            ("user_id".to_string(), "Email".to_string()),
            ("session".to_string(), "Role".to_string()),
        ]);
    });
    assert_eq!(
        rows[1],
        "3: user_id=budi@contoso.co.id | session=Presenter | joined_at=2022-04-13T08:09:06 | left_at=2022-04-13T08:21:07"
    );
    // A mapped header the file lacks is an error naming it.
    let cfg = SourceConfig {
        path: fixture("exports").join("teams/gen2-resaved"),
        format: Format::Tool(Tool::Teams),
        columns: BTreeMap::from([("user_id".to_string(), "Courriel".to_string())]),
        date_format: None,
        date_order: None,
        campaign_from: None,
        snapshots: false,
        workload: None,
        products: BTreeMap::new(),
        key: String::new(),
        config_file: PathBuf::from("uptake.toml"),
    };
    let e = read_source(
        Source::Training,
        &cfg,
        &RosterColumns::grouped_by("department"),
        |_| (),
        |_, ()| {},
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("`Courriel`"), "{e}");
}

#[test]
fn zoom_real_layouts() {
    // The meeting block ends in a trailing comma; `Recording Consent`; a guest
    // renamed `iPhone (Bruno Costa)` (layouts documented in public READMEs and
    // parsers' fixtures, see docs/exports.md).
    assert_eq!(
        read(Source::Training, "zoom", "zoom-layouts/participants_85512345678.csv"),
        [
            "5: user_id=ana.lima@contoso.com.br | session=Intune drop-in | joined_at=2026-10-05T17:55:00 | left_at=2026-10-05T19:00:00",
            "6: user_id=iPhone (Bruno Costa) | session=Intune drop-in | joined_at=2026-10-05T18:20:00 | left_at=2026-10-05T19:00:00",
            "7: user_id=Carla Dias | session=Intune drop-in | joined_at=2026-10-05T18:01:00 | left_at=2026-10-05T18:35:00",
        ]
    );
    // The 2023+ portal: `Topic,ID,Host,...`, lower-case headers, `Email`.
    assert_eq!(
        read(Source::Training, "zoom", "zoom-layouts/participants_new_portal.csv"),
        [
            "5: user_id=max.mustermann@contoso.de | session=Intune Q&A | joined_at=2026-09-03T08:30:00 | left_at=2026-09-03T09:30:00",
            "6: user_id=erika.musterfrau@contoso.de | session=Intune Q&A | joined_at=2026-09-03T08:35:00 | left_at=2026-09-03T09:46:00",
        ]
    );
    // "Show unique users": from the meeting's start for the total duration.
    assert_eq!(
        read(Source::Training, "zoom", "zoom-layouts/participants_unique.csv"),
        [
            "5: user_id=zoe.martin@contoso.fr | session=Intune for managers | joined_at=2022-03-08T09:49:29 | left_at=2022-03-08T10:47:29",
            "6: user_id=Hugo Petit (Hugo's iPad) | session=Intune for managers | joined_at=2022-03-08T09:49:29 | left_at=2022-03-08T10:01:29",
        ]
    );
    // A webinar's sections; a registrant who did not come is quarantined.
    assert_eq!(
        read(Source::Training, "zoom", "zoom-layouts/webinar_attendee_84759841045.csv"),
        [
            "7: user_id=sari.dewi@contoso.co.id | session=Intune launch webinar | joined_at=2025-03-22T19:13:27 | left_at=2025-03-22T23:55:19",
            "10: user_id=budi@contoso.co.id | session=Intune launch webinar | joined_at=2025-03-22T19:28:32 | left_at=2025-03-22T20:52:29",
            "11: QUARANTINE registered but did not attend (Attended = No)",
        ]
    );
    // The usage report of many meetings: each row's topic, the participant's email
    // (the second `User Email`); `15/08/2022` decides day-first.
    assert_eq!(
        read(Source::Training, "zoom", "zoom-layouts/usage_report.csv"),
        [
            "2: user_id=davi.rocha@contoso.com.br | session=Intune 1:1 Davi | joined_at=2023-06-01T09:00:00 | left_at=2023-06-01T09:21:00",
            "3: user_id=elisa.melo@contoso.com.br | session=Intune 1:1 Elisa | joined_at=2023-06-02T10:00:00 | left_at=2023-06-02T10:30:00",
        ]
    );
    // 12 rows: the absent registrant quarantined; every roster person matched
    // (Bruno by the name in parentheses, Carla and Hugo by name, Budi by mail).
    assert_eq!(
        validate_against_roster("training", "zoom", "zoom-layouts"),
        "training 12 rows read = 11 accepted + 1 quarantined; 0 unmatched ids; 0 duplicates removed; 3 matched by name"
    );
}

#[test]
fn mailchimp_campaign_report_csvs() {
    // Activity member lists (Reports > View report > Activity > Opened ... > Export),
    // one folder per campaign: the event from each file's name, the time from the
    // folder's date (the lists carry none), the audience's merge-field columns
    // (`MEMBER_RATING`, `OPTIN_TIME`, `LEID`, `EUID`, ...) ignored.
    assert_eq!(
        read(Source::Email, "mailchimp", "mailchimp-csv/lists/2024-01-15 Kickoff"),
        [
            "2: user_id=ana.lima@contoso.com.br | campaign=2024-01-15 Kickoff | event=click | timestamp=2024-01-15T00:00:00",
            "2: user_id=ana.lima@contoso.com.br | campaign=2024-01-15 Kickoff | event=open | timestamp=2024-01-15T00:00:00",
            "3: user_id=budi@contoso.co.id | campaign=2024-01-15 Kickoff | event=open | timestamp=2024-01-15T00:00:00",
            "2: user_id=ana.lima@contoso.com.br | campaign=2024-01-15 Kickoff | event=sent | timestamp=2024-01-15T00:00:00",
            "3: user_id=budi@contoso.co.id | campaign=2024-01-15 Kickoff | event=sent | timestamp=2024-01-15T00:00:00",
            "4: user_id=Carla.Dias@contoso.com.br | campaign=2024-01-15 Kickoff | event=sent | timestamp=2024-01-15T00:00:00",
            "2: QUARANTINE Mailchimp activity `unsubscribed` is not one uptake measures (sent, open, click, bounce)",
        ]
    );
    // The campaign report export: `Title:` is the campaign, `Delivery Date/Time:`
    // (`Mon Jan 22, 2024 09:00 am`) the time; per-person counts give the events.
    assert_eq!(
        read(Source::Email, "mailchimp", "mailchimp-csv/report"),
        [
            "12: user_id=davi@contoso.com.br | campaign=Intune enrolment reminder | event=sent | timestamp=2024-01-22T09:00:00",
            "12: user_id=davi@contoso.com.br | campaign=Intune enrolment reminder | event=open | timestamp=2024-01-22T09:00:00",
            "12: user_id=davi@contoso.com.br | campaign=Intune enrolment reminder | event=click | timestamp=2024-01-22T09:00:00",
            "13: user_id=elisa.melo@contoso.com.br | campaign=Intune enrolment reminder | event=sent | timestamp=2024-01-22T09:00:00",
            "14: user_id=zoe.martin@contoso.fr | campaign=Intune enrolment reminder | event=sent | timestamp=2024-01-22T09:00:00",
            "14: user_id=zoe.martin@contoso.fr | campaign=Intune enrolment reminder | event=open | timestamp=2024-01-22T09:00:00",
        ]
    );
    // Budi and Davi are matched through the roster's `mail`.
    assert_eq!(
        validate_against_roster("email", "mailchimp", "mailchimp-csv/lists/2024-01-15 Kickoff"),
        "email 7 rows read = 6 accepted + 1 quarantined; 0 unmatched ids; 0 duplicates removed; 0 matched by name"
    );
    assert_eq!(
        validate_against_roster("email", "auto", "mailchimp-csv/report"),
        "email 6 rows read = 6 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 0 matched by name"
    );
}

/// A SendGrid export of 60,000 events (9 MB) took minutes: the line of every event
/// was counted from the start of the file. Each event is still at its own line.
// See: issue 8 (found while auditing the readers).
#[test]
fn a_large_sendgrid_export_reads_each_event_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut json = String::from("[\n");
    for i in 0..60_000 {
        json.push_str(&format!(
            "  {{\n    \"email\": \"u{}@example.com\",\n    \"event\": \"open\",\n    \"timestamp\": {},\n    \"category\": \"c\"\n  }},\n",
            i % 50,
            1_790_000_000 + i
        ));
    }
    json.push_str(
        "  {\"email\": \"last@example.com\", \"event\": \"open\", \"timestamp\": 1790000000}\n]\n",
    );
    let path = dir.path().join("events.json");
    std::fs::write(&path, json).unwrap();
    let cfg = SourceConfig {
        path,
        format: Format::Tool(Tool::SendGrid),
        columns: BTreeMap::new(),
        date_format: None,
        date_order: None,
        campaign_from: None,
        snapshots: false,
        workload: None,
        products: BTreeMap::new(),
        key: String::new(),
        config_file: PathBuf::from("uptake.toml"),
    };
    let mut lines = Vec::new();
    let line_of = |row: Row<'_>| match row {
        Row::Cells(c) => Some(c.line),
        Row::Malformed { .. } => None,
    };
    read_source(
        Source::Email,
        &cfg,
        &RosterColumns::grouped_by("group"),
        line_of,
        |_, line| lines.extend(line),
    )
    .unwrap();
    assert_eq!(lines.len(), 60_001);
    assert_eq!((lines[0], lines[1], lines[60_000]), (2, 8, 360_002));
}

/// The config of a source read from `path` as `format`, nothing else set.
fn config_for(path: PathBuf, format: Format) -> SourceConfig {
    SourceConfig {
        path,
        format,
        columns: BTreeMap::new(),
        date_format: None,
        date_order: None,
        campaign_from: None,
        snapshots: false,
        workload: None,
        products: BTreeMap::new(),
        key: String::new(),
        config_file: PathBuf::from("uptake.toml"),
    }
}

/// The `columns` map of the TOML line a missing-column error's help ends with.
fn columns_of_help(error: &str) -> BTreeMap<String, String> {
    let line = error.lines().last().unwrap().trim();
    let written: toml::Table = toml::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    written["columns"]
        .as_table()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

/// Reads a fixture as `format` and returns its rows and the notes of its files.
fn read_with_notes(source: Source, format: &str, rel: &str) -> (Vec<String>, Vec<String>) {
    let rows = read(source, format, rel);
    let cfg = config_for(
        fixture("exports").join(rel),
        Format::Tool(Tool::from_name(format).expect("a tool name")),
    );
    let files = read_source(
        source,
        &cfg,
        &RosterColumns::grouped_by("department"),
        |_| (),
        |_, ()| {},
    )
    .unwrap();
    (rows, files.into_iter().flat_map(|f| f.notes).collect())
}

// See: issue 15. Teams reports in languages whose labels are known in part or not at
// all, written by hand (invented people) after the layouts of the English 2021–22
// and 2022+ exports (tests/fixtures/exports/teams/gen2, gen3) and the labels
// docs/exports.md sources; labels a fixture's comment calls "the test's own" are no
// real translation: the reader reads none of them.
#[test]
fn teams_reports_in_other_languages_read_by_labels_or_structure() {
    // Polish 2022+, UTF-16LE, tabs (labels of issue 15's report): US dates
    // `3/10/25, 8:00:48 AM` (every value has a capital AM/PM and none decides, so
    // month-first: March 10, though the labels are Polish). The activities' labels
    // (`Dołączenie`, `Opuszczenie`) are the test's own: the structure reads them, and
    // Piotr's UPN comes from the participants by his name.
    let (rows, notes) = read_with_notes(Source::Training, "teams", "teams/gen3-pl");
    assert_eq!(
        rows,
        [
            "17: user_id=anna.nowak@contoso.pl | session=Wdrożenie Intune – szkolenie | joined_at=2025-03-10T08:00:48 | left_at=2025-03-10T09:30:00",
            "18: user_id=piotr.wisniewski@contoso.pl | session=Wdrożenie Intune – szkolenie | joined_at=2025-03-10T08:05:00 | left_at=2025-03-10T08:30:00",
            "19: user_id=piotr.wisniewski@contoso.pl | session=Wdrożenie Intune – szkolenie | joined_at=2025-03-10T08:50:00 | left_at=2025-03-10T09:10:00",
            // A guest with no address: named by name (`(Gość)` is ignored in matching).
            "20: user_id=Łukasz Żak (Gość) | session=Wdrożenie Intune – szkolenie | joined_at=2025-03-10T08:10:00 | left_at=2025-03-10T08:40:00",
        ]
    );
    assert_eq!(
        notes,
        [
            "read as UTF-16LE",
            "Wdrożenie Intune - Raport obecności 3-10-25.csv: read by its structure (its labels are not known): join `Dołączenie`, leave `Opuszczenie`, person `Adres e-mail`",
        ]
    );
    // The same participants re-saved by a spreadsheet: Windows-1250, semicolons, no
    // summary, two empty padding columns, the spreadsheet's dotted dates (day-first).
    let (rows, notes) = read_with_notes(Source::Training, "teams", "teams/gen3-pl-resaved");
    assert_eq!(
        rows,
        [
            "2: user_id=anna.nowak@contoso.pl | session=raport | joined_at=2025-03-10T08:00:00 | left_at=2025-03-10T09:30:00",
            "3: user_id=piotr.wisniewski@contoso.pl | session=raport | joined_at=2025-03-10T08:05:00 | left_at=2025-03-10T09:10:00",
            "4: user_id=Łukasz Żak (Gość) | session=raport | joined_at=2025-03-10T08:10:00 | left_at=2025-03-10T08:40:00",
        ]
    );
    assert_eq!(
        notes,
        ["raport.csv: not UTF-8 nor UTF-16: decoded as windows-1250, the code page its bytes read as text in"]
    );
    // German 2022+ (every label known): read by labels, no structure note; Erika's
    // activity row has her email, her UPN comes from the participants.
    let (rows, notes) = read_with_notes(Source::Training, "teams", "teams/gen3-de");
    assert_eq!(
        rows,
        [
            "14: user_id=max.mustermann@contoso.de | session=Intune Einführung | joined_at=2026-10-06T18:01:00 | left_at=2026-10-06T18:30:00",
            "15: user_id=max.mustermann@contoso.de | session=Intune Einführung | joined_at=2026-10-06T18:32:00 | left_at=2026-10-06T19:00:00",
            "16: user_id=erika.musterfrau@contoso.de | session=Intune Einführung | joined_at=2026-10-06T18:05:00 | left_at=2026-10-06T18:50:00",
        ]
    );
    assert_eq!(notes, ["read as UTF-16LE"]);
    // Spanish 2022+: two labels known (`Primera entrada`, `Id. de participante
    // (UPN)`), the rest the test's own; a 24-hour clock and `10/3/2025` everywhere:
    // day-first, March 10.
    let (rows, notes) = read_with_notes(Source::Training, "teams", "teams/gen3-es");
    assert_eq!(
        rows,
        [
            "9: user_id=lucia.fernandez@contoso.es | session=Formación Intune | joined_at=2025-03-10T08:00:48 | left_at=2025-03-10T09:00:00",
            "10: user_id=javier.gomez@contoso.es | session=Formación Intune | joined_at=2025-03-10T08:15:00 | left_at=2025-03-10T08:45:00",
        ]
    );
    assert!(notes[1].contains("read by its structure"), "{notes:?}");
    // No label known (the test's own Japanese labels), UTF-16BE without BOM,
    // year-first dates: the title is the summary's first text value.
    let (rows, notes) = read_with_notes(Source::Training, "teams", "teams/structure-ja");
    assert_eq!(
        rows,
        [
            "9: user_id=hanako.sato@contoso.jp | session=Intune 説明会 | joined_at=2025-03-10T08:00:48 | left_at=2025-03-10T09:00:00",
            "10: user_id=ichiro.suzuki@contoso.jp | session=Intune 説明会 | joined_at=2025-03-10T08:10:00 | left_at=2025-03-10T08:40:00",
        ]
    );
    assert_eq!(
        notes,
        [
            "read as UTF-16BE",
            "report.csv: read by its structure (its labels are not known): join `最初の参加`, leave `最後の退出`, person `参加者 ID (UPN)`",
        ]
    );
    // The 2021–22 layout (summary block, no numbered sections, no UPN) with labels
    // the test's own: the summary's `3` participants is no title.
    let (rows, _) = read_with_notes(Source::Training, "teams", "teams/gen2-it");
    assert_eq!(
        rows,
        [
            "8: user_id=giulia.russo@contoso.it | session=Formazione Intune Milano | joined_at=2025-03-10T08:00:48 | left_at=2025-03-10T09:00:00",
            "9: user_id=marco.bianchi@contoso.it | session=Formazione Intune Milano | joined_at=2025-03-10T08:05:00 | left_at=2025-03-10T08:35:00",
            "10: user_id=marco.bianchi@contoso.it | session=Formazione Intune Milano | joined_at=2025-03-10T08:40:00 | left_at=2025-03-10T09:00:00",
        ]
    );
    // A 2020 list with labels and action words the test's own (none is known): one
    // timestamp column, names, a column of three words; `Verlassen` comes after a
    // person's first row more often than as it, so it ends intervals.
    let (rows, notes) = read_with_notes(Source::Training, "teams", "teams/gen1-structure");
    assert_eq!(
        rows,
        [
            "2: user_id=Max Mustermann | session=meetingAttendanceList | joined_at=2020-11-04T09:50:12 | left_at=2020-11-04T10:20:12",
            "3: user_id=Musterfrau, Erika | session=meetingAttendanceList | joined_at=2020-11-04T09:45:00 | left_at=2020-11-04T11:00:00",
            "4: user_id=Max Mustermann | session=meetingAttendanceList | joined_at=2020-11-04T09:50:12 | left_at=2020-11-04T10:20:12",
            "5: user_id=Max Mustermann | session=meetingAttendanceList | joined_at=2020-11-04T10:30:00 | left_at=2020-11-04T10:45:00",
            "6: user_id=Erika Musterfrau | session=meetingAttendanceList | joined_at=2020-11-04T09:45:00 | left_at=2020-11-04T11:00:00",
            "7: user_id=Max Mustermann | session=meetingAttendanceList | joined_at=2020-11-04T10:30:00 | left_at=2020-11-04T10:45:00",
        ]
    );
    assert_eq!(
        notes,
        [
            "read as UTF-16LE",
            "meetingAttendanceList.csv: read by its structure (its labels are not known): a list of actions, time `Zeitstempel`, action `Benutzeraktion` (ending an interval: `verlassen`), person `Vollständiger Name`",
        ]
    );
    // With only `format` set every row is accepted and every person matched.
    for (dir, line) in [
        ("gen1-structure", "training 6 rows read = 6 accepted + 0 quarantined; 0 unmatched ids; 3 duplicates removed; 3 matched by name"),
        ("gen3-pl", "training 4 rows read = 4 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 1 matched by name"),
        ("gen3-pl-resaved", "training 3 rows read = 3 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 1 matched by name"),
        ("gen3-de", "training 3 rows read = 3 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 0 matched by name"),
        ("gen3-es", "training 2 rows read = 2 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 0 matched by name"),
        ("structure-ja", "training 2 rows read = 2 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 0 matched by name"),
        ("gen2-it", "training 3 rows read = 3 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 0 matched by name"),
    ] {
        assert_eq!(
            validate_against_roster("training", "teams", &format!("teams/{dir}")),
            line,
            "{dir}"
        );
        assert_eq!(
            read(Source::Training, "auto", &format!("teams/{dir}")),
            read(Source::Training, "teams", &format!("teams/{dir}")),
            "{dir}"
        );
    }
}

/// The report of issue 15, with `date_order` set against its values' clock: the
/// setting stands only where the values do not decide, and a day over 12 decides.
#[test]
fn teams_dates_follow_values_then_date_order_never_labels() {
    let dir = tempfile::tempdir().unwrap();
    let report = "1. Podsumowanie\r\n\r\n2. Uczestnicy\r\nImię i nazwisko\tPierwsze dołączenie\tOstatnie wyjście\tAdres e-mail\r\nAnna Nowak\t3/10/25, 8:00\t3/10/25, 9:00\tanna.nowak@contoso.pl\r\n";
    let path = dir.path().join("r.csv");
    std::fs::write(&path, report).unwrap();
    let rows = |order: Option<DateOrder>| {
        read_as(Source::Training, "teams", "", |c| {
            c.path = path.clone();
            c.date_order = order;
        })
    };
    // A 24-hour clock, undecided: day-first (no en-US clock), `date_order` overrides.
    assert!(
        rows(None)[0].contains("joined_at=2025-10-03T08:00:00"),
        "{:?}",
        rows(None)
    );
    assert!(rows(Some(DateOrder::Mdy))[0].contains("joined_at=2025-03-10T08:00:00"));
    // A value over 12 decides whatever the setting.
    std::fs::write(&path, report.replace("3/10/25, 9:00", "3/13/25, 9:00")).unwrap();
    assert!(rows(Some(DateOrder::Dmy))[0].contains("left_at=2025-03-13T09:00:00"));
}

// See: issue 15. The help of a report nothing in uptake can read names the exact
// `columns` line, and that line makes it read (sectioned reports too).
#[test]
fn columns_always_read_a_sectioned_report_and_the_help_says_how() {
    let dir = tempfile::tempdir().unwrap();
    // Dates in a shape no reader knows (`10 III 2025 8.00`): neither labels nor
    // structure find a table; the help gives the columns by the Teams order.
    let report = "1. Podsumowanie\r\nTytuł spotkania\tSzkolenie\r\n\r\n2. Uczestnicy\r\nImię i nazwisko\tPierwsze dołączenie\tOstatnie wyjście\tCzas udziału w spotkaniu\tAdres e-mail\tIdentyfikator uczestnika (UPN)\r\nAnna Nowak\t10 III 2025 8.00\t10 III 2025 9.00\t1h\tanna@contoso.pl\tanna.nowak@contoso.pl\r\n\r\n3. Działania podczas spotkania\r\n";
    // Known labels now: take them out to play a language no label is known of.
    let report = report
        .replace("Imię i nazwisko", "Uczestnik")
        .replace("Pierwsze dołączenie", "Wejście")
        .replace("Ostatnie wyjście", "Wyjście")
        .replace("Identyfikator uczestnika (UPN)", "Identyfikator (UPN)");
    let path = dir.path().join("r.csv");
    std::fs::write(&path, &report).unwrap();
    let mut cfg = config_for(path.clone(), Format::Tool(Tool::Teams));
    let e = read_source(
        Source::Training,
        &cfg,
        &RosterColumns::grouped_by("department"),
        |_| (),
        |_, ()| {},
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("missing required column `joined_at`"), "{e}");
    assert!(
        e.contains("found: Uczestnik, Wejście, Wyjście, Czas udziału w spotkaniu, Adres e-mail, Identyfikator (UPN)"),
        "{e}"
    );
    let line = e.lines().last().unwrap().trim();
    assert_eq!(
        line,
        r#"columns = { joined_at = "Wejście", left_at = "Wyjście", user_id = "Identyfikator (UPN)" }"#
    );
    // Write what the help says: the file reads (its dates are `quality`'s to judge).
    cfg.columns = columns_of_help(&e);
    let mut out = Vec::new();
    read_source(
        Source::Training,
        &cfg,
        &RosterColumns::grouped_by("department"),
        |row| match row {
            Row::Cells(c) => format!("{}: {} {} {}", c.line, c.get(0), c.get(2), c.get(3)),
            Row::Malformed { reason, .. } => reason,
        },
        |_, r| out.push(r),
    )
    .unwrap();
    assert_eq!(
        out,
        ["6: anna.nowak@contoso.pl 10 III 2025 8.00 10 III 2025 9.00"]
    );
    // The issue's case: the labels unknown, the dates readable, `columns` set by hand
    // to the report's headers: it reads with them (it read by structure already).
    std::fs::write(
        &path,
        report
            .replace("10 III 2025 8.00", "10.03.2025 08:00")
            .replace("10 III 2025 9.00", "10.03.2025 09:00"),
    )
    .unwrap();
    cfg.columns = BTreeMap::from([
        ("user_id".to_string(), "Adres e-mail".to_string()),
        ("joined_at".to_string(), "Wejście".to_string()),
        ("left_at".to_string(), "Wyjście".to_string()),
    ]);
    let rows = read_as(Source::Training, "teams", "", |c| *c = cfg.clone());
    assert_eq!(
        rows,
        ["6: user_id=anna@contoso.pl | session=Szkolenie | joined_at=2025-03-10T08:00:00 | left_at=2025-03-10T09:00:00"]
    );
}

// See: issue 15. Jira, ServiceNow and Zendesk exports in Spanish, German and French,
// written by hand (invented people) after the English fixtures' layouts with the
// headers docs/exports.md lists; month abbreviations of each language.
#[test]
fn ticket_exports_in_spanish_german_and_french() {
    assert_eq!(
        read(Source::Tickets, "jira", "jira-es"),
        [
            "2: ticket_id=AYUDA-7 | user_id=Lucía Fernández | opened_at=2026-07-18T09:10:00 | resolved_at=2026-07-19T10:00:00 | category=Solicitud de servicio | status=Resuelta",
            "3: ticket_id=AYUDA-8 | user_id=Gómez, Javier | opened_at=2026-08-20T16:05:00 | category=Incidente | status=En curso",
        ]
    );
    assert_eq!(
        read(Source::Tickets, "jira", "jira-de"),
        [
            "2: ticket_id=HILFE-3 | user_id=Max Mustermann | opened_at=2026-12-18T09:10:00 | resolved_at=2026-12-19T10:00:00 | category=Serviceanfrage | status=Erledigt",
            "3: ticket_id=HILFE-4 | user_id=Musterfrau, Erika | opened_at=2026-03-02T17:00:00 | category=Vorfall | status=In Arbeit",
        ]
    );
    assert_eq!(
        read(Source::Tickets, "jira", "jira-fr"),
        [
            "2: ticket_id=AIDE-5 | user_id=Zoé Martin | opened_at=2026-02-18T09:10:00 | resolved_at=2026-02-19T10:00:00 | category=Demande de service | status=Résolu",
            "3: ticket_id=AIDE-6 | user_id=Hugo Petit | opened_at=2026-07-02T17:00:00 | category=Incident | status=En cours",
        ]
    );
    assert_eq!(
        read(Source::Tickets, "servicenow", "servicenow-de"),
        [
            "2: ticket_id=INC0020001 | user_id=Max Mustermann | opened_at=2026-03-13T09:15:00 | resolved_at=2026-03-13T11:00:00 | category=Software | status=Gelöst",
            "3: ticket_id=INC0020002 | user_id=erika.musterfrau@contoso.de | opened_at=2026-03-14T10:00:00 | category=Hardware | status=Neu",
        ]
    );
    assert_eq!(
        read(Source::Tickets, "zendesk", "zendesk-fr"),
        [
            "2: ticket_id=301 | user_id=zoe.martin@contoso.fr | opened_at=2026-02-18 09:10:00 +0100 | resolved_at=2026-02-18 11:00:00 +0100 | category=incident | status=résolu",
            "3: ticket_id=302 | user_id=hugo.petit@contoso.fr | opened_at=2026-02-19 10:00:00 +0100 | category=question | status=ouvert",
        ]
    );
    for (rel, tool, line) in [
        ("jira-es", "jira", "tickets 2 rows read = 2 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 2 matched by name"),
        ("jira-de", "jira", "tickets 2 rows read = 2 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 2 matched by name"),
        ("jira-fr", "jira", "tickets 2 rows read = 2 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 2 matched by name"),
        ("servicenow-de", "servicenow", "tickets 2 rows read = 2 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 1 matched by name"),
        ("zendesk-fr", "zendesk", "tickets 2 rows read = 2 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 0 matched by name"),
    ] {
        assert_eq!(validate_against_roster("tickets", tool, rel), line, "{rel}");
        assert_eq!(read(Source::Tickets, "auto", rel), read(Source::Tickets, tool, rel), "{rel}");
    }
}

/// A ticket export whose headers no language here knows: the help's `columns`
/// line, told from the values (ids, dates), makes it read.
#[test]
fn an_unknown_ticket_export_gets_the_columns_line_that_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zgłoszenia.csv");
    std::fs::write(
        &path,
        "Podsumowanie,Klucz zgłoszenia,Zgłaszający,Utworzono\nTelefon,POMOC-1,anna.nowak@contoso.pl,18/lip/26 9:10\n",
    )
    .unwrap();
    let mut cfg = config_for(path, Format::Tool(Tool::Jira));
    let e = read_source(
        Source::Tickets,
        &cfg,
        &RosterColumns::grouped_by("department"),
        |_| (),
        |_, ()| {},
    )
    .unwrap_err()
    .to_string();
    let line = e.lines().last().unwrap().trim();
    assert_eq!(
        line,
        r#"columns = { ticket_id = "Klucz zgłoszenia", user_id = "Zgłaszający", opened_at = "Utworzono" }"#,
        "{e}"
    );
    cfg.columns = columns_of_help(&e);
    let mut n = 0;
    read_source(
        Source::Tickets,
        &cfg,
        &RosterColumns::grouped_by("department"),
        |_| (),
        |_, ()| n += 1,
    )
    .unwrap();
    assert_eq!(n, 1);
}

// See: issue 15. Canonical files re-saved in a legacy code page read as text, the
// code page named in the notes.
#[test]
fn canonical_files_in_legacy_code_pages_read_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    for (encoding, text) in [
        (
            encoding_rs::WINDOWS_1251,
            "user_id,department\r\nivan@contoso.bg,Счетоводство\r\npetar@contoso.bg,Човешки ресурси\r\n",
        ),
        (
            encoding_rs::WINDOWS_1250,
            "user_id;department\r\nanna.nowak@contoso.pl;Księgowość i płace\r\nlukasz.zak@contoso.pl;Kadry i szkolenia\r\n",
        ),
        (
            encoding_rs::WINDOWS_1252,
            "user_id,department\r\nzoe@contoso.fr,Comptabilité générale\r\nhugo@contoso.fr,Ressources humaines\r\n",
        ),
    ] {
        let path = dir.path().join(format!("{}.csv", encoding.name()));
        std::fs::write(&path, encoding.encode(text).0).unwrap();
        let cfg = config_for(path.clone(), Format::Canonical);
        let rows = read_as(Source::Roster, "auto", "", |c| *c = cfg.clone());
        let want: Vec<String> = text
            .lines()
            .skip(1)
            .enumerate()
            .map(|(i, l)| {
                let (u, d) = l.split_once([',', ';']).unwrap();
                format!("{}: user_id={u} | department={d}", i + 2)
            })
            .collect();
        assert_eq!(rows, want, "{}", encoding.name());
        let files = read_source(Source::Roster, &cfg, &RosterColumns::grouped_by("department"), |_| (), |_, ()| {}).unwrap();
        assert_eq!(
            files[0].notes,
            [format!(
                "{}.csv: not UTF-8 nor UTF-16: decoded as {}, the code page its bytes read as text in",
                encoding.name(),
                encoding.name()
            )]
        );
    }
}

// See: issue 15, the held-out check. Real exports the readers had not seen, each read
// with only `format` set and checked against a roster naming its people
// (exports/roster/heldout.csv); docs/exports.md, "Where these layouts were checked",
// names each one's public source. People and values are invented; layouts, labels,
// separators, encodings and date shapes are the sources'.
#[test]
fn held_out_real_exports_read_with_only_format() {
    // Polish 2021–22 report (the layout public Polish attendance scripts read:
    // summary on lines 1-7, start on line 4, header on line 8, `dd.mm.yyyy, hh:mm:ss`,
    // durations `1 godz. 31 min 35 sek.`), UTF-16LE, tabs. Read by structure when
    // first checked, by its labels since they were added. 09.03.2021 has no field
    // over 12, but a dotted date is day-first: 9 March, not 3 September.
    let (rows, notes) = read_with_notes(Source::Training, "teams", "teams/gen2-pl");
    assert_eq!(
        rows,
        [
            "9: user_id=katarzyna.wojcik@szkola.edu.pl | session=Wdrożenie Intune – lekcja 3 | joined_at=2021-03-09T08:00:05 | left_at=2021-03-09T09:31:40",
            "10: user_id=jan.kowalski@szkola.edu.pl | session=Wdrożenie Intune – lekcja 3 | joined_at=2021-03-09T08:01:12 | left_at=2021-03-09T08:45:00",
            "11: user_id=jan.kowalski@szkola.edu.pl | session=Wdrożenie Intune – lekcja 3 | joined_at=2021-03-09T08:50:30 | left_at=2021-03-09T09:30:00",
            "12: user_id=malgorzata.dabrowska@szkola.edu.pl | session=Wdrożenie Intune – lekcja 3 | joined_at=2021-03-09T08:02:44 | left_at=2021-03-09T09:31:02",
            // A guest with no address: named by name, matched on the roster by it.
            "13: user_id=Zbigniew Szymański (Gość) | session=Wdrożenie Intune – lekcja 3 | joined_at=2021-03-09T08:10:00 | left_at=2021-03-09T08:40:00",
        ]
    );
    assert_eq!(notes, ["read as UTF-16LE"]);
    // Polish 2020 list (`Imię i nazwisko`, action, `Znacznik czasu`), UTF-16LE, tabs,
    // LF. 7 action rows = 4 intervals: Jan twice (08:01:12-08:45:00,
    // 08:50:30-09:30:00), Małgorzata once, Katarzyna (the organiser, never leaves)
    // until the file's last time, 09:31:02; each interval's second row is a duplicate.
    let (rows, notes) = read_with_notes(Source::Training, "teams", "teams/gen1-pl");
    assert_eq!(
        rows,
        [
            "2: user_id=Katarzyna Wójcik | session=meetingAttendanceList | joined_at=2021-03-09T08:00:05 | left_at=2021-03-09T09:31:02",
            "3: user_id=Jan Kowalski | session=meetingAttendanceList | joined_at=2021-03-09T08:01:12 | left_at=2021-03-09T08:45:00",
            "4: user_id=Małgorzata Dąbrowska | session=meetingAttendanceList | joined_at=2021-03-09T08:02:44 | left_at=2021-03-09T09:31:02",
            "5: user_id=Jan Kowalski | session=meetingAttendanceList | joined_at=2021-03-09T08:01:12 | left_at=2021-03-09T08:45:00",
            "6: user_id=Jan Kowalski | session=meetingAttendanceList | joined_at=2021-03-09T08:50:30 | left_at=2021-03-09T09:30:00",
            "7: user_id=Małgorzata Dąbrowska | session=meetingAttendanceList | joined_at=2021-03-09T08:02:44 | left_at=2021-03-09T09:31:02",
            "8: user_id=Jan Kowalski | session=meetingAttendanceList | joined_at=2021-03-09T08:50:30 | left_at=2021-03-09T09:30:00",
        ]
    );
    assert_eq!(
        notes,
        [
            "read as UTF-16LE",
            "meetingAttendanceList.csv: read by its structure (its labels are not known): a list of actions, time `Znacznik czasu`, action `Działanie użytkownika` (ending an interval: `opuścił`), person `Imię i nazwisko`",
        ]
    );
    // Spanish Jira Cloud ("CSV: todos los campos", Chile): `Informador` is the
    // person, never `ID del informador` (an account id); `06/abr/26 00:09` is 6
    // April, `21/sept/26 8:05` 21 September; no `Resuelta` column: nothing resolved.
    assert_eq!(
        read(Source::Tickets, "jira", "jira-es-cl"),
        [
            "2: ticket_id=MDA-3031 | user_id=Camila Rojas | opened_at=2026-04-06T00:09:00 | category=Incidente | status=Abierto",
            "3: ticket_id=MDA-3032 | user_id=Muñoz, Felipe | opened_at=2026-08-13T16:40:00 | category=Solicitud de servicio | status=En curso",
            "4: ticket_id=MDA-3033 | user_id=Camila Rojas | opened_at=2026-09-21T08:05:00 | category=Incidente | status=Esperando por el cliente",
        ]
    );
    // German Jira Cloud, every field: `Autor` (the reporter) is the person, not
    // `Ersteller` (who typed the ticket: Jonas Becker for IT-118); `Erledigt` the
    // resolution; `02/Mär/26 17:00` is 2 March. Re-saved by a German spreadsheet
    // (windows-1252, semicolons, `Σ` lost as `?`), it reads the same.
    let de = [
        "2: ticket_id=IT-118 | user_id=Sabine Krüger | opened_at=2026-03-02T17:00:00 | resolved_at=2026-03-03T09:12:00 | category=Vorfall | status=Fertig",
        "3: ticket_id=IT-119 | user_id=Günther Weiß | opened_at=2026-05-13T08:05:00 | category=Serviceanfrage | status=In Arbeit",
        "4: ticket_id=IT-120 | user_id=Sabine Krüger | opened_at=2026-10-06T13:42:00 | resolved_at=2026-12-17T10:00:00 | category=Vorfall | status=Fertig",
    ];
    assert_eq!(read(Source::Tickets, "jira", "jira-de-full"), de);
    let (rows, notes) = read_with_notes(Source::Tickets, "jira", "jira-de-resaved");
    assert_eq!(rows, de);
    assert_eq!(
        notes,
        ["Jira.csv: not UTF-8 nor UTF-16: decoded as windows-1252, the code page its bytes read as text in"]
    );
    // Italian Zoom report with meeting data (`Argomento`, ..., `Nome (nome
    // originale)`, `Ora di ingresso`): `08/07/2025 09:02:37 AM` decides nothing, and
    // an Italian report is day-first: 8 July.
    assert_eq!(
        read(Source::Training, "zoom", "zoom-it"),
        [
            "5: user_id=giulia.romano@esempio.it | session=Intune: formazione | joined_at=2025-07-08T08:57:00 | left_at=2025-07-08T13:00:26",
            "6: user_id=marco.ferrari@esempio.it | session=Intune: formazione | joined_at=2025-07-08T09:02:37 | left_at=2025-07-08T12:07:54",
            "7: user_id=sara.colombo@esempio.it | session=Intune: formazione | joined_at=2025-07-08T09:05:00 | left_at=2025-07-08T13:00:26",
        ]
    );
    // A live event's attendee report (`AttendeeReport.csv`, English, UTF-8, commas):
    // a list of actions whose person is `ParticipantId` (not the connection's
    // `SessionId`), whose action is `Action` (not `FullName`, two names being as few
    // values as two actions) and whose times are UTC (`UtcEventTimestamp`). Jan never
    // leaves: until the file's last time, 17:25:54.
    assert_eq!(
        read(Source::Training, "teams", "teams/live-event"),
        [
            "2: user_id=katarzyna.wojcik@szkola.edu.pl | session=AttendeeReport | joined_at=2022-01-25T16:48:08Z | left_at=2022-01-25T17:25:54Z",
            "3: user_id=jan.kowalski@szkola.edu.pl | session=AttendeeReport | joined_at=2022-01-25T16:51:13Z | left_at=2022-01-25T17:25:54Z",
            "4: user_id=katarzyna.wojcik@szkola.edu.pl | session=AttendeeReport | joined_at=2022-01-25T16:48:08Z | left_at=2022-01-25T17:25:54Z",
        ]
    );
    // Every row reconciled and every person matched (by address, else by name).
    let roster = fixture("exports/roster/heldout.csv");
    for (source, tool, rel, line) in [
        ("training", "teams", "teams/gen2-pl", "training 5 rows read = 5 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 1 matched by name"),
        ("training", "teams", "teams/gen1-pl", "training 7 rows read = 7 accepted + 0 quarantined; 0 unmatched ids; 3 duplicates removed; 4 matched by name"),
        ("tickets", "jira", "jira-es-cl", "tickets 3 rows read = 3 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 3 matched by name"),
        ("tickets", "jira", "jira-de-full", "tickets 3 rows read = 3 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 3 matched by name"),
        ("tickets", "jira", "jira-de-resaved", "tickets 3 rows read = 3 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 3 matched by name"),
        ("training", "teams", "teams/live-event", "training 3 rows read = 3 accepted + 0 quarantined; 0 unmatched ids; 1 duplicates removed; 0 matched by name"),
        ("training", "zoom", "zoom-it", "training 3 rows read = 3 accepted + 0 quarantined; 0 unmatched ids; 0 duplicates removed; 0 matched by name"),
    ] {
        assert_eq!(validate_against(&roster, source, tool, rel), line, "{rel}");
    }
    // `auto` picks the same reader for every one of them.
    for (source, tool, rel) in [
        (Source::Training, "teams", "teams/gen2-pl"),
        (Source::Training, "teams", "teams/gen1-pl"),
        (Source::Training, "teams", "teams/live-event"),
        (Source::Training, "zoom", "zoom-it"),
        (Source::Tickets, "jira", "jira-es-cl"),
        (Source::Tickets, "jira", "jira-de-full"),
        (Source::Tickets, "jira", "jira-de-resaved"),
    ] {
        assert_eq!(read(source, "auto", rel), read(source, tool, rel), "{rel}");
    }
}

#[test]
fn teams_and_zoom_attendance_read_as_meeting_touchpoints() {
    // The same file as training (`teams_2021_summary_block_and_2022_sections`): Bob
    // joined twice (16:00:10 and 16:39:00), so both his rows carry his first join
    // and `quality` counts the second as a duplicate; the meeting's title is the
    // campaign.
    assert_eq!(
        read(Source::Touchpoints, "teams", "teams/gen3"),
        [
            "16: user_id=bob.ray@contoso.com | channel=meeting | timestamp=2023-07-20T16:00:10 | campaign=Intune Q&A",
            "17: user_id=bob.ray@contoso.com | channel=meeting | timestamp=2023-07-20T16:00:10 | campaign=Intune Q&A",
            "18: user_id=ann.lee@contoso.com | channel=meeting | timestamp=2023-07-20T16:30:36 | campaign=Intune Q&A",
        ]
    );
    assert_eq!(
        read(Source::Touchpoints, "zoom", "zoom"),
        [
            "5: user_id=ann.lee@contoso.com | channel=meeting | timestamp=2022-03-08T09:49:29 | campaign=Intune for managers",
            "6: user_id=Bob Ray (Bob's iPhone) | channel=meeting | timestamp=2022-03-08T09:50:00 | campaign=Intune for managers",
            "7: user_id=eve.stone@contoso.com | channel=meeting | timestamp=2022-03-08T10:00:00 | campaign=Intune for managers",
        ]
    );
}

#[test]
fn m365_active_users_gives_one_usage_row_per_person_and_mapped_product() {
    // BOM, CRLF. Only OneDrive counts for a workload: each person gives one row
    // with their `OneDrive Last Activity Date` (empty when never used: Bob); the
    // other five products are not read. Eve is deleted but still in the report: the
    // roster decides whether she counts. Cy's `not yet` is handed on as written,
    // for `quality` to quarantine.
    let rows = read_as(
        Source::Usage,
        "m365_active_users",
        "m365/ActiveUserDetail_2026-11-20.csv",
        |c| c.products = BTreeMap::from([("OneDrive".into(), "OneDrive KFM".into())]),
    );
    assert_eq!(
        rows,
        [
            "2: user_id=ann.lee@contoso.com | workload=OneDrive KFM | last_active=2026-11-18",
            "3: user_id=bob.ray@contoso.com | workload=OneDrive KFM",
            "4: user_id=eve.stone@contoso.com | workload=OneDrive KFM | last_active=2026-11-06",
            "5: user_id=cy.diaz@contoso.com | workload=OneDrive KFM | last_active=not yet",
        ]
    );
    // Two products mapped: two rows per person, in the report's column order.
    let rows = read_as(
        Source::Usage,
        "auto",
        "m365/ActiveUserDetail_2026-11-20.csv",
        |c| {
            c.products = BTreeMap::from([
                ("OneDrive".into(), "OneDrive KFM".into()),
                ("Teams".into(), "Intune MDM".into()),
            ])
        },
    );
    assert_eq!(rows.len(), 8);
    assert_eq!(
        rows[..2],
        [
            "2: user_id=ann.lee@contoso.com | workload=OneDrive KFM | last_active=2026-11-18",
            "2: user_id=ann.lee@contoso.com | workload=Intune MDM | last_active=2026-11-20",
        ]
    );
}

/// The error reading the fixture `rel` as `tool`'s export of `source` stops with.
fn read_error(source: Source, tool: Tool, rel: &str) -> String {
    let cfg = config_for(fixture("exports").join(rel), Format::Tool(tool));
    read_source(
        source,
        &cfg,
        &RosterColumns::grouped_by("department"),
        |_| (),
        |_, _| (),
    )
    .expect_err(rel)
    .to_string()
}

#[test]
fn an_active_users_report_mapping_no_product_names_the_products_key() {
    let err = read_error(Source::Usage, Tool::M365ActiveUsers, "m365/concealed.csv");
    assert!(err.contains("`sources.usage.products`"), "{err}");
    assert!(
        err.contains("none of its products (OneDrive, Teams)"),
        "{err}"
    );
    assert!(
        err.contains("products = { \"OneDrive\" = \"<a [[workloads]] name>\" }"),
        "{err}"
    );
}

#[test]
fn cornerstone_transcripts_keep_completed_self_paced_rows() {
    // The portal's local times, month-first (`11/25/2026` decides); only completed
    // transcripts of self-paced training are completions.
    assert_eq!(
        read(Source::Completions, "cornerstone", "cornerstone/transcript_report.csv"),
        [
            "2: user_id=ann.lee@contoso.com | course=Enrolling your phone in Intune | completed_at=2026-11-03T14:05:00",
            "3: QUARANTINE not a completion: the transcript's status is `In Progress`",
            "4: QUARANTINE an instructor-led session (`Training Type`), not self-paced learning: read it as training",
            "5: user_id=eve.stone@contoso.com | course=Enrolling your phone in Intune | completed_at=2026-11-25T09:30:00",
        ]
    );
}

#[test]
fn cornerstone_reports_with_a_title_above_the_header_and_in_spanish() {
    // A report run from the portal: three lines of title and filters and a blank
    // line above the header (public code reading these exports skips them), every
    // label with its object in front, `Completed (Equivalent)` and `Registered /
    // Past Due` as real exports write them. The header is line 5: rows are 6 to 8.
    // `11/25/2026` decides month-first.
    assert_eq!(
        read(Source::Completions, "cornerstone", "cornerstone/transcript_with_title.csv"),
        [
            "6: user_id=ann.lee@contoso.com | course=Enrolling your phone in Intune | completed_at=2026-11-03T14:05:00",
            "7: QUARANTINE not a completion: the transcript's status is `Registered / Past Due`",
            "8: user_id=eve.stone@contoso.com | course=Enrolling your phone in Intune | completed_at=2026-11-25T09:30:00",
        ]
    );
    // A Spanish portal's labels; the person is the user id (no email column);
    // `25/11/2026` decides day-first.
    assert_eq!(
        read(Source::Completions, "cornerstone", "cornerstone/expediente_es.csv"),
        [
            "2: user_id=20031 | course=Inscripción de tu teléfono en Intune | completed_at=2026-11-25T09:30:00",
            "3: QUARANTINE not a completion: the transcript's status is `En progreso`",
        ]
    );
    // `auto` finds both through the title lines.
    assert_eq!(
        read(
            Source::Completions,
            "auto",
            "cornerstone/transcript_with_title.csv"
        )
        .len(),
        3
    );
}

#[test]
fn moodle_course_completions_keep_finished_courses() {
    // `report_coursecompletion`'s CSV: CRLF, Moodle's long dates in the site's zone
    // (`Thursday, 19 November 2026, 10:21 AM` -> 2026-11-19T10:21:00, `4:05 PM` ->
    // 16:05), `-` for no time, `Complete` Yes/No.
    let want = [
        "2: user_id=ann.lee@contoso.com | course=Enrolling your phone in Intune | completed_at=2026-11-19T10:21:00",
        "3: QUARANTINE not a completion: `Complete` is `No` (started, not finished)",
        "4: user_id=eve.stone@contoso.com | course=Enrolling your phone in Intune | completed_at=2026-11-25T16:05:00",
        "5: QUARANTINE not a completion: `Complete` is `No` (started, not finished)",
    ];
    assert_eq!(
        read(Source::Completions, "moodle", "moodle/coursecompletion.csv"),
        want
    );
    assert_eq!(
        read(Source::Completions, "auto", "moodle/coursecompletion.csv"),
        want
    );
}

#[test]
fn viva_engage_messages_read_as_touchpoints_of_their_authors() {
    // Messages.csv of a network data export: each author reached on `viva engage`
    // at the message's time (the API's `2026/11/18 09:30:00 +0000` is UTC:
    // 2026-11-18T09:30:00Z; an ISO time is kept), the community as campaign.
    let want = [
        "2: user_id=ann.lee@contoso.com | channel=viva engage | timestamp=2026-11-18T09:30:00Z | campaign=Intune Rollout",
        "3: user_id=bob.ray@contoso.com | channel=viva engage | timestamp=2026-11-18T10:02:15Z | campaign=Intune Rollout",
        "4: QUARANTINE a message in a private conversation (`in_private_conversation` true), not a post in a community",
        "5: QUARANTINE a deleted message (`deleted_at` 2026/11/18 11:06:10 +0000): it no longer reaches anyone",
        "6: QUARANTINE sent by a `bot` (`sender_type`), not a person",
        "7: user_id=eve.stone@contoso.com | channel=viva engage | timestamp=2026-11-19T16:45:00Z | campaign=IT Announcements",
    ];
    assert_eq!(
        read(
            Source::Touchpoints,
            "viva_engage",
            "viva-engage/Messages.csv"
        ),
        want
    );
    assert_eq!(
        read(Source::Touchpoints, "auto", "viva-engage/Messages.csv"),
        want
    );
}

#[test]
fn microsoft_forms_responses_read_the_named_score_and_comment() {
    // Forms writes `anonymous` for a response that records no one: it names no one,
    // and its group comes from the `Department` question. Dates are Excel's
    // month-first two-digit years (`11/19/26`). Eve's `very` is handed on for
    // `quality` to quarantine; as one answer that is not a number rules a question
    // out of being taken as the score, `columns` names it here (the next test shows
    // the error without it).
    let rows = read_as(Source::Survey, "forms", "forms/rollout-survey.csv", |c| {
        c.columns = BTreeMap::from([
            (
                "score".into(),
                "How satisfied are you with the enrollment?".into(),
            ),
            ("comment".into(), "What could we do better?".into()),
        ])
    });
    assert_eq!(
        rows,
        [
            "2: submitted_at=2026-11-18T10:21:37 | score=5 | user_id=ann.lee@contoso.com | comment=Quick, easy | department=Finance",
            "3: submitted_at=2026-11-18T11:03:10 | score=4 | department=Sales",
            "4: submitted_at=2026-11-19T09:01:00 | score=2 | user_id=bob.ray@contoso.com | comment=The portal kept asking me to sign in | department=Finance",
            "5: submitted_at=2026-11-19T09:31:00 | score=very | user_id=eve.stone@contoso.com | department=Finance",
        ]
    );
}

#[test]
fn a_survey_with_no_whole_number_question_asks_for_the_score_line() {
    // Eve's `very` leaves no question answered with whole numbers only.
    let err = read_error(Source::Survey, Tool::Forms, "forms/rollout-survey.csv");
    assert!(err.contains("`sources.survey.columns.score`"), "{err}");
    assert!(
        err.contains("help: name the score question: [sources.survey] columns = { score = \"How satisfied are you with the enrollment?\" }"),
        "{err}"
    );
}

#[test]
fn surveymonkey_and_qualtrics_skip_their_extra_header_rows() {
    // SurveyMonkey: the second header row (`Response`, ...) is not a response; the
    // score is the first whole-number question; US 12-hour times.
    assert_eq!(
        read(Source::Survey, "surveymonkey", "surveymonkey/Sheet_1.csv"),
        [
            "3: submitted_at=2026-11-18T10:21:37 | score=5 | user_id=ann.lee@contoso.com | department=Finance",
            "4: submitted_at=2026-11-18T13:03:10 | score=4 | department=Sales",
        ]
    );
    // Qualtrics: question ids on the first row, texts on the second, import ids on
    // the third; the `Department` column is found by its text. The recorded date is
    // in America/Denver (UTC-7 in November): 08:21:38 is 15:21:38Z. A survey
    // preview is no one's answer.
    assert_eq!(
        read(Source::Survey, "auto", "qualtrics/Rollout_survey_November.csv"),
        [
            "4: submitted_at=2026-11-18T15:21:38Z | score=5 | user_id=ann.lee@contoso.com | department=Finance",
            "5: QUARANTINE not a respondent's answer: the response's Status is `Survey Preview`",
            "6: submitted_at=2026-11-18T17:02:01Z | score=4 | department=Sales",
        ]
    );
    assert_eq!(
        read(Source::Survey, "auto", "surveymonkey/Sheet_1.csv").len(),
        2
    );
}
