//! The short-lived inventory cache: Graph's answers to inventory GETs, per person and URL, so a person
//! paging and searching the form does not ask Graph the same question twice within `ttl`. Per person
//! because Graph answers with what that person's token may see. Only reads go through it.
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::Value;
use uuid::Uuid;

/// Who asked and the full URL they asked for.
pub type Key = (Uuid, String);

/// One cached answer, shared with the readers it is given to: read, never copied.
struct Entry {
    at: Instant,
    value: Arc<Value>,
}

pub struct InventoryCache {
    ttl: Duration,
    max_entries: usize,
    entries: Mutex<HashMap<Key, Entry>>,
}

impl InventoryCache {
    /// A `ttl` of zero keeps nothing.
    pub fn new(ttl: Duration, max_entries: usize) -> Self {
        Self {
            ttl,
            max_entries: max_entries.max(1),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The answer for `key`, while fresh.
    pub fn get(&self, key: &Key) -> Option<Arc<Value>> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|e| e.at.elapsed() < self.ttl)
            .map(|e| e.value.clone())
    }

    /// Keeps `value`; when full, stale answers go first, then the oldest fresh one.
    pub fn put(&self, key: Key, value: Arc<Value>) {
        if self.ttl.is_zero() {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= self.max_entries {
            let ttl = self.ttl;
            entries.retain(|_, e| e.at.elapsed() < ttl);
        }
        if entries.len() >= self.max_entries {
            // Still full of fresh answers: drop the oldest one.
            if let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, e)| e.at)
                .map(|(k, _)| k.clone())
            {
                entries.remove(&oldest);
            }
        }
        entries.insert(
            key,
            Entry {
                at: Instant::now(),
                value,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn key(n: u128, url: &str) -> Key {
        (Uuid::from_u128(n), url.to_owned())
    }

    #[test]
    fn answers_are_kept_per_person_and_url() {
        let cache = InventoryCache::new(Duration::from_secs(60), 10);
        cache.put(key(1, "/a"), json!(1).into());
        assert_eq!(cache.get(&key(1, "/a")).as_deref(), Some(&json!(1)));
        assert_eq!(cache.get(&key(2, "/a")), None, "another person asks again");
        assert_eq!(cache.get(&key(1, "/b")), None);
    }

    #[test]
    fn a_full_cache_makes_room_and_a_zero_ttl_keeps_nothing() {
        let cache = InventoryCache::new(Duration::from_secs(60), 2);
        cache.put(key(1, "/a"), json!(1).into());
        cache.put(key(1, "/b"), json!(2).into());
        cache.put(key(1, "/c"), json!(3).into());
        assert_eq!(cache.get(&key(1, "/c")).as_deref(), Some(&json!(3)));
        let kept = ["/a", "/b"]
            .iter()
            .filter(|url| cache.get(&key(1, url)).is_some())
            .count();
        assert_eq!(kept, 1, "one older answer made room");

        let off = InventoryCache::new(Duration::ZERO, 2);
        off.put(key(1, "/a"), json!(1).into());
        assert_eq!(off.get(&key(1, "/a")), None);
    }
}
