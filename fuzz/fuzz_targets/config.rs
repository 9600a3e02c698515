//! Config parsing and checking (`uptake::config::parse`): any text is a config or
//! a config error (exit 2) that names the file; never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("/nonexistent/fuzz/uptake.toml");
    match uptake::config::parse(path, text) {
        Ok(cfg) => {
            for wave in &cfg.waves {
                let share = wave.final_share();
                assert!((0.0..=1.0).contains(&share), "{share}");
            }
        }
        Err(e) => {
            assert_eq!(e.exit_code(), 2, "{e}");
            assert!(e.to_string().contains("uptake.toml"), "{e}");
        }
    }
});
