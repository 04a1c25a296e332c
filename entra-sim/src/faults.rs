//! Fault injection per route family: throttling (429 with Retry-After), server errors, slow answers,
//! dropped connections, and two test faults that lose the answer of a request that was carried out (the
//! connection dropped after handling, or an answer so late the client has given up), drawn from a
//! seeded random generator so a test run repeats.
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
    /// PIM for Entra roles: `/roleManagement/directory/...` and `/policies/roleManagementPolicy...`.
    GraphPim,
    /// Anything else (health, unknown paths). Never faulted.
    Other,
}

impl RouteFamily {
    pub const FAULTABLE: [RouteFamily; 6] = [
        RouteFamily::Oidc,
        RouteFamily::Me,
        RouteFamily::GraphInventory,
        RouteFamily::GraphRequests,
        RouteFamily::GraphChanges,
        RouteFamily::GraphPim,
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
            RouteFamily::GraphPim => "graph_pim",
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
                | RouteFamily::GraphPim
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
            if rest.starts_with("rolemanagement/")
                || rest.starts_with("policies/rolemanagementpolic")
            {
                return RouteFamily::GraphPim;
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
    /// Probability of closing the connection without any answer (the request is not handled).
    pub drop_rate: f64,
    /// TEST FAULT (real Graph has no such switch). Probability of handling the request normally (a POST
    /// creates what it creates) and then closing the connection without writing the answer: the client
    /// sees a dropped connection although the effect happened.
    pub drop_after_rate: f64,
    /// TEST FAULT (real Graph has no such switch). Probability of waiting [`FaultSpec::hang_ms`] before
    /// handling the request normally and answering; the request is carried out even when the client
    /// has given up waiting or closed the connection meanwhile.
    pub hang_rate: f64,
    /// Real milliseconds a `hang` waits before the request is handled (on top of `latency_ms`).
    pub hang_ms: u64,
    /// Real milliseconds added before answering (faulted or not).
    pub latency_ms: u64,
    /// How many faults (429, 500, 503, drops, drop-afters or hangs) fire before the family answers normally again, so a
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
            ("drop_after_rate", self.drop_after_rate),
            ("hang_rate", self.hang_rate),
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
        if self.hang_rate > 0.0 && self.hang_ms == 0 {
            return Err("hang_rate needs hang_ms (how long a hang waits) above 0".into());
        }
        Ok(())
    }
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// Close the connection without handling the request.
    Drop,
    /// Handle the request, then close the connection without writing the answer.
    DropAfter,
    /// Wait this long, then handle the request and answer, even if the client has gone away.
    Hang {
        wait: Duration,
    },
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
        // After the older faults, so the outcomes a seed gives them stay the same.
        threshold += spec.drop_after_rate;
        if roll < threshold {
            return Outcome::DropAfter;
        }
        threshold += spec.hang_rate;
        if roll < threshold {
            return Outcome::Hang {
                wait: Duration::from_millis(spec.hang_ms),
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
        assert_eq!(
            RouteFamily::of_path(
                "/graph/v1.0/roleManagement/directory/roleAssignmentScheduleRequests"
            ),
            RouteFamily::GraphPim
        );
        assert_eq!(
            RouteFamily::of_path("/graph/v1.0/policies/roleManagementPolicyAssignments"),
            RouteFamily::GraphPim
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

    /// One spec with every fault at once, the new ones last in the roll.
    fn every_fault() -> FaultSpec {
        FaultSpec {
            drop_rate: 0.1,
            rate_429: 0.1,
            rate_500: 0.1,
            rate_503: 0.1,
            drop_after_rate: 0.2,
            hang_rate: 0.2,
            hang_ms: 1500,
            retry_after_seconds: 1,
            ..Default::default()
        }
    }

    #[test]
    fn a_roll_picks_drop_after_and_hang_in_their_own_share() {
        let spec = every_fault();
        let hang = Outcome::Hang {
            wait: Duration::from_millis(1500),
        };
        assert_eq!(Faults::roll(&spec, 0.05), Outcome::Drop);
        assert_eq!(
            Faults::roll(&spec, 0.35),
            Outcome::Status {
                status: 503,
                retry_after: Some(1)
            }
        );
        assert_eq!(Faults::roll(&spec, 0.41), Outcome::DropAfter);
        assert_eq!(Faults::roll(&spec, 0.59), Outcome::DropAfter);
        assert_eq!(Faults::roll(&spec, 0.61), hang);
        assert_eq!(Faults::roll(&spec, 0.79), hang);
        assert_eq!(Faults::roll(&spec, 0.81), Outcome::Pass);

        let only_new = FaultSpec {
            drop_after_rate: 0.5,
            hang_rate: 0.5,
            hang_ms: 20,
            ..Default::default()
        };
        assert_eq!(Faults::roll(&only_new, 0.0), Outcome::DropAfter);
        assert_eq!(
            Faults::roll(&only_new, 0.99),
            Outcome::Hang {
                wait: Duration::from_millis(20)
            }
        );
    }

    #[test]
    fn drop_after_and_hang_fire_about_as_often_as_their_rates_say() {
        let f = Faults::new(7);
        f.set(RouteFamily::GraphRequests, every_fault()).unwrap();
        let n = 10_000;
        let (mut drop_after, mut hang, mut pass) = (0u32, 0u32, 0u32);
        for _ in 0..n {
            match f.decide(RouteFamily::GraphRequests).1 {
                Outcome::DropAfter => drop_after += 1,
                Outcome::Hang { wait } => {
                    assert_eq!(wait, Duration::from_millis(1500));
                    hang += 1;
                }
                Outcome::Pass => pass += 1,
                _ => {}
            }
        }
        let share = |count: u32| f64::from(count) / f64::from(n);
        assert!((share(drop_after) - 0.2).abs() < 0.03, "{drop_after}");
        assert!((share(hang) - 0.2).abs() < 0.03, "{hang}");
        assert!((share(pass) - 0.2).abs() < 0.03, "{pass}");
    }

    #[test]
    fn drop_after_and_hang_count_in_the_rates_that_may_not_exceed_one() {
        let both = FaultSpec {
            drop_after_rate: 0.6,
            hang_rate: 0.6,
            hang_ms: 100,
            ..Default::default()
        };
        assert!(both.check().unwrap_err().contains("add up"));
        let with_old = FaultSpec {
            rate_429: 0.5,
            drop_after_rate: 0.6,
            ..Default::default()
        };
        assert!(with_old.check().is_err());
        let with_drop = FaultSpec {
            drop_rate: 0.5,
            hang_rate: 0.6,
            hang_ms: 100,
            ..Default::default()
        };
        assert!(with_drop.check().is_err());
        for bad in [-0.1, 1.1, f64::NAN] {
            let spec = FaultSpec {
                drop_after_rate: bad,
                ..Default::default()
            };
            assert!(spec.check().unwrap_err().contains("drop_after_rate"));
            let spec = FaultSpec {
                hang_rate: bad,
                hang_ms: 100,
                ..Default::default()
            };
            assert!(spec.check().unwrap_err().contains("hang_rate"));
        }
        let hang_without_wait = FaultSpec {
            hang_rate: 1.0,
            ..Default::default()
        };
        assert!(hang_without_wait.check().unwrap_err().contains("hang_ms"));
        let exactly_one = FaultSpec {
            drop_after_rate: 0.5,
            hang_rate: 0.5,
            hang_ms: 100,
            ..Default::default()
        };
        assert_eq!(exactly_one.check(), Ok(()));
        assert!(Faults::new(1)
            .set(RouteFamily::Me, both)
            .unwrap_err()
            .contains("add up"));
    }

    #[test]
    fn times_limits_drop_after_and_hang_like_the_other_faults() {
        let f = Faults::new(1);
        f.set(
            RouteFamily::GraphRequests,
            FaultSpec {
                drop_after_rate: 1.0,
                times: Some(2),
                ..Default::default()
            },
        )
        .unwrap();
        let outcomes: Vec<_> = (0..3)
            .map(|_| f.decide(RouteFamily::GraphRequests).1)
            .collect();
        assert_eq!(
            outcomes,
            [Outcome::DropAfter, Outcome::DropAfter, Outcome::Pass]
        );

        f.set(
            RouteFamily::GraphRequests,
            FaultSpec {
                hang_rate: 1.0,
                hang_ms: 250,
                latency_ms: 5,
                times: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
        let hang = Outcome::Hang {
            wait: Duration::from_millis(250),
        };
        assert_eq!(
            f.decide(RouteFamily::GraphRequests),
            (Duration::from_millis(5), hang)
        );
        assert_eq!(
            f.decide(RouteFamily::GraphRequests),
            (Duration::from_millis(5), Outcome::Pass),
            "latency still applies once the hangs are used up"
        );
    }

    #[test]
    fn the_new_fields_default_to_zero_and_read_from_json() {
        let spec: FaultSpec = serde_json::from_str(r#"{"rate_503":0.5}"#).unwrap();
        assert_eq!(
            (spec.drop_after_rate, spec.hang_rate, spec.hang_ms),
            (0.0, 0.0, 0)
        );
        let spec: FaultSpec =
            serde_json::from_str(r#"{"drop_after_rate":0.25,"hang_rate":0.5,"hang_ms":1500}"#)
                .unwrap();
        assert_eq!(
            (spec.drop_after_rate, spec.hang_rate, spec.hang_ms),
            (0.25, 0.5, 1500)
        );
        assert_eq!(
            serde_json::to_value(&spec).unwrap()["hang_ms"],
            serde_json::json!(1500)
        );
    }
}
