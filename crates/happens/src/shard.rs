//! One exploration across many machines: shards and their merge.
//!
//! With `HAPPENS_SHARD=K/N` (or [`crate::model::Builder::shard`]) every
//! exploration a process runs explores only its shard `K` (0-based, as
//! Kubernetes' `JOB_COMPLETION_INDEX`) of `N`: all `N` processes split the
//! search into the same pieces ([`happens_engine::explore::parallel::explore_shard`]),
//! each explores its own, and each writes a JSON report per exploration
//! into `HAPPENS_SHARD_DIR` (default `happens-shards` in the current
//! directory). [`merge`] (the CLI's `happens merge`) puts the reports of
//! the `N` shards of an exploration together in the sequential order and
//! gives exactly the report one process would have given: the counts,
//! and the first failure with its execution number and replay key.
//!
//! An exploration is named by its OS thread's name (a test's name under
//! `cargo test`) and its place among that thread's explorations
//! (`tests::mp#1`). Its report's `known` says what the exploration learned
//! as it went (the objects outliving executions it pre-allocates, the call
//! sites where the waiting rule was refuted): an exploration that learns
//! something starts again knowing it, so shards that learned different
//! things (one met a refutation in its pieces that another did not) split
//! different searches, and the merge refuses them rather than add up
//! counts of different explorations.
//!
//! A shard's own report (what `explore` returns, what `model` checks) is
//! its part only: a failure in it fails its process, and only the merge
//! says whether the whole exploration passed.

use std::fmt;
use std::path::{Path, PathBuf};

/// Shard `index` of `of` (`index < of`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub of: usize,
}

impl Shard {
    /// Parses `K/N` (`0 <= K < N`).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (k, n) = s
            .trim()
            .split_once('/')
            .ok_or_else(|| format!("`{s}`: expected K/N, such as 0/4"))?;
        let k: usize = k
            .trim()
            .parse()
            .map_err(|_| format!("`{s}`: K is not a number"))?;
        let n: usize = n
            .trim()
            .parse()
            .map_err(|_| format!("`{s}`: N is not a number"))?;
        if n == 0 || k >= n {
            return Err(format!(
                "`{s}`: expected 0 <= K < N (shards are numbered from 0)"
            ));
        }
        Ok(Shard { index: k, of: n })
    }

    /// `HAPPENS_SHARD`, if set. A value that does not parse panics.
    pub fn from_env() -> Option<Shard> {
        let v = std::env::var("HAPPENS_SHARD").ok()?;
        Some(Shard::parse(&v).unwrap_or_else(|e| panic!("HAPPENS_SHARD: {e}")))
    }
}

/// How many pieces the search is split into for `of` shards.
pub(crate) fn pieces_for(of: usize) -> usize {
    8 * of
}

/// The first failure of a piece.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PieceFailure {
    /// Its number among the piece's executions (1-based).
    pub execution: u64,
    /// [`crate::Failure::kind_name`].
    pub kind: String,
    /// The replay key.
    pub replay: String,
    /// The failure as `Display` renders it.
    pub text: String,
}

/// One piece a shard explored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    /// Its place in the sequential order.
    pub key: Vec<u32>,
    /// Executions, blocked ones included.
    pub visited: u64,
    pub blocked: u64,
    pub failure: Option<PieceFailure>,
}

/// What one shard of one exploration found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardReport {
    /// The exploration's name (see the module docs).
    pub exploration: String,
    pub shard: usize,
    pub of: usize,
    /// Objects outliving executions the exploration pre-allocated.
    pub objects: u64,
    /// Call sites where the waiting rule was refuted, with how often
    /// (file, line, column, times), sorted.
    pub refuted: Vec<(String, u32, u32, u32)>,
    /// The shard's pieces, in key order.
    pub pieces: Vec<Piece>,
    /// Every piece of the shard was explored to its end (no budget, no
    /// bound, no halt; a failure ends its piece, and is complete).
    pub complete: bool,
}

/// The merge of an exploration's shards: one process's report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merged {
    pub exploration: String,
    /// Complete executions (not blocked), up to the first failure.
    pub executions: u64,
    pub blocked: u64,
    /// The first failure in the sequential order, numbered in it.
    pub failure: Option<PieceFailure>,
    /// Every execution was visited (or the exploration stopped at its
    /// first failure, as one process would).
    pub complete: bool,
    pub shards: usize,
}

impl fmt::Display for Merged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} executions ({} blocked) over {} shards",
            self.exploration, self.executions, self.blocked, self.shards
        )?;
        match &self.failure {
            Some(fl) => write!(
                f,
                ", {} at execution {}\nreplay with HAPPENS_REPLAY='{}'\n{}",
                fl.kind, fl.execution, fl.replay, fl.text
            ),
            None if self.complete => write!(f, ", passed"),
            None => write!(f, ", passed the executions visited (not exhaustive)"),
        }
    }
}

/// Merges the reports of one or more explorations (grouped by name, in
/// name order). Each exploration must have each of its `N` shards exactly
/// once, all with the same `N` and having learned the same (see the
/// module docs); one that does not is an `Err` saying why.
pub fn merge(reports: &[ShardReport]) -> Vec<Result<Merged, String>> {
    let mut names: Vec<&str> = reports.iter().map(|r| r.exploration.as_str()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|name| merge_one(name, reports))
        .collect()
}

/// The merge of the exploration `name`'s shards among `reports`.
fn merge_one(name: &str, reports: &[ShardReport]) -> Result<Merged, String> {
    {
        let group: Vec<&ShardReport> = reports.iter().filter(|r| r.exploration == name).collect();
        let of = group[0].of;
        if let Some(r) = group.iter().find(|r| r.of != of) {
            return Err(format!("{name}: shards of {of} and of {} processes", r.of));
        }
        for k in 0..of {
            match group.iter().filter(|r| r.shard == k).count() {
                1 => {}
                0 => return Err(format!("{name}: shard {k}/{of} is missing")),
                _ => return Err(format!("{name}: shard {k}/{of} is there twice")),
            }
        }
        let learned = |r: &ShardReport| {
            let sites: Vec<String> = r
                .refuted
                .iter()
                .map(|(f, l, c, n)| format!("{f}:{l}:{c} ({n}x)"))
                .collect();
            format!("{} objects, refuted [{}]", r.objects, sites.join(", "))
        };
        if let Some(r) = group
            .iter()
            .find(|r| (r.objects, &r.refuted) != (group[0].objects, &group[0].refuted))
        {
            return Err(format!(
                "{name}: its shards learned different things as they explored (shard {}: {}; shard {}: {}), so they explored different searches: run the shards again with HAPPENS_SHARD_LEARN set to this directory of reports, and merge the new ones",
                group[0].shard,
                learned(group[0]),
                r.shard,
                learned(r)
            ));
        }
        let mut pieces: Vec<&Piece> = group.iter().flat_map(|r| &r.pieces).collect();
        pieces.sort_by(|a, b| a.key.cmp(&b.key));
        let (mut visited, mut blocked) = (0u64, 0u64);
        let mut failure = None;
        for p in pieces {
            if let Some(fl) = &p.failure {
                let mut fl = fl.clone();
                fl.execution += visited;
                visited += p.visited;
                blocked += p.blocked;
                failure = Some(fl);
                break;
            }
            visited += p.visited;
            blocked += p.blocked;
        }
        let complete = failure.is_some() || group.iter().all(|r| r.complete);
        Ok(Merged {
            exploration: name.to_string(),
            executions: visited - blocked,
            blocked,
            failure,
            complete,
            shards: of,
        })
    }
}

/// What the shard reports in `dir` (`HAPPENS_SHARD_LEARN`) say the
/// exploration `name` learned: every refuted call site, with the most
/// times any shard says (unreadable files are skipped).
pub(crate) fn learned(dir: &Path, name: &str) -> Vec<(String, u32, u32, u32)> {
    let mut out: Vec<(String, u32, u32, u32)> = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        let Ok(r) = ShardReport::from_json(&text) else {
            continue;
        };
        if r.exploration != name {
            continue;
        }
        for (f, l, c, n) in r.refuted {
            match out.iter_mut().find(|x| x.0 == f && x.1 == l && x.2 == c) {
                Some(x) => x.3 = x.3.max(n),
                None => out.push((f, l, c, n)),
            }
        }
    }
    out.sort();
    out
}

/// The directory reports go to: `HAPPENS_SHARD_DIR`, else `happens-shards`.
pub fn dir() -> PathBuf {
    std::env::var_os("HAPPENS_SHARD_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("happens-shards"))
}

/// The next name for an exploration on a thread named `thread`.
pub(crate) fn exploration_name(thread: Option<&str>) -> String {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static SEEN: Mutex<Option<HashMap<String, usize>>> = Mutex::new(None);
    let base = thread.unwrap_or("main").to_string();
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let n = seen
        .get_or_insert_with(HashMap::new)
        .entry(base.clone())
        .or_insert(0);
    *n += 1;
    format!("{base}#{n}")
}

impl ShardReport {
    /// The report's file in `dir`.
    pub fn path_in(&self, dir: &Path) -> PathBuf {
        let name: String = self
            .exploration
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == '_' || c == '#' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        dir.join(format!("{name}.shard-{}-of-{}.json", self.shard, self.of))
    }

    /// Writes the report into `dir` (made if missing).
    pub fn write_to(&self, dir: &Path) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let path = self.path_in(dir);
        std::fs::write(&path, self.to_json())?;
        Ok(path)
    }

    /// The report as one JSON object.
    pub fn to_json(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "{{\"exploration\":{},\"shard\":{},\"of\":{},\"objects\":{},\"refuted\":[",
            json::string(&self.exploration),
            self.shard,
            self.of,
            self.objects,
        ));
        for (i, (f, l, c, n)) in self.refuted.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push_str(&format!("[{},{l},{c},{n}]", json::string(f)));
        }
        s.push_str(&format!("],\"complete\":{},\"pieces\":[", self.complete));
        for (i, p) in self.pieces.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let key: Vec<String> = p.key.iter().map(|k| k.to_string()).collect();
            s.push_str(&format!(
                "{{\"key\":[{}],\"visited\":{},\"blocked\":{},\"failure\":",
                key.join(","),
                p.visited,
                p.blocked
            ));
            match &p.failure {
                None => s.push_str("null"),
                Some(f) => s.push_str(&format!(
                    "{{\"execution\":{},\"kind\":{},\"replay\":{},\"text\":{}}}",
                    f.execution,
                    json::string(&f.kind),
                    json::string(&f.replay),
                    json::string(&f.text)
                )),
            }
            s.push('}');
        }
        s.push_str("]}\n");
        s
    }

    /// Reads a report [`ShardReport::to_json`] wrote.
    pub fn from_json(text: &str) -> Result<ShardReport, String> {
        let v = json::parse(text)?;
        let num = |v: &json::Value, k: &str| -> Result<u64, String> {
            v.get(k)
                .and_then(json::Value::as_u64)
                .ok_or_else(|| format!("`{k}`: expected a number"))
        };
        let string = |v: &json::Value, k: &str| -> Result<String, String> {
            v.get(k)
                .and_then(json::Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("`{k}`: expected a string"))
        };
        let mut pieces = Vec::new();
        for p in v
            .get("pieces")
            .and_then(json::Value::as_array)
            .ok_or("`pieces`: expected an array")?
        {
            let key = p
                .get("key")
                .and_then(json::Value::as_array)
                .ok_or("`key`: expected an array")?
                .iter()
                .map(|k| {
                    k.as_u64()
                        .and_then(|k| u32::try_from(k).ok())
                        .ok_or_else(|| "`key`: expected numbers".to_string())
                })
                .collect::<Result<Vec<u32>, String>>()?;
            let failure = match p.get("failure") {
                None | Some(json::Value::Null) => None,
                Some(f) => Some(PieceFailure {
                    execution: num(f, "execution")?,
                    kind: string(f, "kind")?,
                    replay: string(f, "replay")?,
                    text: string(f, "text")?,
                }),
            };
            pieces.push(Piece {
                key,
                visited: num(p, "visited")?,
                blocked: num(p, "blocked")?,
                failure,
            });
        }
        Ok(ShardReport {
            exploration: string(&v, "exploration")?,
            shard: num(&v, "shard")? as usize,
            of: num(&v, "of")? as usize,
            objects: num(&v, "objects")?,
            refuted: v
                .get("refuted")
                .and_then(json::Value::as_array)
                .ok_or("`refuted`: expected an array")?
                .iter()
                .map(|r| {
                    let r = r.as_array().filter(|r| r.len() == 4);
                    let r = r.ok_or("`refuted`: expected [file, line, column, times]")?;
                    let n = |i: usize| {
                        r[i].as_u64()
                            .and_then(|x| u32::try_from(x).ok())
                            .ok_or("`refuted`: expected numbers")
                    };
                    Ok((
                        r[0].as_str()
                            .ok_or("`refuted`: expected a file")?
                            .to_string(),
                        n(1)?,
                        n(2)?,
                        n(3)?,
                    ))
                })
                .collect::<Result<Vec<_>, &str>>()?,
            complete: matches!(v.get("complete"), Some(json::Value::Bool(true))),
            pieces,
        })
    }
}

mod json;
