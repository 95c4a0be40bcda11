//! Memos of parsed stored text that never changes under its key: the same key always yields the
//! same value, so an entry never goes stale and needs no invalidation, also with several servers
//! on one database. Used where the same stored JSON is parsed on every request of a hot path
//! (an attempt's questions when it is submitted). Each memo only bounds its memory: when a new entry would pass the limit, the whole
//! map starts over.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

#[derive(Debug)]
pub struct Memo<V> {
    max_bytes: usize,
    inner: RwLock<Inner<V>>,
}

#[derive(Debug)]
struct Inner<V> {
    map: HashMap<Box<str>, Arc<V>>,
    bytes: usize,
}

impl<V> Memo<V> {
    pub fn new(max_bytes: usize) -> Self {
        Self { max_bytes, inner: RwLock::new(Inner { map: HashMap::new(), bytes: 0 }) }
    }

    /// The value for `key`, made by `make` the first time. `weight` estimates the memory an
    /// entry holds besides its key.
    pub fn get_or_try<E>(&self, key: &str, weight: usize, make: impl FnOnce() -> Result<V, E>) -> Result<Arc<V>, E> {
        if let Some(v) = self.inner.read().unwrap_or_else(|p| p.into_inner()).map.get(key) {
            return Ok(v.clone());
        }
        let value = Arc::new(make()?);
        let size = key.len() + weight;
        if size > self.max_bytes {
            return Ok(value);
        }
        let mut inner = self.inner.write().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = inner.map.get(key) {
            return Ok(v.clone());
        }
        if inner.bytes + size > self.max_bytes {
            inner.map.clear();
            inner.bytes = 0;
        }
        inner.map.insert(key.into(), value.clone());
        inner.bytes += size;
        Ok(value)
    }

    /// Entries held now.
    pub fn len(&self) -> usize {
        self.inner.read().unwrap_or_else(|p| p.into_inner()).map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_and_the_map_starts_over_when_full() {
        let memo: Memo<String> = Memo::new(10);
        let mut made = 0;
        let get = |k: &str, made: &mut i32| {
            memo.get_or_try::<()>(k, 2, || {
                *made += 1;
                Ok(k.to_uppercase())
            })
            .unwrap()
        };
        assert_eq!(*get("abc", &mut made), "ABC");
        assert_eq!(*get("abc", &mut made), "ABC");
        assert_eq!(made, 1, "the second read is the memo's");
        get("de", &mut made); // 5 + 4 bytes: still fits
        assert_eq!(made, 2);
        get("fgh", &mut made); // would pass 10: starts over with this one
        assert_eq!(made, 3);
        get("abc", &mut made);
        assert_eq!(made, 4, "abc was dropped when the map started over");
        assert_eq!(memo.len(), 2, "fgh and abc");
        let too_big: Memo<String> = Memo::new(4);
        assert_eq!(*too_big.get_or_try::<()>("abcdef", 0, || Ok("x".into())).unwrap(), "x");
        assert!(too_big.is_empty(), "an entry over the limit is returned, not kept");
    }

    #[test]
    fn a_failed_make_keeps_nothing() {
        let memo: Memo<String> = Memo::new(100);
        assert_eq!(memo.get_or_try("k", 1, || Err("bad")), Err("bad"));
        assert!(memo.is_empty());
    }
}
