//! Parser tests: both syntaxes give the same AST for the same program, and
//! every kind of bad input gets an exact diagnostic.

use happens_litmus::ast::{Expr, MemOp, Prop, Stmt, StmtKind};
use happens_litmus::{parse, Diagnostic, Key, Quantifier, Syntax, Test};

const HERD_MP: &str = "C MP
(* message passing *)
{ [x]=0; [data]=0; }
P0 (atomic_int* x, int* data) {
  *data = 42;
  atomic_store_explicit(x, 1, memory_order_release);
}
P1 (atomic_int* x, int* data) {
  int r1 = atomic_load_explicit(x, memory_order_acquire);
  if (r1 == 1) { int r2 = *data; }
}
exists (1:r1=1 /\\ 1:r2=0)
";

const RUST_MP: &str = "// message passing
litmus MP
let x: AtomicUsize = 0;
let data = 0;
thread t1 { data = 42; x.store(1, Release); }
thread t2 { let r1 = x.load(Acquire); if r1 == 1 { let r2 = data; } }
exists (t2.r1 == 1 && t2.r2 == 0)
";

/// The statements without their source positions and texts.
fn shape(b: &[Stmt]) -> Vec<StmtKind> {
    b.iter()
        .map(|s| match &s.kind {
            StmtKind::If { cond, then, els } => StmtKind::If {
                cond: cond.clone(),
                then: strip(then),
                els: strip(els),
            },
            StmtKind::While { cond, body } => StmtKind::While {
                cond: cond.clone(),
                body: strip(body),
            },
            k => k.clone(),
        })
        .collect()
}

fn strip(b: &[Stmt]) -> Vec<Stmt> {
    shape(b)
        .into_iter()
        .map(|kind| Stmt {
            kind,
            line: 0,
            text: String::new(),
        })
        .collect()
}

fn ok(file: &str, src: &str) -> Test {
    match parse(file, src.as_bytes()) {
        Ok(t) => t,
        Err(d) => panic!("{d}"),
    }
}

#[test]
fn herd_and_rust_give_the_same_ast() {
    let h = ok("mp.litmus", HERD_MP);
    let r = ok("mp.rlitmus", RUST_MP);
    assert_eq!(h.syntax, Syntax::Herd);
    assert_eq!(r.syntax, Syntax::Rust);
    assert_eq!(h.name, "MP");
    assert_eq!(r.name, "MP");
    let locs = |t: &Test| -> Vec<(String, i64)> {
        t.locations
            .iter()
            .map(|l| (l.name.clone(), l.init))
            .collect()
    };
    assert_eq!(locs(&h), locs(&r));
    assert_eq!(h.threads.len(), 2);
    for (a, b) in h.threads.iter().zip(&r.threads) {
        assert_eq!(a.registers, b.registers);
        assert_eq!(shape(&a.body), shape(&b.body));
    }
    let (hc, rc) = (h.condition.unwrap(), r.condition.unwrap());
    assert_eq!(hc.quantifier, Quantifier::Exists);
    assert_eq!(hc.prop, rc.prop);
    assert_eq!(h.threads[0].name, "P0");
    assert_eq!(r.threads[0].name, "t1");
}

#[test]
fn herd_ast_details() {
    let t = ok("mp.litmus", HERD_MP);
    // *data = 42 is a non-atomic store to `data` (location 1)
    match &t.threads[0].body[0].kind {
        StmtKind::Eval(Expr::Mem(m)) => match &**m {
            MemOp::Store { loc, value, ord } => {
                assert_eq!(*loc, 1);
                assert_eq!(*value, Expr::Int(42));
                assert!(!ord.is_atomic());
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    assert_eq!(t.threads[0].body[0].line, 5);
    assert_eq!(t.threads[0].body[0].text, "*data = 42;");
    assert_eq!(t.threads[1].body[1].text, "if (r1 == 1)");
    match &t.condition.as_ref().unwrap().prop {
        Prop::And(a, _) => assert_eq!(
            **a,
            Prop::Atom {
                key: Key::Reg { thread: 1, reg: 0 },
                eq: true,
                value: 1
            }
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(t.key_name(Key::Reg { thread: 1, reg: 1 }), "1:r2");
    let r = ok("mp.rlitmus", RUST_MP);
    assert_eq!(r.key_name(Key::Reg { thread: 1, reg: 1 }), "t2.r2");
}

#[test]
fn herd_condition_forms() {
    let base =
        "C T\n{}\nP0 (atomic_int* y) { int r1 = atomic_load_explicit(y, memory_order_relaxed); }\n";
    for (cond, q) in [
        ("forall y=1", Quantifier::Forall),
        ("exists 0:r1 != 0", Quantifier::Exists),
        ("~exists ([y]=1 \\/ ~(0:r1=0))", Quantifier::NotExists),
        ("exists (not (0:r1=-2) /\\ true)", Quantifier::Exists),
    ] {
        let t = ok("c.litmus", &format!("{base}{cond}\n"));
        assert_eq!(t.condition.unwrap().quantifier, q, "{cond}");
    }
    let t = ok(
        "c.litmus",
        &format!("{base}locations [y; 0:r1;]\nexists (0:r1=1)\n"),
    );
    assert_eq!(t.observed.len(), 2);
}

fn err(src: &[u8]) -> Diagnostic {
    match parse("bad.litmus", src) {
        Ok(t) => panic!("parsed: {t:?}"),
        Err(d) => d,
    }
}

fn check(src: &str, line: u32, column: u32, message: &str) {
    let d = err(src.as_bytes());
    assert_eq!(
        (d.line, d.column, d.message.as_str()),
        (line, column, message),
        "{d}"
    );
    assert_eq!(
        d.to_string(),
        format!("bad.litmus:{line}:{column}: error: {message}")
    );
}

#[test]
fn error_empty_file() {
    check(
        "",
        1,
        1,
        "empty file (expected `C NAME` for a herd7 C litmus test or `litmus NAME`)",
    );
    check(
        "\n  // just a comment\n",
        3,
        1,
        "empty file (expected `C NAME` for a herd7 C litmus test or `litmus NAME`)",
    );
}

#[test]
fn error_invalid_utf8() {
    let d = err(b"C T\n{ [x]=0; }\xff\n");
    assert_eq!((d.line, d.column), (2, 11));
    assert_eq!(d.message, "invalid UTF-8 at byte 14");
}

#[test]
fn error_unknown_header() {
    check(
        "AArch64 T\n",
        1,
        1,
        "unsupported architecture `AArch64` (only C litmus tests are supported)",
    );
    check(
        "hello world\n",
        1,
        1,
        "expected `C NAME` (herd7 C litmus test) or `litmus NAME` (Rust syntax), found `hello`",
    );
    check("C\n{}\n", 1, 2, "expected a test name after `C`");
}

#[test]
fn error_unknown_function() {
    check(
        "C T\n{}\nP0 (atomic_int* x) {\n  int r0 = foo(x);\n}\n",
        4,
        12,
        "unknown function `foo` (expected an `atomic_*_explicit` call or `atomic_thread_fence`)",
    );
    check(
        "litmus T\nlet x: AtomicU32 = 0;\nthread a { foo(1); }\n",
        3,
        12,
        "unknown function `foo` (expected `fence`, `spin_loop` or `yield_now`, or a method call such as `x.load(Relaxed)`)",
    );
}

#[test]
fn error_wrong_argument_count() {
    check(
        "C T\n{}\nP0 (atomic_int* x) {\n  int r0 = atomic_load_explicit(x, memory_order_relaxed, 3);\n}\n",
        4,
        12,
        "wrong number of arguments to `atomic_load_explicit` (expected 2, found 3)",
    );
    check(
        "litmus T\nlet x: AtomicU32 = 0;\nthread a { x.store(1); }\n",
        3,
        14,
        "wrong number of arguments to `store` (expected 2, found 1)",
    );
}

#[test]
fn error_undeclared_location() {
    check(
        "C T\n{}\nP0 (atomic_int* x) {\n  atomic_store_explicit(z, 1, memory_order_relaxed);\n}\n",
        4,
        25,
        "undeclared location `z`",
    );
    check(
        "C T\n{}\nP0 (atomic_int* x) {\n  *x = 1;\n}\nexists (z=1)\n",
        6,
        9,
        "undeclared location `z`",
    );
    check(
        "litmus T\nlet x: AtomicU32 = 0;\nthread a { z.store(1, Relaxed); }\n",
        3,
        12,
        "undeclared location `z`",
    );
}

#[test]
fn error_unterminated_block() {
    check(
        "C T\n{}\nP0 (atomic_int* x) {\n  *x = 1;\n",
        5,
        1,
        "unterminated block (opened at line 3)",
    );
    check(
        "litmus T\nlet x = 0;\nthread a {\n  if x == 1 {\n    x = 2;\n}\n",
        7,
        1,
        "unterminated block (opened at line 3)",
    );
}

#[test]
fn error_expected_token() {
    check(
        "C T\n{}\nP0 (atomic_int* x) {\n  *x = 1\n}\n",
        5,
        1,
        "expected `;`, found `}`",
    );
    check(
        "litmus T\nlet x: AtomicBool = false;\nthread a { x.store(1, Sloppy); }\n",
        3,
        23,
        "unknown ordering `Sloppy` (expected Relaxed, Acquire, Release, AcqRel or SeqCst)",
    );
    check(
        "C T\n{}\nP0 (atomic_int* x) {\n  atomic_store_explicit(x, 1, memory_order_acquire);\n}\n",
        4,
        31,
        "`memory_order_acquire` is not a valid order for a store (expected relaxed, release or seq_cst)",
    );
    check(
        "C T\n{ [x]=0; }\nP0 (atomic_int* x) { *x = 1; }\nexists (1:r0=1)\n",
        4,
        9,
        "unknown thread 1 (the test has 1 threads)",
    );
    check(
        "C T\n{ [x]=0; }\n(* open",
        3,
        1,
        "unterminated comment (opened at line 3)",
    );
    check(
        "C T\n{}\nP0 (atomic_int* x) { *x = 1 @ 2; }\n",
        3,
        29,
        "unexpected character `@`",
    );
}

#[test]
fn error_rust_misuse() {
    check(
        "litmus T\nlet x: AtomicUsize = 0;\nthread a { x = 1; }\n",
        3,
        12,
        "`x` is atomic: write `x.store(value, ordering)`",
    );
    check(
        "litmus T\nlet d = 0;\nthread a { let r = d.load(Relaxed); }\n",
        3,
        20,
        "`d` is not atomic (declare it `let d: AtomicUsize = ...;` to call `load`)",
    );
    check(
        "litmus T\nlet x: AtomicUsize = 0;\nthread a { let r = x.load(Relaxed); }\nexists (a.r9 == 1)\n",
        4,
        11,
        "unknown register `r9` of thread `a`",
    );
}

/// Deeply nested input is an error, not a stack overflow.
#[test]
fn deep_nesting_is_an_error() {
    let depth = 100_000;
    let herd = format!(
        "C deep\n{{ x = 0; }}\nP0 (int* x) {{\n  int r = {}1{};\n}}\nexists (0:r=1)\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let d = parse("deep.litmus", herd.as_bytes()).unwrap_err();
    assert!(d.message.starts_with("nesting too deep"), "{d}");
    assert_eq!(d.line, 4);
    let rust = format!(
        "litmus deep\nlet x: AtomicUsize = 0;\nthread t {{ {} }}\n",
        "if 1 { ".repeat(depth)
    );
    let d = parse("deep.litmus", rust.as_bytes()).unwrap_err();
    assert!(d.message.starts_with("nesting too deep"), "{d}");
    let neg = format!(
        "litmus neg\nlet x: AtomicUsize = 0;\nthread t {{ let r = {}1; }}\n",
        "-".repeat(depth)
    );
    let d = parse("neg.litmus", neg.as_bytes()).unwrap_err();
    assert!(d.message.starts_with("nesting too deep"), "{d}");
}

/// A large input is lexed in linear time: positions of late tokens are
/// right, and an error at the very end names its line.
#[test]
fn large_input_reports_the_right_line() {
    let mut src = String::from("litmus big\nlet x: AtomicUsize = 0;\nthread t {\n");
    for _ in 0..200_000 {
        src.push_str("  x.store(1, Relaxed);\n");
    }
    src.push_str("  x.frobnicate();\n}\n");
    let d = parse("big.litmus", src.as_bytes()).unwrap_err();
    assert_eq!((d.line, d.column), (200_004, 5), "{d}");
}
