//! Fault injection per route family: throttling (429 with Retry-After), server errors, slow answers and
//! dropped connections, drawn from a seeded random generator so a test run repeats.
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::util::lock;

/// Which part of the simulator a request is for; faults are set per family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteFamily {
    /// Discovery, JWKS, authorize, token, logout.
    Oidc,
    /// `/me`, `/me/manager`, `/users/...`, userinfo.
    Me,
    /// `/external/authorizationSystems/...`.
    GraphInventory,
    /// `.../scheduledPermissionsRequests...` (create, list, get, cancelAll).
    GraphRequests,
    /// `.../permissionsRequestChanges...`.
    GraphChanges,
    /// Anything else (health, unknown paths). Never faulted.
    Other,
}

impl RouteFamily {
    pub const FAULTABLE: [RouteFamily; 5] = [
        RouteFamily::Oidc,
        RouteFamily::Me,
        RouteFamily::GraphInventory,
        RouteFamily::GraphRequests,
        RouteFamily::GraphChanges,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::FAULTABLE.into_iter().find(|f| f.name() == s)
    }

    pub fn name(self) -> &'static str {
        match self {
            RouteFamily::Oidc => "oidc",
            RouteFamily::Me => "me",
            RouteFamily::GraphInventory => "graph_inventory",
            RouteFamily::GraphRequests => "graph_requests",
            RouteFamily::GraphChanges => "graph_changes",
            RouteFamily::Other => "other",
        }
    }

    pub fn is_graph(self) -> bool {
        matches!(
            self,
            RouteFamily::Me
                | RouteFamily::GraphInventory
                | RouteFamily::GraphRequests
                | RouteFamily::GraphChanges
        )
    }

    /// Classifies a request path (still percent-encoded) into its family.
    pub fn of_path(path: &str) -> Self {
        let lower = path.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("/graph/") {
            let rest = rest.split_once('/').map(|(_, r)| r).unwrap_or("");
            if rest.starts_with("me") || rest.starts_with("users") || rest.starts_with("userinfo") {
                return RouteFamily::Me;
            }
            if rest.starts_with("external/") || rest == "external" {
                return RouteFamily::GraphInventory;
            }
            if rest.contains("permissionsrequestchanges") {
                return RouteFamily::GraphChanges;
            }
            if rest.contains("scheduledpermissionsrequests") {
                return RouteFamily::GraphRequests;
            }
            return RouteFamily::Other;
        }
        if lower.contains("/oauth2/v2.0/")
            || lower.contains("/discovery/v2.0/")
            || lower.contains("/.well-known/")
        {
            return RouteFamily::Oidc;
        }
        RouteFamily::Other
    }
}

/// The faults of one family. Rates are probabilities per request; together they may not exceed 1.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultSpec {
    /// Probability of 429 Too Many Requests with `Retry-After`.
    pub rate_429: f64,
    /// Seconds in the `Retry-After` header of 429 and 503 answers.
    pub retry_after_seconds: u64,
    pub rate_500: f64,
    /// Probability of 503 Service Unavailable (with `Retry-After`).
    pub rate_503: f64,
    /// Probability of closing the connection without any answer.
    pub drop_rate: f64,
    /// Real milliseconds added before answering (faulted or not).
    pub latency_ms: u64,
    /// How many faults (429, 500, 503 or drops) fire before the family answers normally again, so a
    /// test can throttle once and then let the retry through; unlimited when absent. Setting a spec
    /// starts the count afresh.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
}

impl FaultSpec {
    pub fn check(&self) -> Result<(), String> {
        let rates = [
            ("rate_429", self.rate_429),
            ("rate_500", self.rate_500),
            ("rate_503", self.rate_503),
            ("drop_rate", self.drop_rate),
        ];
        for (name, r) in rates {
            if !(0.0..=1.0).contains(&r) {
                return Err(format!("{name} must be between 0 and 1, got {r}"));
            }
        }
        let sum: f64 = rates.iter().map(|(_, r)| r).sum();
        if sum > 1.0 + 1e-9 {
            return Err(format!("the rates add up to {sum}; they must not exceed 1"));
        }
        Ok(())
    }
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Drop,
    Status {
        status: u16,
        retry_after: Option<u64>,
    },
}

/// A family's spec and how many faults it has fired, for [`FaultSpec::times`].
struct Armed {
    spec: FaultSpec,
    fired: u64,
}

pub struct Faults {
    specs: Mutex<BTreeMap<RouteFamily, Armed>>,
    rng: Mutex<StdRng>,
}

impl Faults {
    pub fn new(seed: u64) -> Self {
        Self {
            specs: Mutex::new(BTreeMap::new()),
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
        }
    }

    pub fn set(&self, family: RouteFamily, spec: FaultSpec) -> Result<(), String> {
        spec.check()?;
        if family == RouteFamily::Other {
            return Err("the 'other' family cannot be faulted".into());
        }
        lock(&self.specs).insert(family, Armed { spec, fired: 0 });
        Ok(())
    }

    pub fn clear(&self) {
        lock(&self.specs).clear();
    }

    pub fn all(&self) -> BTreeMap<RouteFamily, FaultSpec> {
        lock(&self.specs)
            .iter()
            .map(|(family, armed)| (*family, armed.spec.clone()))
            .collect()
    }

    /// Rolls the dice for one request: the added latency and the outcome.
    pub fn decide(&self, family: RouteFamily) -> (Duration, Outcome) {
        // Held while rolling, so two concurrent requests cannot both take the last allowed fault.
        let mut specs = lock(&self.specs);
        let Some(armed) = specs.get_mut(&family) else {
            return (Duration::ZERO, Outcome::Pass);
        };
        let latency = Duration::from_millis(armed.spec.latency_ms);
        if armed.spec.times.is_some_and(|times| armed.fired >= times) {
            return (latency, Outcome::Pass);
        }
        let outcome = Self::roll(&armed.spec, lock(&self.rng).gen());
        if outcome != Outcome::Pass {
            armed.fired += 1;
        }
        (latency, outcome)
    }

    /// The outcome a roll in `0.0..1.0` picks under `spec`'s rates.
    fn roll(spec: &FaultSpec, roll: f64) -> Outcome {
        let retry_after = Some(spec.retry_after_seconds);
        let mut threshold = spec.drop_rate;
        if roll < threshold {
            return Outcome::Drop;
        }
        threshold += spec.rate_429;
        if roll < threshold {
            return Outcome::Status {
                status: 429,
                retry_after,
            };
        }
        threshold += spec.rate_500;
        if roll < threshold {
            return Outcome::Status {
                status: 500,
                retry_after: None,
            };
        }
        threshold += spec.rate_503;
        if roll < threshold {
            return Outcome::Status {
                status: 503,
                retry_after,
            };
        }
        Outcome::Pass
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fall_into_their_families() {
        assert_eq!(
            RouteFamily::of_path("/t/oauth2/v2.0/token"),
            RouteFamily::Oidc
        );
        assert_eq!(
            RouteFamily::of_path("/t/v2.0/.well-known/openid-configuration"),
            RouteFamily::Oidc
        );
        assert_eq!(
            RouteFamily::of_path("/graph/beta/me/manager"),
            RouteFamily::Me
        );
        assert_eq!(
            RouteFamily::of_path("/graph/beta/external/authorizationSystems"),
            RouteFamily::GraphInventory
        );
        assert_eq!(
            RouteFamily::of_path(
                "/graph/beta/identityGovernance/permissionsManagement/scheduledPermissionsRequests"
            ),
            RouteFamily::GraphRequests
        );
        assert_eq!(
            RouteFamily::of_path(
                "/graph/beta/identityGovernance/permissionsManagement/permissionsRequestChanges"
            ),
            RouteFamily::GraphChanges
        );
        assert_eq!(RouteFamily::of_path("/healthz"), RouteFamily::Other);
    }

    #[test]
    fn rates_above_one_in_total_are_refused() {
        let spec = FaultSpec {
            rate_429: 0.6,
            rate_500: 0.6,
            ..Default::default()
        };
        assert!(spec.check().is_err());
    }

    #[test]
    fn a_certain_fault_always_happens() {
        let f = Faults::new(1);
        f.set(
            RouteFamily::Me,
            FaultSpec {
                rate_503: 1.0,
                retry_after_seconds: 7,
                ..Default::default()
            },
        )
        .unwrap();
        for _ in 0..20 {
            assert_eq!(
                f.decide(RouteFamily::Me).1,
                Outcome::Status {
                    status: 503,
                    retry_after: Some(7)
                }
            );
        }
        assert_eq!(f.decide(RouteFamily::Oidc).1, Outcome::Pass);
    }

    #[test]
    fn a_limited_fault_fires_that_many_times_then_lets_requests_through() {
        let f = Faults::new(1);
        let spec = FaultSpec {
            rate_429: 1.0,
            retry_after_seconds: 2,
            times: Some(2),
            ..Default::default()
        };
        f.set(RouteFamily::GraphInventory, spec.clone()).unwrap();
        let throttled = Outcome::Status {
            status: 429,
            retry_after: Some(2),
        };
        let outcomes: Vec<_> = (0..4)
            .map(|_| f.decide(RouteFamily::GraphInventory).1)
            .collect();
        assert_eq!(
            outcomes,
            [throttled, throttled, Outcome::Pass, Outcome::Pass]
        );
        // Setting it again arms it again.
        f.set(RouteFamily::GraphInventory, spec).unwrap();
        assert_eq!(f.decide(RouteFamily::GraphInventory).1, throttled);
    }
}
