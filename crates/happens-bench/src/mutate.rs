//! Fuzz inputs: byte-level mutations of seed files, splices of two seeds,
//! truncations, token soups, deep nesting and plain random bytes (up to
//! [`MAX_LEN`]). Each input is a pure function of the seed files and a
//! 64-bit case number, so a crashing input can always be regenerated.

use crate::rng::Rng;

/// The largest input generated: 10 MiB.
pub const MAX_LEN: usize = 10 << 20;

/// Fragments of both litmus syntaxes (and some troublemakers) that the
/// mutators insert, so that mutated inputs get past the first token more
/// often than random bytes would.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"(",
    b")",
    b"[",
    b"]",
    b";",
    b",",
    b":",
    b"=",
    b"==",
    b"!=",
    b"!",
    b"&&",
    b"||",
    b"/\\",
    b"\\/",
    b"~",
    b"*",
    b"&",
    b"+",
    b"-",
    b".",
    b"->",
    b"exists",
    b"~exists",
    b"forall",
    b"locations",
    b"filter",
    b"C ",
    b"P0",
    b"P1",
    b"P9999999999",
    b"0:r0",
    b"1:r1",
    b"[x]",
    b"atomic_int*",
    b"int*",
    b"int",
    b"memory_order_relaxed",
    b"memory_order_seq_cst",
    b"memory_order_acquire",
    b"memory_order_release",
    b"atomic_store_explicit",
    b"atomic_load_explicit",
    b"atomic_fetch_add_explicit",
    b"atomic_exchange_explicit",
    b"atomic_compare_exchange_strong_explicit",
    b"atomic_thread_fence",
    b"while",
    b"if",
    b"else",
    b"let",
    b"fn",
    b"static",
    b"thread",
    b"Relaxed",
    b"Acquire",
    b"Release",
    b"AcqRel",
    b"SeqCst",
    b".load(",
    b".store(",
    b".swap(",
    b".fetch_add(",
    b".compare_exchange(",
    b"AtomicUsize",
    b"AtomicBool",
    b"UnsafeCell",
    b"true",
    b"false",
    b"0",
    b"1",
    b"42",
    b"-1",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"99999999999999999999999",
    b"0x",
    b"0xffffffffffffffffff",
    b"\"",
    b"'",
    b"(*",
    b"*)",
    b"//",
    b"/*",
    b"*/",
    b"\n",
    b"\r\n",
    b"\t",
    b" ",
    b"\0",
    b"\xef\xbb\xbf",
    b"\xc3\xa9",
    b"\xe2\x87\x92",
    b"\xff",
    b"\xc3",
    b"\xf0\x9f\x92",
];

/// Numbers at the edges of `i64` / `u64`.
const NUMBERS: &[&[u8]] = &[
    b"9223372036854775808",
    b"-9223372036854775808",
    b"18446744073709551615",
    b"4294967296",
    b"-0",
];

/// One fuzz input for case number `case`, derived from `seeds` (which may be
/// empty).
pub fn input(seeds: &[Vec<u8>], case: u64) -> Vec<u8> {
    let mut rng = Rng::new(case.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0x5eed);
    let seed = |rng: &mut Rng| -> Vec<u8> {
        if seeds.is_empty() {
            Vec::new()
        } else {
            rng.pick(seeds).clone()
        }
    };
    match rng.below(1000) {
        // Plain random bytes, rarely up to the full 10 MiB.
        0..=1 => random_bytes(&mut rng, MAX_LEN),
        2..=59 => random_bytes(&mut rng, 4096),
        // Deep nesting, to find recursion without a depth limit.
        60..=69 => {
            let s = seed(&mut rng);
            nest(&mut rng, s)
        }
        70..=149 => token_soup(&mut rng),
        150..=249 => {
            let s = seed(&mut rng);
            let cut = if s.is_empty() {
                0
            } else {
                rng.below(s.len() + 1)
            };
            s[..cut].to_vec()
        }
        250..=399 => {
            let (a, b) = (seed(&mut rng), seed(&mut rng));
            splice(&mut rng, &a, &b)
        }
        _ => {
            let mut s = seed(&mut rng);
            let n = 1 + rng.below(8);
            for _ in 0..n {
                mutate_once(&mut rng, &mut s);
            }
            s
        }
    }
}

fn random_bytes(rng: &mut Rng, max: usize) -> Vec<u8> {
    let mut v = vec![0u8; rng.below(max + 1)];
    rng.fill(&mut v);
    v
}

fn token_soup(rng: &mut Rng) -> Vec<u8> {
    let mut v = Vec::new();
    for _ in 0..rng.below(200) {
        let tok = *rng.pick(TOKENS);
        v.extend_from_slice(tok);
        if rng.one_in(3) {
            v.push(b' ');
        }
    }
    v
}

fn nest(rng: &mut Rng, mut s: Vec<u8>) -> Vec<u8> {
    let (open, close): (&[u8], &[u8]) = *rng.pick(&[
        (&b"("[..], &b")"[..]),
        (b"{", b"}"),
        (b"[", b"]"),
        (b"!", b""),
        (b"-", b""),
        (b"~", b""),
        (b"if (1) {", b"}"),
        (b"while (0) {", b"}"),
        (b"(*", b"*)"),
    ]);
    let depth = 1 + rng.below(200_000);
    let at = if s.is_empty() {
        0
    } else {
        rng.below(s.len() + 1)
    };
    let mut mid = open.repeat(depth);
    mid.extend_from_slice(b"1");
    if rng.one_in(2) {
        mid.extend_from_slice(&close.repeat(depth));
    }
    s.splice(at..at, mid);
    s
}

fn splice(rng: &mut Rng, a: &[u8], b: &[u8]) -> Vec<u8> {
    let i = rng.below(a.len() + 1);
    let j = rng.below(b.len() + 1);
    let mut v = a[..i].to_vec();
    v.extend_from_slice(&b[j..]);
    v
}

fn mutate_once(rng: &mut Rng, s: &mut Vec<u8>) {
    let pos = |rng: &mut Rng, s: &Vec<u8>| rng.below(s.len() + 1);
    match rng.below(7) {
        0 if !s.is_empty() => {
            let i = rng.below(s.len());
            s[i] = rng.byte();
        }
        1 if !s.is_empty() => {
            let i = rng.below(s.len());
            s[i] ^= 1 << rng.below(8);
        }
        2 if !s.is_empty() => {
            let i = rng.below(s.len());
            let n = 1 + rng.below(16.min(s.len() - i));
            s.drain(i..i + n);
        }
        3 if !s.is_empty() => {
            // Duplicate a range somewhere else.
            let i = rng.below(s.len());
            let n = 1 + rng.below(64.min(s.len() - i));
            let chunk = s[i..i + n].to_vec();
            let at = pos(rng, s);
            s.splice(at..at, chunk);
        }
        4 if !s.is_empty() => {
            // Replace a digit run's neighbourhood with an extreme number.
            let i = rng.below(s.len());
            let num = *rng.pick(NUMBERS);
            s.splice(i..i + 1, num.iter().copied());
        }
        _ => {
            let at = pos(rng, s);
            let tok = rng.pick(TOKENS);
            s.splice(at..at, tok.iter().copied());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_reproducible_and_bounded() {
        let seeds = vec![b"C t\n{ x = 0; }\nP0 (int* x) { *x = 1; }\n".to_vec()];
        for case in 0..2000 {
            let a = input(&seeds, case);
            assert_eq!(a, input(&seeds, case));
            assert!(a.len() <= MAX_LEN + 200_000 * 12 + seeds[0].len());
        }
    }

    #[test]
    fn works_without_seeds() {
        for case in 0..500 {
            let _ = input(&[], case);
        }
    }
}
