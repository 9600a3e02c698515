//! The enrollments source in every format it can be read in, through ingest and quality.
#![no_main]

use libfuzzer_sys::fuzz_target;
use uptake::schema::Source;

fuzz_target!(|data: &[u8]| uptake_fuzz::ingest_source(Source::Enrollments, data));
