//! The first workload's device export: the canonical `enrollments.csv` (as always),
//! the same with `last_check_in` (`--after`), the Intune admin center's device export
//! (`--workloads`, where each workload has its own export), or a folder of weekly
//! snapshots of either (`--snapshots`). Takes each device as the person model drew
//! it; hands each file its row.
//!
//! **Device health** (every shape but the first): each device gets, from a stream of
//! its own, a compliance state that may have changed once since enrollment, a check-in
//! cadence, and maybe a day its check-ins stopped (stale: more often in departments
//! that flood the help desk) or a day it was retired (wiped; a leaver's devices are
//! retired the day they leave). A snapshot shows each device present that day (enrolled,
//! not retired) with its compliance and last check-in as of that evening; a single
//! export shows every device as of the as-of day's evening.

use std::io;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use rand::seq::IndexedRandom;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::person::{earliest, Person};
use super::sink::{self, Layout, Target};
use super::snapshots::taken;
use super::util::{as_of, at, days, guid, intune_time, secs, utc};

/// The Intune admin center's "Devices > All devices > Export" columns, in its order
/// (as the fixtures of `tests/fixtures/exports/intune/` have them).
const INTUNE_HEADER: &str = "Device ID,Device name,Enrollment date,Last check-in,\
Azure AD Device ID,OS version,Serial number,Manufacturer,Model,Primary user UPN,\
Primary user email address,Primary user display name,Compliance,Managed by,Ownership,OS";

/// The Intune export's layout: the person is `Primary user UPN` (else the email
/// column, which a shared device leaves empty too).
pub(super) fn intune() -> Layout {
    Layout {
        alt_id: Some(10),
        quote_all: true,
        ..Layout::new(INTUNE_HEADER, 9, &[2], 0, sink::COMMON)
    }
}
/// Canonical devices with their last check-in.
pub(super) fn with_health() -> Layout {
    sink::enrollments().and(&["last_check_in"])
}

/// How the device export is written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// `user_id,device_id,os,enrolled_at,compliant`: the rollout without options.
    Canonical,
    /// The same and `last_check_in`.
    Health,
    /// The Intune admin center's export.
    Intune,
}

/// A device as the person model drew it.
pub(super) struct Device<'a> {
    /// The id the person model drew for the row (the UPN, or the alias).
    pub(super) id: &'a str,
    pub(super) device: &'a str,
    /// `Windows`, `macOS`, `iOS` or `Android`.
    pub(super) os: &'a str,
    pub(super) enrolled: NaiveDateTime,
    /// Compliant as of the as-of day.
    pub(super) compliant: bool,
}

/// The device export being written.
pub(super) struct Devices {
    shape: Shape,
    target: Target,
    /// The health stream (every shape but [`Shape::Canonical`]).
    rng: Option<ChaCha8Rng>,
}

impl Devices {
    /// `rng` draws device health; it is not used by [`Shape::Canonical`].
    pub(super) fn new(shape: Shape, target: Target, rng: ChaCha8Rng) -> Devices {
        let rng = (shape != Shape::Canonical).then_some(rng);
        Devices { shape, target, rng }
    }

    /// Flushes the export into the summary.
    pub(super) fn finish(self, summary: &mut super::GenerateSummary) -> io::Result<()> {
        self.target.finish(summary)
    }

    /// Writes device `d` of `p`: one row, or one per snapshot it is in.
    pub(super) fn write(&mut self, p: &Person, d: &Device<'_>) -> io::Result<()> {
        let Some(rng) = &mut self.rng else {
            let Target::One(sink) = &mut self.target else {
                unreachable!("snapshots always carry device health")
            };
            let compliant = if d.compliant { "true" } else { "false" };
            return sink.row(&[d.id, d.device, d.os, &utc(d.enrolled), compliant]);
        };
        let h = Health::draw(rng, p, d);
        match &mut self.target {
            Target::One(sink) => {
                let cells = h.cells(self.shape, p, d, as_of());
                sink.row(&cells.iter().map(String::as_str).collect::<Vec<_>>())
            }
            Target::Weekly(weekly) => {
                for (&day, sink) in weekly.days.iter().zip(&mut weekly.sinks) {
                    let retired = h.retired.is_some_and(|r| r <= day);
                    if d.enrolled.date() > day || retired {
                        continue;
                    }
                    let cells = h.cells(self.shape, p, d, day);
                    sink.row(&cells.iter().map(String::as_str).collect::<Vec<_>>())?;
                }
                Ok(())
            }
        }
    }
}

/// Hardware of each kind of device: (manufacturer, model, OS versions).
const WINDOWS: [(&str, &str); 4] = [
    ("LENOVO", "20XW"),
    ("LENOVO", "21CB"),
    ("Dell Inc.", "Latitude 5440"),
    ("HP", "HP EliteBook 840 G10"),
];
const MACS: [(&str, &str); 2] = [("Apple", "MacBookAir10,1"), ("Apple", "Mac14,7")];
const IPHONES: [(&str, &str); 2] = [("Apple", "iPhone 14"), ("Apple", "iPhone 15")];
const ANDROIDS: [(&str, &str); 2] = [("samsung", "SM-S911B"), ("Google", "Pixel 8")];

/// One device's health and inventory.
struct Health {
    /// The compliance state was the opposite before this day.
    flip: Option<NaiveDate>,
    /// Its last check-in ever (it went stale).
    stale_from: Option<NaiveDateTime>,
    /// Gone from the export from this day (wiped).
    retired: Option<NaiveDate>,
    /// How long before an export its last check-in was.
    lag: TimeDelta,
    name: String,
    serial: String,
    entra_id: String,
    maker: &'static str,
    model: &'static str,
    version: &'static str,
    ownership: &'static str,
}

impl Health {
    /// Every draw is made for every device, whatever the shape, so the shapes agree.
    fn draw(rng: &mut ChaCha8Rng, p: &Person, d: &Device<'_>) -> Health {
        let e = d.enrolled;
        // Whole days from enrollment to the as-of day (negative after it).
        let span = (as_of() - e.date()).num_days();
        let load = p.profile.tickets;
        let flip = rng.random_bool(0.12);
        let flip_day = rng.random_range(1..=span.max(1));
        let stale = rng.random_bool((0.05 * load).min(0.3));
        let stale_day = rng.random_range(1..=span.max(1));
        let stale_time = secs(rng.random_range(8 * 3600..18 * 3600));
        let retire = rng.random_bool(0.03);
        let retire_day = rng.random_range(7..=span.max(7));
        let lag = secs(rng.random_range(300..8 * 3600));
        let (kinds, phone) = match d.os {
            "Windows" => (&WINDOWS[..], false),
            "macOS" => (&MACS[..], false),
            "iOS" => (&IPHONES[..], true),
            _ => (&ANDROIDS[..], true),
        };
        let (maker, model) = *kinds.choose(rng).expect("some");
        let version = *match d.os {
            "Windows" => &["10.0.22631.4460", "10.0.19045.5131", "10.0.26100.2314"][..],
            "macOS" => &["14.7.1", "15.1"][..],
            "iOS" => &["17.7.1", "18.1"][..],
            _ => &["13", "14"][..],
        }
        .choose(rng)
        .expect("some");
        let serial: String = (0..10)
            .map(|_| {
                *b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
                    .choose(rng)
                    .expect("some") as char
            })
            .collect();
        let name = match d.os {
            "Windows" => format!("CTS-LT-{}", &serial[..6]),
            "macOS" => format!("MBP-{}", &serial[..6]),
            _ => model.to_string(),
        };
        let ownership = match phone && rng.random_bool(0.6) {
            true => "Personal",
            false => "Corporate",
        };
        let wiped = p.left_on.filter(|&l| l > e.date());
        Health {
            flip: (flip && span > 1).then(|| e.date() + days(flip_day)),
            stale_from: (stale && span > 1).then(|| at(e.date() + days(stale_day), 0) + stale_time),
            retired: earliest(
                (retire && span > 7).then(|| e.date() + days(retire_day)),
                wiped,
            ),
            lag,
            name,
            serial,
            entra_id: guid(rng),
            maker,
            model,
            version,
            ownership,
        }
    }

    /// Compliant on `day`.
    fn compliant(&self, d: &Device<'_>, day: NaiveDate) -> bool {
        match self.flip {
            Some(flip) if day < flip => !d.compliant,
            _ => d.compliant,
        }
    }

    /// The last check-in as of the export taken on `day`: the export's time less the
    /// cadence's lag, no later than the day it went stale or was retired, and never
    /// before it enrolled.
    fn last_check_in(&self, d: &Device<'_>, day: NaiveDate) -> NaiveDateTime {
        let mut end = taken(day);
        if let Some(stale) = self.stale_from {
            end = end.min(stale);
        }
        if let Some(retired) = self.retired {
            end = end.min(at(retired, 8));
        }
        (end - self.lag).max(d.enrolled + secs(120))
    }

    /// The row of `d` in the export taken on `day`.
    fn cells(&self, shape: Shape, p: &Person, d: &Device<'_>, day: NaiveDate) -> Vec<String> {
        let compliant = self.compliant(d, day);
        let last = self.last_check_in(d, day);
        if shape != Shape::Intune {
            let c = if compliant { "true" } else { "false" };
            let (enrolled, last) = (utc(d.enrolled), utc(last));
            return [d.id, d.device, d.os, &enrolled, c, &last]
                .map(String::from)
                .to_vec();
        }
        let compliance = match compliant {
            true => "Compliant",
            false if (day - d.enrolled.date()).num_days() < 3 => "InGracePeriod",
            false => "Noncompliant",
        };
        let os = match d.os {
            "iOS" => "iOS/iPadOS",
            os => os,
        };
        [
            d.device,
            &self.name,
            &intune_time(d.enrolled),
            &intune_time(last),
            &self.entra_id,
            self.version,
            &self.serial,
            self.maker,
            self.model,
            &p.upn,
            d.id,
            &p.display,
            compliance,
            "Intune",
            self.ownership,
            os,
        ]
        .map(String::from)
        .to_vec()
    }
}
