//! Rendered lessons, ready to send. A course version never changes once imported (a change is a
//! new version with a new id), so a lesson's JSON body keyed by (version, lesson) never goes
//! stale and needs no invalidation, also with several servers on one database. The cache only
//! bounds its memory: when a new body would pass the limit, the whole map starts over (the
//! lessons being read now come back on their next request).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use actix_web::web::Bytes;

/// A lesson's response body and its ETag.
#[derive(Debug)]
pub struct CachedLesson {
    pub body: Bytes,
    pub etag: String,
}

#[derive(Debug)]
pub struct LessonCache {
    max_bytes: usize,
    inner: RwLock<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<(String, String), Arc<CachedLesson>>,
    bytes: usize,
}

impl LessonCache {
    pub fn new(max_bytes: usize) -> Self {
        Self { max_bytes, inner: RwLock::new(Inner::default()) }
    }

    pub fn get(&self, version: &str, lesson: &str) -> Option<Arc<CachedLesson>> {
        let inner = self.inner.read().unwrap_or_else(|p| p.into_inner());
        inner.map.get(&(version.to_string(), lesson.to_string())).cloned()
    }

    /// Keeps `entry` (unless it alone is over the limit) and returns it.
    pub fn insert(&self, version: &str, lesson: &str, entry: CachedLesson) -> Arc<CachedLesson> {
        let entry = Arc::new(entry);
        let size = entry.body.len() + version.len() + lesson.len();
        if size > self.max_bytes {
            return entry;
        }
        let mut inner = self.inner.write().unwrap_or_else(|p| p.into_inner());
        if inner.bytes + size > self.max_bytes {
            inner.map.clear();
            inner.bytes = 0;
        }
        if inner.map.insert((version.to_string(), lesson.to_string()), entry.clone()).is_none() {
            inner.bytes += size;
        }
        entry
    }

    /// Lessons held now and their bytes.
    pub fn usage(&self) -> (usize, usize) {
        let inner = self.inner.read().unwrap_or_else(|p| p.into_inner());
        (inner.map.len(), inner.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(n: usize) -> CachedLesson {
        CachedLesson { body: Bytes::from(vec![b'x'; n]), etag: "\"e\"".into() }
    }

    #[test]
    fn keeps_bodies_by_version_and_lesson_and_starts_over_at_the_limit() {
        let cache = LessonCache::new(1000);
        cache.insert("v1", "a", body(300));
        cache.insert("v1", "b", body(300));
        assert_eq!(cache.get("v1", "a").map(|c| c.body.len()), Some(300));
        assert!(cache.get("v2", "a").is_none(), "another version is another entry");
        assert_eq!(cache.usage(), (2, 606));
        // The third would pass 1,000 bytes: the map starts over with it alone.
        cache.insert("v1", "c", body(500));
        assert!(cache.get("v1", "a").is_none());
        assert_eq!(cache.usage(), (1, 503));
        // A body larger than the whole cache is served but not kept.
        let big = cache.insert("v1", "d", body(2000));
        assert_eq!(big.body.len(), 2000);
        assert!(cache.get("v1", "d").is_none());
    }
}
