//! libFuzzer target: `happens_litmus::parse` must return a test or a
//! diagnostic for any bytes, never panic, and every diagnostic must be one
//! `file:line:column: error: ...` line.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(d) = happens_litmus::parse("fuzz.litmus", data) {
        let text = d.to_string();
        assert!(text.starts_with("fuzz.litmus:"), "{text}");
        assert!(text.contains(": error: "), "{text}");
    }
});
