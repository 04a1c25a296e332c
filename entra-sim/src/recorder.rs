//! Every request the simulator received (except the control API's own), for tests to read back.
use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;

use crate::util::lock;

/// Old entries are dropped beyond this many, so a long run cannot grow without bound.
const CAPACITY: usize = 10_000;

#[derive(Debug, Clone, Serialize)]
pub struct ReceivedRequest {
    /// Increases by one per request, across clears; read back "everything after N" with it.
    pub seq: u64,
    /// Simulated time of arrival.
    pub at: String,
    pub family: String,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Every header except `Authorization` and `Cookie`, which carry secrets.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The fault injected, if any: instead of a normal answer (`drop`, `429`, `500`, `503`), or around
    /// one (`drop_after`: handled, answer not sent; `hang`: handled and answered late).
    pub fault: Option<String>,
}

#[derive(Default)]
pub struct Recorder {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    next_seq: u64,
    entries: VecDeque<ReceivedRequest>,
}

impl Recorder {
    /// Stores a request (its `seq` is assigned here) and returns the seq.
    pub fn record(&self, mut r: ReceivedRequest) -> u64 {
        let mut inner = lock(&self.inner);
        inner.next_seq += 1;
        r.seq = inner.next_seq;
        if inner.entries.len() >= CAPACITY {
            inner.entries.pop_front();
        }
        inner.entries.push_back(r);
        inner.next_seq
    }

    pub fn set_fault(&self, seq: u64, fault: &str) {
        let mut inner = lock(&self.inner);
        if let Some(e) = inner.entries.iter_mut().rev().find(|e| e.seq == seq) {
            e.fault = Some(fault.to_string());
        }
    }

    pub fn since(&self, after_seq: u64) -> Vec<ReceivedRequest> {
        lock(&self.inner)
            .entries
            .iter()
            .filter(|e| e.seq > after_seq)
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        lock(&self.inner).entries.clear();
    }
}
