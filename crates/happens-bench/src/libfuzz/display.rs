//! A program written out as the Rust it stands for.

use super::*;

fn ord(o: Ordering) -> &'static str {
    match o {
        Relaxed => "Relaxed",
        Acquire => "Acquire",
        Release => "Release",
        AcqRel => "AcqRel",
        SeqCst => "SeqCst",
        _ => "?",
    }
}

fn write_ops(f: &mut fmt::Formatter<'_>, ops: &[Op], indent: usize) -> fmt::Result {
    let pad = "    ".repeat(indent);
    for o in ops {
        write!(f, "{pad}")?;
        match o {
            Op::Load { loc, ord: o } => writeln!(f, "a{loc}.load({});", ord(*o))?,
            Op::Store { loc, val, ord: o } => writeln!(f, "a{loc}.store({val}, {});", ord(*o))?,
            Op::FetchAdd { loc, val, ord: o } => {
                writeln!(f, "a{loc}.fetch_add({val}, {});", ord(*o))?
            }
            Op::FetchSub { loc, val, ord: o } => {
                writeln!(f, "a{loc}.fetch_sub({val}, {});", ord(*o))?
            }
            Op::Swap { loc, val, ord: o } => writeln!(f, "a{loc}.swap({val}, {});", ord(*o))?,
            Op::Cas {
                loc,
                expected,
                new,
                success,
                failure,
                weak,
            } => writeln!(
                f,
                "a{loc}.compare_exchange{}({expected}, {new}, {}, {});",
                if *weak { "_weak" } else { "" },
                ord(*success),
                ord(*failure)
            )?,
            Op::CasLoop {
                loc,
                tries,
                success,
                failure,
                weak,
            } => writeln!(
                f,
                "let mut cur = a{loc}.load(Relaxed); for _ in 0..{tries} {{ match a{loc}.compare_exchange{}(cur, cur + 1, {}, {}) {{ Ok(_) => break, Err(v) => cur = v }} }}",
                if *weak { "_weak" } else { "" },
                ord(*success),
                ord(*failure)
            )?,
            Op::Fence(o) => writeln!(f, "fence({});", ord(*o))?,
            Op::CellRead { max: None } => writeln!(f, "cell.with(|p| *p);")?,
            Op::CellRead { max: Some(m) } => {
                writeln!(f, "assert!(cell.with(|p| *p) <= {m});")?
            }
            Op::CellWrite { val } => writeln!(f, "cell.with_mut(|p| *p = {val});")?,
            Op::Repeat { loc, k, ord: o } => {
                writeln!(f, "for _ in 0..{k} {{ a{loc}.load({}); }}", ord(*o))?
            }
            Op::Lock { m, add, max, body } => {
                writeln!(f, "{{ let mut g = m{m}.lock().expect(..); *g += {add};")?;
                if let Some(max) = max {
                    writeln!(f, "{pad}    assert!(*g <= {max});")?;
                }
                write_ops(f, body, indent + 1)?;
                writeln!(f, "{pad}}}")?;
            }
            Op::RwRead { max, body } => {
                writeln!(f, "{{ let g = rw.read().expect(..);")?;
                if let Some(max) = max {
                    writeln!(f, "{pad}    assert!(*g <= {max});")?;
                }
                write_ops(f, body, indent + 1)?;
                writeln!(f, "{pad}}}")?;
            }
            Op::RwWrite { add, body } => {
                writeln!(f, "{{ let mut g = rw.write().expect(..); *g += {add};")?;
                write_ops(f, body, indent + 1)?;
                writeln!(f, "{pad}}}")?;
            }
            Op::SetFlag { flag, ord: o, one } => {
                if *flag == CV_FLAG {
                    writeln!(
                        f,
                        "*cv_m.lock().expect(..) = true; cv.{}();",
                        if *one { "notify_one" } else { "notify_all" }
                    )?
                } else {
                    writeln!(f, "flag{flag}.store(true, {});", ord(*o))?
                }
            }
            Op::SpinUntil {
                flag,
                ord: o,
                yield_now,
            } => {
                if *flag == CV_FLAG {
                    writeln!(
                        f,
                        "let mut g = cv_m.lock().expect(..); while !*g {{ g = cv.wait(g).expect(..); }}"
                    )?
                } else {
                    writeln!(
                        f,
                        "while !flag{flag}.load({}) {{ {} }}",
                        ord(*o),
                        if *yield_now {
                            "thread::yield_now();"
                        } else {
                            "hint::spin_loop();"
                        }
                    )?
                }
            }
            Op::Assert { loc, ord: o, max } => {
                writeln!(f, "assert!(a{loc}.load({}) <= {max});", ord(*o))?
            }
            Op::Panic => writeln!(f, "panic!();")?,
            Op::Guard { loc, panics } => writeln!(
                f,
                "let _g = Guard; // drop: a{loc}.fetch_add(1, Relaxed){}",
                if *panics { "; panic!()" } else { "" }
            )?,
            Op::Recurse { depth } => writeln!(f, "recurse({depth});")?,
            Op::PtrPublish { val, ord: o } => writeln!(
                f,
                "free(ptr.swap(Box::into_raw(Box::new(UnsafeCell::new({val}))), {}));",
                ord(*o)
            )?,
            Op::PtrTake { ord: o, max } => writeln!(
                f,
                "let p = ptr.swap(null, {}); read and free *p{};",
                ord(*o),
                max.map(|m| format!(", assert <= {m}")).unwrap_or_default()
            )?,
            Op::Forget => writeln!(f, "mem::forget(Arc::new(0u8));")?,
            Op::Unbounded { loc } => writeln!(f, "loop {{ a{loc}.fetch_add(1, Relaxed); }}")?,
            Op::Wild => writeln!(f, "read_volatile(0x10 as *const usize);")?,
            Op::Join { thread, expect } => writeln!(
                f,
                "h{thread}.join(){};",
                if *expect { ".expect(..)" } else { "" }
            )?,
        }
    }
    Ok(())
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "// explored {}",
            if self.parallel {
                "on two workers with a time budget"
            } else {
                "with an execution budget"
            }
        )?;
        for (t, ops) in self.threads.iter().enumerate() {
            if t == 0 {
                writeln!(f, "main (thread 0):")?;
            } else {
                writeln!(f, "thread {t} (let h{t} = thread::spawn(..)):")?;
            }
            write_ops(f, ops, 1)?;
        }
        Ok(())
    }
}
