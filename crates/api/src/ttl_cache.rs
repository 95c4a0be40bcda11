//! A small in-process cache of facts read from the database, each kept for a short time (the
//! TTL) and dropped at once by [`TtlCache::invalidate`] when this process changes what they were
//! read from. Other processes sharing the database see a change within the TTL.
//!
//! Invalidation is by epoch: a reader takes [`TtlCache::epoch`] *before* it reads the database
//! and stores its answer with that epoch, so an answer read while a change was being made is
//! never served after the change.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct TtlCache<K, V> {
    ttl: Duration,
    max_entries: usize,
    epoch: AtomicU64,
    map: RwLock<HashMap<K, (V, Instant, u64)>>,
}

impl<K: Hash + Eq, V: Clone> TtlCache<K, V> {
    /// A TTL of zero turns the cache off (every lookup misses).
    pub fn new(ttl: Duration, max_entries: usize) -> Self {
        Self { ttl, max_entries, epoch: AtomicU64::new(0), map: RwLock::new(HashMap::new()) }
    }

    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if self.ttl.is_zero() {
            return None;
        }
        let epoch = self.epoch();
        let map = self.map.read().unwrap_or_else(|p| p.into_inner());
        let (value, at, stored_epoch) = map.get(key)?;
        (*stored_epoch == epoch && at.elapsed() < self.ttl).then(|| value.clone())
    }

    /// Keeps `value`, read from the database after `epoch` was taken.
    pub fn insert(&self, key: K, value: V, epoch: u64) {
        if self.ttl.is_zero() || epoch != self.epoch() {
            return;
        }
        let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
        if map.len() >= self.max_entries {
            map.clear();
        }
        map.insert(key, (value, Instant::now(), epoch));
    }

    /// Forgets everything: called after this process changed what the entries say.
    pub fn invalidate(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.map.write().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_invalidation_wins_over_a_read_in_flight() {
        let cache: TtlCache<String, u32> = TtlCache::new(Duration::from_millis(50), 10);
        let e = cache.epoch();
        cache.insert("a".into(), 1, e);
        assert_eq!(cache.get("a"), Some(1));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get("a"), None, "expired");

        // A reader took the epoch, then a change invalidated: its (old) answer is not kept.
        let before = cache.epoch();
        cache.invalidate();
        cache.insert("b".into(), 2, before);
        assert_eq!(cache.get("b"), None);
        cache.insert("b".into(), 3, cache.epoch());
        assert_eq!(cache.get("b"), Some(3));
        cache.invalidate();
        assert_eq!(cache.get("b"), None);
    }

    #[test]
    fn a_zero_ttl_keeps_nothing_and_the_size_is_bounded() {
        let off: TtlCache<u32, u32> = TtlCache::new(Duration::ZERO, 10);
        off.insert(1, 1, off.epoch());
        assert_eq!(off.get(&1), None);
        let small: TtlCache<u32, u32> = TtlCache::new(Duration::from_secs(60), 2);
        for i in 0..3 {
            small.insert(i, i, small.epoch());
        }
        assert_eq!((small.get(&0), small.get(&1), small.get(&2)), (None, None, Some(2)));
    }
}
