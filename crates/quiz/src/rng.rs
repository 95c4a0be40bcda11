//! Reproducible randomness for draws and shuffles.
//!
//! An attempt stores only its seed; the questions drawn and the order of options must come out
//! the same every time the attempt is shown or regraded, on any machine and after any upgrade.
//! So the generator is ChaCha8 (its output stream is fixed by its specification), the seed is
//! expanded by SplitMix64 (fixed here), and the shuffle and the bounded integer are written here
//! rather than taken from `rand`, whose algorithms may change between releases.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

use crate::ids::{avalanche, fnv1a64};

/// A generator for one purpose (`domain`, e.g. "options") of one thing (`key`, e.g. a question
/// id) within one attempt (`seed`). Different keys give independent streams, so adding a
/// question to a quiz does not reshuffle the options of the others.
pub(crate) fn rng_for(seed: u64, domain: &str, key: &str) -> ChaCha8Rng {
    let mut state = seed ^ fnv1a64(domain.as_bytes()).rotate_left(17) ^ fnv1a64(key.as_bytes());
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_exact_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    }
    ChaCha8Rng::from_seed(bytes)
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    avalanche(*state)
}

/// Uniform integer in `0..n` (n > 0), by rejection so that no value is favoured.
pub(crate) fn below(rng: &mut impl RngCore, n: usize) -> usize {
    let n = n as u64;
    if n <= 1 {
        return 0;
    }
    // Largest multiple of n that fits in u64; values at or above it are rejected.
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let x = rng.next_u64();
        if x < zone {
            return (x % n) as usize;
        }
    }
}

/// Fisher–Yates shuffle.
pub(crate) fn shuffle<T>(rng: &mut impl RngCore, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = below(rng, i + 1);
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_pinned_forever() {
        // If this fails, stored attempts would show other questions and other option orders:
        // never change the generator, only add new domains.
        let mut items: Vec<u32> = (0..10).collect();
        shuffle(&mut rng_for(42, "options", "q1"), &mut items);
        assert_eq!(items, PINNED_SHUFFLE_42_OPTIONS_Q1);
    }

    const PINNED_SHUFFLE_42_OPTIONS_Q1: [u32; 10] = [6, 4, 9, 1, 2, 0, 3, 8, 5, 7];

    #[test]
    fn different_keys_and_seeds_give_different_streams() {
        let a = rng_for(1, "options", "q1").next_u64();
        let b = rng_for(1, "options", "q2").next_u64();
        let c = rng_for(2, "options", "q1").next_u64();
        let d = rng_for(1, "draw", "q1").next_u64();
        assert!(a != b && a != c && a != d);
        assert_eq!(a, rng_for(1, "options", "q1").next_u64());
    }

    #[test]
    fn below_is_in_range_and_roughly_uniform() {
        let mut rng = rng_for(7, "test", "");
        let mut counts = [0usize; 3];
        for _ in 0..3000 {
            counts[below(&mut rng, 3)] += 1;
        }
        assert!(counts.iter().all(|&c| c > 850 && c < 1150), "{counts:?}");
        assert_eq!(below(&mut rng, 1), 0);
        assert_eq!(below(&mut rng, 0), 0);
    }
}
