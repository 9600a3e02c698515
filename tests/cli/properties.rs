//! Property: whatever mix of good and bad rows a source holds, every row is counted
//! once, every bad row is quarantined and every good row accepted.

use proptest::prelude::*;
use uptake::progress::Progress;
use uptake::schema::Source;

const CONFIG: &str = r#"
[rollout]
as_of = "2026-11-20"
timezone = "Europe/Paris"
[sources.roster]
path = "roster.csv"
[sources.tickets]
path = "tickets.csv"
[[waves]]
name = "W"
start = "2026-11-02"
groups = ["G"]
enrollment_target = [[14, 1.0]]
"#;

/// One tickets row: good, or broken in one of the ways quarantine must catch.
#[derive(Debug, Clone)]
enum Kind {
    Good,
    NoTicketId,
    NoUser,
    BadOpened,
    ResolvedBeforeOpened,
    TooFewFields,
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        4 => Just(Kind::Good),
        1 => Just(Kind::NoTicketId),
        1 => Just(Kind::NoUser),
        1 => Just(Kind::BadOpened),
        1 => Just(Kind::ResolvedBeforeOpened),
        1 => Just(Kind::TooFewFields),
    ]
}

/// A category cell with characters that need quoting: commas, quotes, line breaks.
fn category() -> impl Strategy<Value = String> {
    "[a-z ,\"\n=+-]{0,12}"
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_row_is_accepted_or_quarantined_as_it_deserves(
        rows in proptest::collection::vec((kind(), category(), 0u32..5, any::<bool>()), 0..60),
        crlf in any::<bool>(),
        bom in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("uptake.toml"), CONFIG).unwrap();
        let roster: String = (0..5).map(|i| format!("u{i}@x.com,G\n")).collect();
        std::fs::write(dir.path().join("roster.csv"), format!("user_id,group\n{roster}")).unwrap();
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut text = String::from(if bom { "\u{feff}" } else { "" });
        text.push_str("ticket_id,user_id,opened_at,resolved_at,category");
        text.push_str(nl);
        let (mut good, mut bad) = (0u64, 0u64);
        for (i, (k, cat, user, resolved)) in rows.iter().enumerate() {
            let id = format!("T{i}");
            let user = format!("U{user}@X.com");
            let (opened, res) = ("2026-11-10 09:00", if *resolved { "2026-11-11 09:00" } else { "" });
            let line = match k {
                Kind::Good => format!("{id},{user},{opened},{res},{}", quote(cat)),
                Kind::NoTicketId => format!(",{user},{opened},{res},{}", quote(cat)),
                Kind::NoUser => format!("{id}, ,{opened},{res},{}", quote(cat)),
                Kind::BadOpened => format!("{id},{user},2026-11-10 25:61,{res},{}", quote(cat)),
                Kind::ResolvedBeforeOpened => format!("{id},{user},{opened},2026-11-09 09:00,{}", quote(cat)),
                Kind::TooFewFields => format!("{id},{user}"),
            };
            if matches!(k, Kind::Good) { good += 1 } else { bad += 1 }
            text.push_str(&line);
            text.push_str(nl);
        }
        std::fs::write(dir.path().join("tickets.csv"), text).unwrap();
        let (_, data) = uptake::load(Some(&dir.path().join("uptake.toml")), &Progress::hidden()).unwrap();
        let c = &data.counts[&Source::Tickets];
        prop_assert_eq!(c.rows_read, good + bad);
        prop_assert_eq!(c.rows_quarantined, bad);
        prop_assert_eq!(c.rows_accepted, good);
        prop_assert_eq!(data.quarantine[&Source::Tickets].len() as u64, bad);
        prop_assert_eq!(data.tickets.ticket_id.len() as u64, good);
        for q in &data.quarantine[&Source::Tickets] {
            prop_assert!(q.line >= 2, "line {}", q.line);
        }
    }
}
