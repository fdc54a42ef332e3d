//! `happens compare`: the outcomes of one test under several models, side by
//! side.
//!
//! ```text
//! Test SB (rust vs rc11 vs sc)
//!   0:r0  1:r0  rust  rc11  sc
//!      0     0     1     1   -
//!      0     1     1     1   1
//!      1     0     1     1   1
//!      1     1     1     1   1
//! Condition exists (0:r0=0 /\ 1:r0=0)
//!   rust: sometimes (1 of 4 executions), Ok
//!   rc11: sometimes (1 of 4 executions), Ok
//!   sc:   never (0 of 3 executions), No
//! Executions  rust: 4, blocked 0  rc11: 4, blocked 0  sc: 3, blocked 0
//! ```
//!
//! A `-` means the model forbids that final state.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use happens_litmus::Outcome;

use crate::report::{self, Style};

/// The side-by-side report of `outcomes` (one per model) of the test in `file`.
pub fn table(file: &str, outcomes: &[Outcome], style: Style) -> String {
    let mut s = String::new();
    let Some(first) = outcomes.first() else {
        return s;
    };
    let model_names: Vec<&str> = outcomes.iter().map(|o| o.model.name()).collect();
    let header = format!("Test {} ({})", first.test, model_names.join(" vs "));
    let _ = writeln!(s, "{}", style.bold(&header));

    // Union of the states, keyed by their printed cells (sorted numerically
    // where the cells are numbers).
    let all_states: Vec<_> = outcomes
        .iter()
        .flat_map(|o| o.states.iter())
        .cloned()
        .collect();
    let mut names = report::columns(&all_states);
    let mut rows: BTreeMap<Vec<Key>, Vec<String>> = BTreeMap::new();
    for (i, o) in outcomes.iter().enumerate() {
        for st in &o.states {
            let cells: Vec<String> = names.iter().map(|n| report::cell(st, n)).collect();
            let key = cells.iter().map(|c| Key::of(c)).collect();
            let counts = rows
                .entry(key)
                .or_insert_with(|| vec!["-".to_string(); outcomes.len()]);
            counts[i] = st.executions.to_string();
        }
    }
    let table_rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|(key, counts)| key.into_iter().map(|k| k.text).chain(counts).collect())
        .collect();
    names.extend(model_names.iter().map(|m| m.to_string()));
    s.push_str(&report::table(&names, &table_rows));

    if let Some(c) = &first.condition {
        let q = report::quantifier_word(c.quantifier);
        let _ = writeln!(s, "Condition {q} {}", c.text);
        let width = model_names.iter().map(|m| m.len()).max().unwrap_or(0) + 1;
        for o in outcomes {
            if let Some(c) = &o.condition {
                let label = format!("{}:", o.model.name());
                let verdict = report::condition_verdict(c, o.undefined, style);
                let _ = writeln!(s, "  {label:<width$} {verdict}");
            }
        }
    }
    let totals: Vec<String> = outcomes
        .iter()
        .map(|o| {
            format!(
                "{}: {}, blocked {}",
                o.model.name(),
                o.executions,
                o.blocked
            )
        })
        .collect();
    let _ = writeln!(s, "Executions  {}", totals.join("  "));
    for o in outcomes.iter().filter(|o| o.undefined) {
        let _ = writeln!(
            s,
            "{}",
            style.red(&format!(
                "Undefined behaviour under {}: data race",
                o.model.name()
            ))
        );
        for r in &o.races {
            let _ = writeln!(
                s,
                "  on `{}`: {} at {}:{} `{}` and {} at {}:{} `{}`",
                r.location,
                r.first.thread,
                file,
                r.first.line,
                r.first.text,
                r.second.thread,
                file,
                r.second.line,
                r.second.text
            );
        }
    }
    s
}

/// A table cell that sorts numerically when it is a number.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    num: Option<i64>,
    text: String,
}

impl Key {
    fn of(cell: &str) -> Key {
        Key {
            num: cell.parse().ok(),
            text: cell.to_string(),
        }
    }
}
