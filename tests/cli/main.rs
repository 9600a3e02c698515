//! The one integration-test binary: runs `uptake` as a user would, in temp folders.

mod after;
mod attack;
mod capabilities;
mod catalogue;
mod channels;
mod digests;
mod docs;
mod effects;
mod engagement;
mod exports;
mod faults;
mod golden;
mod golden_workloads;
mod init;
mod messy;
mod metrics;
mod outputs;
mod privacy;
mod properties;
mod quarantine;
mod report;
mod run;
mod security;
mod snapshots;
mod util;
mod workloads;
