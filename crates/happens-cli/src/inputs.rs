//! Command-line inputs: expanding directories into litmus files, reading and
//! parsing them into tests or one-line diagnostics.

use std::fs;
use std::path::PathBuf;

use happens_litmus::Test;

/// One file to run, in command-line order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub path: PathBuf,
}

/// Expands the command-line paths: a directory stands for every `*.litmus`
/// file below it (sorted by path); anything else is taken as a file, so that
/// a missing file is reported when it is read.
pub fn expand(paths: &[PathBuf]) -> Vec<Input> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let found = happens_litmus::litmus_files(p);
            out.extend(found.into_iter().map(|path| Input { path }));
        } else {
            out.push(Input { path: p.clone() });
        }
    }
    out
}

/// Reads and parses `input`. On failure returns the one-line diagnostic to
/// print: the parser's `file:line:column: error: ...`, or `file: error: ...`
/// when the file cannot be read at all.
pub fn load(input: Input) -> Result<(String, Test), String> {
    let name = input.path.display().to_string();
    let bytes = match fs::read(&input.path) {
        Ok(b) => b,
        Err(e) => return Err(format!("{name}: error: cannot read file: {e}")),
    };
    match happens_litmus::parse(&name, &bytes) {
        Ok(test) => Ok((name, test)),
        Err(diagnostic) => Err(single_line(&diagnostic.to_string())),
    }
}

/// Keeps a diagnostic on one line, whatever bytes its message quotes.
fn single_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_do_not_break_the_line() {
        assert_eq!(
            single_line("a.litmus:1:2: error: x\ny\t"),
            "a.litmus:1:2: error: x y "
        );
    }

    #[test]
    fn plain_paths_are_kept_in_order() {
        let got = expand(&[PathBuf::from("no/such/b"), PathBuf::from("no/such/a")]);
        let paths: Vec<_> = got.iter().map(|i| i.path.to_str().unwrap()).collect();
        assert_eq!(paths, ["no/such/b", "no/such/a"]);
    }

    #[test]
    fn missing_file_is_one_line_error() {
        let err = load(Input {
            path: PathBuf::from("no/such/file.litmus"),
        })
        .unwrap_err();
        assert!(
            err.starts_with("no/such/file.litmus: error: cannot read file: "),
            "{err}"
        );
        assert!(!err.contains('\n'));
    }
}
