//! `happens`: the command-line front of the `happens` model checker.
//!
//! The binary is deliberately thin. It reads files, hands them to
//! `happens-litmus` (parse, explore), and formats the [`Outcome`]s it gets
//! back as text ([`report`]), side-by-side model comparisons ([`compare`]) or
//! JSON lines ([`json`]). No memory-model logic lives here.
//!
//! Exit codes: `0` when every file was read, parsed and run; `1` when any file
//! failed (its diagnostic is printed as one `file:line:column: error: ...`
//! line and the remaining files still run), or one of its executions could
//! not run to its end (an array index out of bounds); `2` for usage errors.

mod advise;
mod compare;
mod graph;
mod inputs;
mod json;
mod merge;
mod progress;
mod report;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use happens_engine::ModelKind;
use happens_litmus::{Outcome, RunOptions};

use crate::inputs::Input;
use crate::report::Style;

const LITMUS_EXAMPLES: &str = "\
Examples:
  # Every outcome of store buffering under Rust's memory model (the default):
  happens litmus examples/litmus/sb_relaxed.litmus

  # The same test under sequential consistency:
  happens litmus --model sc examples/litmus/sb_relaxed.litmus

  # Under the RC11 paper's weaker SeqCst rule:
  happens litmus --model rc11 examples/litmus/wwmerge.litmus

  # On an x86-64 machine, the test compiled by the standard mapping:
  happens litmus --model x86 examples/litmus/mp_relaxed.litmus

  # One execution diagram per outcome, and an HTML report with SVGs:
  happens litmus --graph examples/litmus/mp_relaxed.litmus
  happens litmus --html report.html examples/litmus/spin_mutex_relaxed.litmus

  # Every execution, or only the 3rd, each with its replay key:
  happens litmus --graph all examples/litmus/sb_relaxed.litmus
  happens litmus --graph 3 examples/litmus/sb_relaxed.litmus

  # A whole directory of tests, one JSON object per test per line:
  happens litmus --json ../shared/litmus/c11/classic

Reading the output:
  Each row of the table is one final state (registers `T:r` of thread T and
  final values of locations), with the number of execution graphs (up to rf
  and modification order) that end in it. The condition line says whether the
  test's proposition holds always, sometimes or never, and herd's verdict for
  its quantifier (Ok: the `exists` is reachable / the `forall` always holds /
  the `~exists` is unreachable; No otherwise). A data race between
  non-atomic accesses is undefined behaviour: it is reported with both
  accesses and their source lines, and the verdict becomes Undef.";

const COMPARE_EXAMPLES: &str = "\
Examples:
  # Which outcomes does each model allow (all of them)?
  happens compare examples/litmus/sb_relaxed.litmus

  # Where C++20's SeqCst rule (rust) and the RC11 paper's part:
  happens compare --models rust,rc11 examples/litmus/wwmerge.litmus

  # Choose the models explicitly (comma-separated):
  happens compare --models sc,rust examples/litmus/mp_relaxed.litmus

Each row is a final state; each model column gives the number of executions
that reach it under that model, or `-` when the model forbids it.

Models: `rust` (the default: C++20's model as its text defines it, which Rust
inherits, with RC11's no-thin-air axiom), `rc11` (the RC11 paper, whose SC
order asks less of SeqCst accesses to one location), `sc` (sequential
consistency), `c++20` (C++20 as written: `rust` without no-thin-air, so
load buffering is allowed; a value no write determines shows as `S1`), `x86`
(x86-TSO, running the test compiled by the standard mapping: plain moves,
`xchg` for SeqCst stores, locked RMWs, `mfence` for SeqCst fences) and `arm`
(ARMv8, herd's aarch64.cat, after the standard mapping: LDR/LDAR, STR/STLR,
LSE atomics, DMB). Hardware has no undefined behaviour: `x86` and `arm`
report no races.";

const REPLAY_EXAMPLES: &str = "\
Examples:
  # Draw the execution whose key `happens litmus --graph` printed:
  happens replay examples/litmus/mp_relaxed.litmus 'h1/2.1<0.3,2.2<0.0/0.0:0.0;0.1:0.1,1.2'

  # The same execution as an SVG picture:
  happens replay examples/litmus/mp_relaxed.litmus 'h1/...' --svg mp.svg

A key names, for every read, the write it reads from, and for every
location the order of its writes; it only fits the test it was printed for.";

const ADVISE_EXAMPLES: &str = "\
Examples:
  # Which orderings does store buffering with SeqCst fences need?
  happens advise examples/litmus/sb_fences.litmus

  # Under RC11's SeqCst rule instead of C++20's:
  happens advise --model rc11 examples/litmus/seqcst_z.litmus

A test passes when its final condition rules its outcome out (`exists P` and
`~exists P`: P never holds; `forall P`: P always holds) and no execution
races. For a passing test, each atomic access and fence alone is given the
weakest orderings that keep it passing with every other as written (a fence
may be removed), each with an execution that shows why the next weaker one
fails (its diagram and replay key, of the test with that ordering written
in); then one combination of weakest orderings, by greedy descent in source
order, run as a whole. For a failing test: the accesses whose stronger
ordering alone makes it pass. Exit status: 0 when every file was advised,
1 when one could not be (a parse error, an execution that could not run),
2 for usage errors.";

const MERGE_EXAMPLES: &str = "\
Examples:
  # Four shards of every exploration of a test suite, then their merge:
  for k in 0 1 2 3; do HAPPENS_SHARD=$k/4 cargo test --release; done
  happens merge happens-shards/

  # On a CI matrix or a Kubernetes Indexed Job, each job runs its shard
  # (HAPPENS_SHARD=$JOB_COMPLETION_INDEX/4) and uploads happens-shards/;
  # one last job downloads them all and merges.

For each exploration (named after its test's thread and its place among
that test's explorations), the merge is the report one process would have
given: the counts, and the first failure in the sequential order with its
execution number and replay key. Exit status: 0 when every exploration
passed, 1 when one failed, 2 when reports are missing, repeated, from
different numbers of shards, or unreadable.";

/// Explore every execution of a concurrent program under the Rust/C++20
/// memory model.
#[derive(Parser, Debug)]
#[command(
    name = "happens",
    version,
    about = "Explore every execution of a small concurrent program under the Rust/C++20 memory model, RC11, SC or x86-TSO",
    long_about = None,
    after_help = "Examples:
  happens litmus examples/litmus/sb_relaxed.litmus
  happens litmus --model sc --json examples/litmus/*.litmus
  happens compare examples/litmus/mp_relaxed.litmus

Run `happens help litmus` or `happens help compare` for more."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run litmus tests (herd C11 format or the Rust-flavoured format) and
    /// print every final state, the condition's verdict and any data race.
    #[command(after_help = LITMUS_EXAMPLES)]
    Litmus(LitmusArgs),
    /// Run litmus tests under several models and show their outcomes side
    /// by side.
    #[command(after_help = COMPARE_EXAMPLES)]
    Compare(CompareArgs),
    /// Show one execution of a litmus test again, from the replay key that
    /// `happens litmus --graph` printed for it.
    #[command(after_help = REPLAY_EXAMPLES)]
    Replay(ReplayArgs),
    /// Which ordering does each atomic access need? Run litmus tests again
    /// with one access's ordering weakened (or, for a failing test,
    /// strengthened) at a time.
    #[command(after_help = ADVISE_EXAMPLES)]
    Advise(AdviseArgs),
    /// Merge the shard reports of explorations run as several processes
    /// (`HAPPENS_SHARD=K/N`) into the report of one.
    #[command(after_help = MERGE_EXAMPLES)]
    Merge(merge::MergeArgs),
}

#[derive(Args, Debug)]
struct AdviseArgs {
    /// Litmus files, or directories searched recursively for `*.litmus`.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// Memory model (as for `happens litmus`); one the explorer runs:
    /// `rust`, `rc11`, `sc` or `x86`.
    #[arg(long, default_value = ModelKind::default().name(), value_parser = parse_model)]
    model: ModelKind,
    /// Print one JSON object per test per line instead of text (the
    /// counter-examples' diagrams left out: their replay keys are there).
    #[arg(long)]
    json: bool,
    /// Draw the counter-examples with ASCII characters only.
    #[arg(long)]
    ascii: bool,
    /// Width the diagrams must fit in (default: $COLUMNS, else 100).
    #[arg(long, value_name = "COLUMNS")]
    width: Option<usize>,
    /// Stop a thread after this many events.
    #[arg(long, value_name = "N", default_value_t = RunOptions::default().max_events_per_thread)]
    max_events: usize,
}

#[derive(Args, Debug)]
struct Common {
    /// Litmus files, or directories searched recursively for `*.litmus`.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print one JSON object per test per line instead of text.
    #[arg(long)]
    json: bool,
    /// Stop a thread after this many events (guards unbounded loops); such
    /// executions are counted as `bound exceeded`.
    #[arg(long, value_name = "N", default_value_t = RunOptions::default().max_events_per_thread)]
    max_events: usize,
    /// Re-check every execution graph against all axioms from scratch
    /// (slow; for debugging the checker itself).
    #[arg(long)]
    check_full: bool,
}

#[derive(Args, Debug)]
struct LitmusArgs {
    #[command(flatten)]
    common: Common,
    /// Memory model: `rust` (Rust and C++20, with RC11's no-thin-air axiom),
    /// `rc11` (the RC11 paper's weaker SeqCst rule), `sc` (sequential
    /// consistency), `c++20` (C++20 as written: load buffering allowed),
    /// `x86` (x86-TSO, the test compiled by the standard mapping) or `arm`
    /// (ARMv8 after the standard mapping). `c++20` and `arm` executions are
    /// enumerated whole: no diagrams or replay keys.
    #[arg(long, default_value = ModelKind::default().name(), value_parser = parse_model)]
    model: ModelKind,
    /// After each report, draw executions as terminal diagrams: `--graph`
    /// draws one execution per final state, `--graph all` every execution,
    /// `--graph N` the N-th. Each comes with its replay key. Boxes show each
    /// operation compactly (`x = 1 rlx`, `r0 = y acq → 1`, `cas 0→1 acq`);
    /// the statements themselves are in the list form and the SVG tooltips.
    #[arg(
        long,
        value_name = "WHICH",
        num_args = 0..=1,
        default_missing_value = "outcomes",
        conflicts_with = "json"
    )]
    graph: Option<String>,
    /// Draw the diagrams with ASCII characters only (with --graph).
    #[arg(long, requires = "graph")]
    ascii: bool,
    /// Width the diagrams must fit in (default: $COLUMNS, else 100); a
    /// diagram that cannot fit is printed as a list.
    #[arg(long, value_name = "COLUMNS", requires = "graph")]
    width: Option<usize>,
    /// Also write a self-contained HTML report: the outcome table, and a
    /// diagram per outcome shown when it is clicked. PATH ending in `.html`
    /// is one file for all tests (titled with their names); otherwise a
    /// directory with one `<test>.<model>.html` per test.
    #[arg(long, value_name = "PATH")]
    html: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct ReplayArgs {
    /// The litmus file the execution belongs to.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The replay key printed with the execution (`h1/...`).
    #[arg(value_name = "KEY")]
    key: String,
    /// Memory model the key was found under.
    #[arg(long, default_value = ModelKind::default().name(), value_parser = parse_model)]
    model: ModelKind,
    /// Draw with ASCII characters only.
    #[arg(long)]
    ascii: bool,
    /// Width the diagram must fit in (default: $COLUMNS, else 100).
    #[arg(long, value_name = "COLUMNS")]
    width: Option<usize>,
    /// Also write the diagram as a self-contained SVG file.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
    /// Also write the diagram as Graphviz DOT.
    #[arg(long, value_name = "FILE")]
    dot: Option<PathBuf>,
    /// Stop a thread after this many events.
    #[arg(long, value_name = "N", default_value_t = RunOptions::default().max_events_per_thread)]
    max_events: usize,
}

#[derive(Args, Debug)]
struct CompareArgs {
    #[command(flatten)]
    common: Common,
    /// Comma-separated memory models to compare (default: all of them,
    /// `rust,rc11,sc,c++20,x86,arm`).
    #[arg(long, value_delimiter = ',', value_parser = parse_model)]
    models: Vec<ModelKind>,
}

fn parse_model(s: &str) -> Result<ModelKind, String> {
    ModelKind::from_name(s).ok_or_else(|| {
        let known: Vec<&str> = ModelKind::ALL.iter().map(|m| m.name()).collect();
        format!(
            "unknown model `{s}` (expected one of: {})",
            known.join(", ")
        )
    })
}

fn options(common: &Common, model: ModelKind) -> RunOptions {
    RunOptions {
        model,
        max_events_per_thread: common.max_events,
        check_full: common.check_full,
        ..RunOptions::default()
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    usage(&cli);
    let stdout = io::stdout();
    let style = if stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        Style::Color
    } else {
        Style::Plain
    };
    let mut out = io::BufWriter::new(stdout.lock());
    let result = match &cli.command {
        Command::Litmus(args) => run_litmus(args, style, &mut out),
        Command::Compare(args) => run_compare(args, style, &mut out),
        Command::Replay(args) => run_replay(args, style, &mut out),
        Command::Advise(args) => run_advise(args, &mut out),
        Command::Merge(args) => match merge::run(args, &mut out) {
            Ok(Some(ok)) => Ok(ok),
            Ok(None) => {
                let _ = out.flush();
                return ExitCode::from(2);
            }
            Err(e) => Err(e),
        },
    };
    let flushed = out.flush();
    match result.and_then(|ok| flushed.map(|()| ok)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        // A closed pipe (`happens litmus ... | head`) is not a failure.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("happens: error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Runs `happens litmus`. Returns whether every input succeeded.
fn run_litmus(args: &LitmusArgs, style: Style, out: &mut impl Write) -> io::Result<bool> {
    let opts = options(&args.common, args.model);
    let mut ok = true;
    let mut first = true;
    let mut html_outcomes = Vec::new();
    let mut html_tests = Vec::new();
    let (select, files) = graph_and_files(args);
    for input in inputs::expand(&files) {
        let Some((file, test)) = load(input, out)? else {
            ok = false;
            continue;
        };
        let mut drawings = Vec::new();
        let outcome = if let Some(select) = select {
            let (o, d) = graph::terminal(&test, &opts, select, args.ascii, width(args.width));
            drawings = d;
            o
        } else if let Some(path) = &args.html {
            let single = is_html_file(path);
            let prefix = if single {
                format!("{}: ", test.name)
            } else {
                String::new()
            };
            let (o, outcomes) = graph::html_outcomes(&test, &opts, &prefix);
            if single {
                html_outcomes.extend(outcomes);
                html_tests.push(test.name.clone());
            } else {
                let title = format!("{} ({})", test.name, opts.model.name());
                let page = happens_render::render_html(&title, &outcomes);
                let path = path.join(format!(
                    "{}.{}.html",
                    file_stem(&test.name),
                    opts.model.name()
                ));
                ok &= write_file(&path, &page, out)?;
            }
            o
        } else {
            let mut progress = progress::Progress::new(&file);
            let o = happens_litmus::run_with_progress(&test, &opts, || progress.tick());
            progress.finish();
            o
        };
        // an execution that could not run to its end fails the file
        ok &= outcome.errors == 0;
        if args.common.json {
            writeln!(out, "{}", json::outcome_line(&file, &outcome))?;
        } else {
            if !first {
                writeln!(out)?;
            }
            write!(out, "{}", report::outcome(&file, &outcome, style))?;
            for d in &drawings {
                if select == Some(graph::Selection::Outcomes) {
                    let ends = if d.count == 1 {
                        "execution ends"
                    } else {
                        "executions end"
                    };
                    writeln!(
                        out,
                        "\nExecution {}, ending in {} ({} {ends} there):",
                        d.number, d.title, d.count
                    )?;
                } else {
                    writeln!(out, "\nExecution {}, ending in {}:", d.number, d.title)?;
                }
                write!(out, "{}", d.picture)?;
                // a key replays under the model it was found under
                let model = if opts.model == ModelKind::default() {
                    String::new()
                } else {
                    format!("--model {} ", opts.model)
                };
                writeln!(out, "replay: happens replay {model}{file} '{}'", d.key)?;
            }
        }
        first = false;
    }
    if let Some(path) = args.html.as_ref().filter(|p| is_html_file(p)) {
        let title = format!("{} ({})", tests_title(&html_tests), opts.model.name());
        let page = happens_render::render_html(&title, &html_outcomes);
        ok &= write_file(path, &page, out)?;
    }
    Ok(ok)
}

/// Runs `happens advise`. Returns whether every input was advised.
fn run_advise(args: &AdviseArgs, out: &mut impl Write) -> io::Result<bool> {
    let opts = RunOptions {
        model: args.model,
        max_events_per_thread: args.max_events,
        ..RunOptions::default()
    };
    let mut ok = true;
    let mut first = true;
    for input in inputs::expand(&args.files) {
        let Some((file, test)) = load(input, out)? else {
            ok = false;
            continue;
        };
        let a = advise::advise_test(&test, &opts, args.ascii, width(args.width));
        ok &= !a.failure.as_ref().is_some_and(|w| w.error);
        let model = if opts.model == ModelKind::default() {
            String::new()
        } else {
            format!("--model {} ", opts.model)
        };
        if args.json {
            writeln!(out, "{}", json::advice_line(&file, &a))?;
            continue;
        }
        if !first {
            writeln!(out)?;
        }
        write!(
            out,
            "{}",
            advise::render(&file, &a, &format!("happens replay {model}{file}"))
        )?;
        first = false;
    }
    Ok(ok)
}

/// What a report on the tests `names` is called: their names, the first
/// three and how many more when there are more than four.
fn tests_title(names: &[String]) -> String {
    match names {
        [] => "no tests".to_string(),
        [_, _, _, _, _, ..] => format!("{} and {} more", names[..3].join(", "), names.len() - 3),
        _ => names.join(", "),
    }
}

/// The diagram width: `--width`, else `$COLUMNS`, else 100.
fn width(arg: Option<usize>) -> usize {
    arg.or_else(|| std::env::var("COLUMNS").ok()?.parse().ok())
        .filter(|&w| w >= 20)
        .unwrap_or(happens_render::TermOptions::default().width)
}

/// `--graph all`, `--graph 3`, or `--graph FILE`: then FILE is the first
/// input and one execution per outcome is drawn. (Checked by [`usage`].)
fn graph_and_files(args: &LitmusArgs) -> (Option<graph::Selection>, Vec<PathBuf>) {
    let mut files = args.common.files.clone();
    let select = args
        .graph
        .as_deref()
        .map(|w| match w.parse::<graph::Selection>() {
            Ok(s) => s,
            Err(_) => {
                files.insert(0, PathBuf::from(w));
                graph::Selection::Outcomes
            }
        });
    (select, files)
}

/// Usage errors clap cannot see (exit code 2): no input file, or a
/// `--graph` value that looks like a selection but is not one.
fn usage(cli: &Cli) {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let enumerated = |m: ModelKind, what: &str| {
        format!(
            "{what} are not available under `{m}`: its executions are enumerated whole (they may have `po ∪ rf` cycles), not built as graphs"
        )
    };
    match &cli.command {
        Command::Litmus(a) if (a.graph.is_some() || a.html.is_some()) && !a.model.explorable() => {
            cmd.error(
                clap::error::ErrorKind::ArgumentConflict,
                enumerated(a.model, "diagrams (--graph, --html)"),
            )
            .exit();
        }
        Command::Advise(a) if !a.model.explorable() => {
            cmd.error(
                clap::error::ErrorKind::ArgumentConflict,
                enumerated(a.model, "counter-examples (diagrams and replay keys)"),
            )
            .exit();
        }
        Command::Replay(a) if !a.model.explorable() => {
            cmd.error(
                clap::error::ErrorKind::ArgumentConflict,
                enumerated(a.model, "replay keys"),
            )
            .exit();
        }
        _ => {}
    }
    let (files, graph) = match &cli.command {
        Command::Litmus(a) => (&a.common.files, a.graph.as_deref()),
        Command::Compare(a) => (&a.common.files, None),
        Command::Replay(_) | Command::Advise(_) | Command::Merge(_) => return,
    };
    if let Some(w) = graph {
        let looks_like_selection =
            w == "all" || w == "outcomes" || w.chars().all(|c| c.is_ascii_digit());
        if let (true, Err(e)) = (looks_like_selection, w.parse::<graph::Selection>()) {
            cmd.error(
                clap::error::ErrorKind::ValueValidation,
                format!("invalid value '{w}' for '--graph [<WHICH>]': {e}"),
            )
            .exit();
        }
    }
    let graph_is_file = graph.is_some_and(|w| w.parse::<graph::Selection>().is_err());
    if files.is_empty() && !graph_is_file {
        cmd.error(
            clap::error::ErrorKind::MissingRequiredArgument,
            "the following required arguments were not provided:\n  <FILE>...",
        )
        .exit();
    }
}

/// Whether `--html PATH` names one file (rather than a directory).
fn is_html_file(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html"))
}

/// A file name made of a test name.
fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes `text` to `path` (creating its directory); reports a failure on
/// stderr and returns false.
fn write_file(path: &std::path::Path, text: &str, out: &mut impl Write) -> io::Result<bool> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let res = dir
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(path, text));
    if let Err(e) = res {
        out.flush()?;
        eprintln!("{}: error: cannot write file: {e}", path.display());
        return Ok(false);
    }
    Ok(true)
}

/// Runs `happens replay`. Returns whether the key replayed.
fn run_replay(args: &ReplayArgs, style: Style, out: &mut impl Write) -> io::Result<bool> {
    let Some((file, test)) = load(
        Input {
            path: args.file.clone(),
        },
        out,
    )?
    else {
        return Ok(false);
    };
    let key = match happens_engine::ReplayKey::parse(&args.key) {
        Ok(k) => k,
        Err(e) => {
            out.flush()?;
            eprintln!("happens: error: {e}");
            return Ok(false);
        }
    };
    let opts = RunOptions {
        model: args.model,
        max_events_per_thread: args.max_events,
        check_full: false,
        ..RunOptions::default()
    };
    let term = happens_render::TermOptions {
        ascii: args.ascii,
        width: width(args.width),
    };
    let mut drawing = None;
    let mut pictures = (None, None);
    let outcome = happens_litmus::replay(&test, &opts, &key, |e| {
        if *e.status == happens_engine::Status::ReplayMismatch {
            return;
        }
        drawing = Some(graph::drawing(e, 1, &|g, l, m| {
            happens_render::render_terminal(g, l, m, &term)
        }));
        let d = graph::drawing(e, 1, &|g, l, m| happens_render::render_svg(g, l, m));
        let dot = graph::drawing(e, 1, &|g, l, m| happens_render::render_dot(g, l, m));
        pictures = (Some(d.picture), Some(dot.picture));
    });
    let Some(d) = drawing else {
        out.flush()?;
        eprintln!(
            "{file}: error: the replay key does not describe an execution of test `{}` under {}",
            test.name,
            args.model.name()
        );
        return Ok(false);
    };
    write!(out, "{}", report::outcome(&file, &outcome, style))?;
    writeln!(out, "\nThe execution, ending in {}:", d.title)?;
    write!(out, "{}", d.picture)?;
    let mut ok = true;
    if let (Some(path), Some(svg)) = (&args.svg, &pictures.0) {
        ok &= write_file(path, svg, out)?;
    }
    if let (Some(path), Some(dot)) = (&args.dot, &pictures.1) {
        ok &= write_file(path, dot, out)?;
    }
    Ok(ok)
}

/// Runs `happens compare`. Returns whether every input succeeded.
fn run_compare(args: &CompareArgs, style: Style, out: &mut impl Write) -> io::Result<bool> {
    // each model once, in the order given; every model when none is
    let given: &[ModelKind] = if args.models.is_empty() {
        &ModelKind::ALL
    } else {
        &args.models
    };
    let mut models: Vec<ModelKind> = Vec::new();
    for &m in given {
        if !models.contains(&m) {
            models.push(m);
        }
    }
    let mut ok = true;
    let mut first = true;
    for input in inputs::expand(&args.common.files) {
        let Some((file, test)) = load(input, out)? else {
            ok = false;
            continue;
        };
        let outcomes: Vec<Outcome> = models
            .iter()
            .map(|&m| happens_litmus::run(&test, &options(&args.common, m)))
            .collect();
        // an execution that could not run to its end fails the file
        ok &= outcomes.iter().all(|o| o.errors == 0);
        if args.common.json {
            writeln!(out, "{}", json::compare_line(&file, &outcomes))?;
        } else {
            if !first {
                writeln!(out)?;
            }
            write!(out, "{}", compare::table(&file, &outcomes, style))?;
        }
        first = false;
    }
    Ok(ok)
}

/// Reads and parses one input; prints its diagnostic (to stderr) on failure.
/// Stdout is flushed first so that errors appear in order with the results.
fn load(input: Input, out: &mut impl Write) -> io::Result<Option<(String, happens_litmus::Test)>> {
    match inputs::load(input) {
        Ok(loaded) => Ok(Some(loaded)),
        Err(diagnostic) => {
            out.flush()?;
            eprintln!("{diagnostic}");
            Ok(None)
        }
    }
}
