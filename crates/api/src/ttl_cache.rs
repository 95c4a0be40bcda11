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
    map: RwLock<HashMap<K, Entry<V>>>,
}

#[derive(Debug)]
struct Entry<V> {
    value: V,
    at: Instant,
    epoch: u64,
    /// A caller is reading a newer value; the others keep serving this one meanwhile.
    refreshing: bool,
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
        let e = map.get(key)?;
        (e.epoch == epoch && e.at.elapsed() < self.ttl).then(|| e.value.clone())
    }

    /// The cached value, or `compute`'s. When an entry has just expired, one caller computes
    /// its successor while the others are given the expired value (for at most four TTLs), so
    /// a popular entry never sends every concurrent caller to the database at once. After
    /// [`TtlCache::invalidate`] nothing old is served.
    pub fn get_or_compute<E>(&self, key: K, compute: impl FnOnce() -> Result<V, E>) -> Result<V, E>
    where
        K: Clone,
    {
        if self.ttl.is_zero() {
            return compute();
        }
        let epoch = self.epoch();
        let usable = |e: &Entry<V>| {
            let age = e.at.elapsed();
            e.epoch == epoch && (age < self.ttl || (e.refreshing && age < self.ttl * 4))
        };
        {
            let map = self.map.read().unwrap_or_else(|p| p.into_inner());
            if let Some(e) = map.get(&key).filter(|e| usable(e)) {
                return Ok(e.value.clone());
            }
        }
        {
            let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
            if let Some(e) = map.get_mut(&key).filter(|e| e.epoch == epoch) {
                if usable(e) {
                    return Ok(e.value.clone());
                }
                e.refreshing = true;
            }
        }
        match compute() {
            Ok(value) => {
                self.insert(key, value.clone(), epoch);
                Ok(value)
            }
            Err(err) => {
                let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
                if let Some(e) = map.get_mut(&key) {
                    e.refreshing = false;
                }
                Err(err)
            }
        }
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
        map.insert(key, Entry { value, at: Instant::now(), epoch, refreshing: false });
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
    fn one_caller_refreshes_an_expired_entry_while_the_others_keep_the_old_value() {
        let cache: TtlCache<&str, u32> = TtlCache::new(Duration::from_millis(40), 10);
        assert_eq!(cache.get_or_compute("k", || Ok::<_, ()>(1)), Ok(1));
        assert_eq!(cache.get_or_compute("k", || Ok::<_, ()>(99)), Ok(1), "fresh: not computed again");
        std::thread::sleep(Duration::from_millis(50));
        // Expired: this caller refreshes; while it does, another caller gets the old value.
        let during = cache.get_or_compute("k", || Ok::<_, ()>(cache.get_or_compute("k", || Ok::<_, ()>(77)).unwrap() + 1));
        assert_eq!(during, Ok(2), "the inner caller saw the old 1, not its own 77");
        assert_eq!(cache.get("k"), Some(2));
        // A failed refresh lets the next caller try.
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(cache.get_or_compute("k", || Err::<u32, _>("down")), Err("down"));
        assert_eq!(cache.get_or_compute("k", || Ok::<_, ()>(3)), Ok(3));
        // After invalidation nothing old is served, not even during a refresh.
        cache.invalidate();
        assert_eq!(cache.get_or_compute("k", || Ok::<_, ()>(4)), Ok(4));
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
