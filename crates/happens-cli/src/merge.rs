//! `happens merge`: the shard reports of explorations run as several
//! processes (`HAPPENS_SHARD=K/N`) into the report of one (the library's
//! `happens::shard::merge`).

use std::io::{self, Write};
use std::path::PathBuf;

use clap::Args;

use crate::json;

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Shard reports (`*.json`), or directories holding them.
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,
    /// Print one JSON object per exploration per line instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `happens merge`: `Some(passed)`, or `None` when the reports do not
/// make whole explorations (reported on stderr).
pub fn run(args: &MergeArgs, out: &mut impl Write) -> io::Result<Option<bool>> {
    let mut files = Vec::new();
    for p in &args.reports {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = match std::fs::read_dir(p) {
                Ok(d) => d
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|f| f.extension().is_some_and(|x| x == "json"))
                    .collect(),
                Err(e) => {
                    eprintln!("{}: error: cannot read directory: {e}", p.display());
                    return Ok(None);
                }
            };
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    let mut reports = Vec::new();
    for f in &files {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{}: error: cannot read file: {e}", f.display());
                return Ok(None);
            }
        };
        match happens::shard::ShardReport::from_json(&text) {
            Ok(r) => reports.push(r),
            Err(e) => {
                eprintln!("{}: error: not a shard report: {e}", f.display());
                return Ok(None);
            }
        }
    }
    if reports.is_empty() {
        eprintln!("happens merge: error: no shard reports (*.json) found");
        return Ok(None);
    }
    let mut ok = true;
    let mut whole = true;
    for m in happens::shard::merge(&reports) {
        match m {
            Ok(m) => {
                ok &= m.failure.is_none();
                if args.json {
                    writeln!(out, "{}", json::merged_line(&m))?;
                } else {
                    writeln!(out, "{m}")?;
                }
            }
            Err(e) => {
                out.flush()?;
                eprintln!("happens merge: error: {e}");
                whole = false;
            }
        }
    }
    Ok(whole.then_some(ok))
}
