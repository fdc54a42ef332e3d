//! Bad input never panics: each broken file gives exactly one diagnostic
//! line `file:line:column: error: <what was found, what was expected>` on
//! stderr, the exit code is 1, and the other files on the command line still
//! run.

use std::path::PathBuf;
use std::process::{Command, Output};

fn happens(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_happens"))
        .args(args)
        .output()
        .expect("run the happens binary")
}

/// Writes `bytes` to a fresh file named `name` and returns its path.
fn file(name: &str, bytes: &[u8]) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bad_input");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `happens litmus` on one file and checks the shape of the failure:
/// exit code 1, nothing on stdout, one stderr line starting with
/// `path:line:column: error: `. Returns (line, column, message).
fn diagnose(name: &str, bytes: &[u8]) -> (u32, u32, String) {
    let path = file(name, bytes);
    let out = happens(&["litmus", &path]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(out.stdout.is_empty(), "stdout: {}", text(&out.stdout));
    assert!(!stderr.contains("panicked"), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "expected one diagnostic line, got: {stderr}"
    );
    let rest = lines[0]
        .strip_prefix(&format!("{path}:"))
        .unwrap_or_else(|| panic!("diagnostic does not start with the file name: {stderr}"));
    let mut parts = rest.splitn(3, ':');
    let line: u32 = parts.next().unwrap().parse().expect("a line number");
    let column: u32 = parts.next().unwrap().parse().expect("a column number");
    let message = parts
        .next()
        .unwrap()
        .strip_prefix(" error: ")
        .unwrap_or_else(|| panic!("no ` error: ` after the position: {stderr}"))
        .to_string();
    assert!(line >= 1 && column >= 1);
    assert!(!message.is_empty());
    (line, column, message)
}

const HERD_HEAD: &str = "C bad\n{ [x]=0; [y]=0; }\n\nP0 (atomic_int* x, atomic_int* y) {\n";
const RUST_HEAD: &str = "litmus bad\nlet x: AtomicUsize = 0;\nthread t1 {\n";

/// Checks that `src` fails with exactly `line:column: error: message`.
fn expect(name: &str, src: &[u8], line: u32, column: u32, message: &str) {
    assert_eq!(
        diagnose(name, src),
        (line, column, message.to_string()),
        "diagnostic of {name}"
    );
}

#[test]
fn unknown_function() {
    expect(
        "herd_unknown_fn.litmus",
        format!("{HERD_HEAD}  atomic_frobnicate_explicit(x, 1, memory_order_relaxed);\n}}\n").as_bytes(),
        5,
        3,
        "unknown function `atomic_frobnicate_explicit` (expected an `atomic_*_explicit` call or `atomic_thread_fence`)",
    );
    expect(
        "rust_unknown_fn.litmus",
        format!("{RUST_HEAD}    let r = foo(1);\n}}\n").as_bytes(),
        4,
        13,
        "unknown function `foo` (expected `fence`, `spin_loop` or `yield_now`, or a method call such as `x.load(Relaxed)`)",
    );
    expect(
        "rust_unknown_method.litmus",
        format!("{RUST_HEAD}    x.frobnicate(1, Relaxed);\n}}\n").as_bytes(),
        4,
        7,
        "unknown method `frobnicate` (expected load, store, swap, fetch_add, fetch_sub, fetch_and, fetch_or, fetch_xor, fetch_nand, fetch_max, fetch_min, compare_exchange or compare_exchange_weak)",
    );
}

#[test]
fn wrong_arity() {
    expect(
        "herd_arity.litmus",
        format!("{HERD_HEAD}  atomic_store_explicit(x, 1);\n}}\n").as_bytes(),
        5,
        3,
        "wrong number of arguments to `atomic_store_explicit` (expected 3, found 2)",
    );
    expect(
        "rust_arity.litmus",
        format!("{RUST_HEAD}    x.store(1);\n}}\n").as_bytes(),
        4,
        7,
        "wrong number of arguments to `store` (expected 2, found 1)",
    );
    expect(
        "rust_fence_arity.litmus",
        format!("{RUST_HEAD}    let r = fence(Relaxed, 1);\n}}\n").as_bytes(),
        4,
        13,
        "wrong number of arguments to `fence` (expected 1, found 2)",
    );
}

#[test]
fn undeclared_location() {
    expect(
        "herd_undeclared.litmus",
        format!("{HERD_HEAD}  atomic_store_explicit(z, 1, memory_order_relaxed);\n}}\n").as_bytes(),
        5,
        25,
        "undeclared location `z`",
    );
    expect(
        "rust_undeclared.litmus",
        format!("{RUST_HEAD}    z.store(1, Relaxed);\n}}\n").as_bytes(),
        4,
        5,
        "undeclared location `z`",
    );
}

#[test]
fn unterminated_block() {
    expect(
        "herd_unterminated.litmus",
        format!("{HERD_HEAD}  atomic_store_explicit(x, 1, memory_order_relaxed);\n").as_bytes(),
        6,
        1,
        "unterminated block (opened at line 4)",
    );
    expect(
        "rust_unterminated.litmus",
        format!(
            "{RUST_HEAD}    x.store(1, Relaxed);\n    if x.load(Relaxed) == 1 {{\n        x.store(2, Relaxed);\n}}\n"
        )
        .as_bytes(),
        8,
        1,
        "unterminated block (opened at line 3)",
    );
}

#[test]
fn empty_file() {
    let (line, column, msg) = diagnose("empty.litmus", b"");
    assert_eq!((line, column), (1, 1), "{msg}");
    assert!(msg.starts_with("empty file (expected `C NAME`"), "{msg}");
}

#[test]
fn non_utf8_bytes() {
    let mut src = HERD_HEAD.as_bytes().to_vec();
    src.extend_from_slice(b"  atomic_store_explicit(x, \xff\xfe, memory_order_relaxed);\n}\n");
    // Byte 88 is the 28th character of line 5.
    expect("latin1.litmus", &src, 5, 28, "invalid UTF-8 at byte 88");
}

#[test]
fn ten_megabytes_of_random_bytes() {
    // A fixed xorshift stream: the same 10 MiB every run.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let bytes: Vec<u8> = (0..10 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let (line, column, msg) = diagnose("random.litmus", &bytes);
    assert!(line >= 1 && column >= 1, "{msg}");
    assert!(msg.len() < 500, "diagnostic too long: {} bytes", msg.len());
}

#[test]
fn missing_file_is_reported_and_other_files_still_run() {
    let good = file(
        "good.litmus",
        b"C good\n{ [x]=0; }\nP0 (atomic_int* x) {\n  atomic_store_explicit(x, 1, memory_order_relaxed);\n}\nexists ([x]=1)\n",
    );
    let out = happens(&["litmus", "/nonexistent/happens/missing.litmus", &good]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("/nonexistent/happens/missing.litmus: error: cannot read file:"),
        "{stderr}"
    );
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("Test good (model rust)\n"), "{stdout}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["litmus"][..],
        &["frobnicate"],
        &["litmus", "--model", "tso", "x.litmus"],
        &["litmus", "--max-events", "many", "x.litmus"],
        &["compare", "--models", "rc11,nope", "x.litmus"],
    ] {
        let out = happens(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(text(&out.stderr).contains("error"), "{args:?}");
    }
}

/// An execution that cannot run to its end (an array index out of bounds)
/// is reported and fails the file: exit 1.
#[test]
fn out_of_bounds_array_access_fails_the_file() {
    let dir = std::env::temp_dir().join("happens-oob-test");
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("oob.litmus");
    std::fs::write(
        &f,
        "C oob\n{ int y[2] = {0, 0}; [i] = 0; }\n\
         P0 (atomic_int* i, int* y) {\n  int r0 = atomic_load_explicit(i, memory_order_relaxed);\n  int r1 = atomic_load_explicit(y+r0, memory_order_relaxed);\n}\n\
         P1 (atomic_int* i) {\n  atomic_store_explicit(i, 2, memory_order_relaxed);\n}\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_happens"))
        .arg("litmus")
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("errors 1 (first: thread P0 accessed an array out of its bounds)"),
        "{text}"
    );
}
