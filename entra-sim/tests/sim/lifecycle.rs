//! The request lifecycle on the simulated clock (spec §10.3) and the permissionsRequestChanges feed.
use std::time::Duration;

use entra_sim::people::{ADELE, ALEX, PATTI};
use entra_sim::{Approval, SimConfig};
use serde_json::{json, Value};

use super::support::*;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

fn parse(t: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).unwrap()
}

#[tokio::test]
async fn a_request_runs_its_whole_life_on_accelerated_time() {
    let cfg = SimConfig {
        approval: Approval::AutoAfter(Duration::from_secs(30)),
        provisioning_delay: 2 * MINUTE,
        ..SimConfig::for_tests()
    };
    let sim = sim_with(cfg).await;
    let t0 = sim.clock().now();
    let id = submit_ok(&sim, ALEX, &documented("aws-policy.json")).await;
    assert_eq!(states_of(&sim, &id).await, vec![st("submitted", None)]);

    sim.advance(Duration::from_secs(31));
    assert_eq!(
        states_of(&sim, &id).await.last().unwrap(),
        &st("approved", Some("granting"))
    );
    sim.advance(2 * MINUTE);
    assert_eq!(
        states_of(&sim, &id).await.last().unwrap(),
        &st("approved", Some("granted"))
    );
    // Jump past the one-hour grant and the revocation in one go: every step still gets its change,
    // stamped when it happened rather than when it was noticed.
    let resp = http()
        .post(format!("{}/_control/clock/advance", sim.base_url()))
        .json(&json!({ "duration": "PT2H" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    let changes = changes_of(&sim, &id).await;
    let states: Vec<_> = changes
        .iter()
        .map(|(s, o, _)| (s.clone(), o.clone()))
        .collect();
    assert_eq!(
        states,
        vec![
            st("submitted", None),
            st("approved", Some("granting")),
            st("approved", Some("granted")),
            st("approved", Some("revoking")),
            st("approved", Some("revoked")),
            st("completed", None),
        ]
    );
    let at: Vec<time::OffsetDateTime> = changes.iter().map(|(_, _, t)| parse(t)).collect();
    let secs = |d: time::Duration| d.whole_seconds();
    assert_eq!(secs(at[0] - t0), 0);
    assert_eq!(secs(at[1] - t0), 30, "approved 30 s after submission");
    assert_eq!(
        secs(at[2] - t0),
        150,
        "granted after the provisioning delay"
    );
    assert_eq!(secs(at[3] - t0), 30 + 3600, "revoked when the hour ends");
    assert_eq!(secs(at[4] - t0), 30 + 3600 + 120);
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "change times strictly increase"
    );

    let token = sim.access_token_for(ADELE).unwrap();
    let (_, got) = get_json(&format!("{}/{id}", requests_url(&sim)), Some(&token)).await;
    assert_eq!(got["statusDetail"], "completed");
}

#[tokio::test]
async fn a_future_start_is_approved_first_and_granted_when_it_comes() {
    let sim = sim().await;
    let start = sim.clock().now() + time::Duration::days(1);
    let mut body = documented("azure-roles.json");
    set_path(
        &mut body,
        "scheduleInfo.startDateTime",
        Some(json!(start
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap())),
    );
    let id = submit_ok(&sim, ALEX, &body).await;
    sim.approve(&id).unwrap();
    assert_eq!(
        states_of(&sim, &id).await,
        vec![st("submitted", None), st("approved", None)]
    );
    sim.advance(DAY - MINUTE);
    assert_eq!(
        states_of(&sim, &id).await.len(),
        2,
        "nothing before the start"
    );
    sim.advance(2 * MINUTE);
    assert_eq!(
        states_of(&sim, &id).await.last().unwrap(),
        &st("approved", Some("granted"))
    );
}

#[tokio::test]
async fn a_recurrence_grants_and_revokes_each_occurrence_then_completes() {
    let sim = sim().await;
    let now = sim.clock().now();
    let start = now + time::Duration::hours(1);
    let mut body = documented("aws-policy.json");
    set_path(
        &mut body,
        "scheduleInfo",
        Some(json!({
            "startDateTime": start.format(&time::format_description::well_known::Rfc3339).unwrap(),
            "expiration": { "duration": "PT2H" },
            "recurrence": {
                "pattern": { "type": "daily", "interval": 1 },
                "range": { "type": "numbered", "startDate": start.date().to_string(), "numberOfOccurrences": 3 }
            }
        })),
    );
    let id = submit_ok(&sim, ALEX, &body).await;
    sim.approve(&id).unwrap();
    sim.advance(4 * DAY);
    let changes = changes_of(&sim, &id).await;
    let states: Vec<_> = changes
        .iter()
        .map(|(s, o, _)| (s.clone(), o.clone()))
        .collect();
    let mut want = vec![st("submitted", None), st("approved", None)];
    for _ in 0..3 {
        want.extend([
            st("approved", Some("granting")),
            st("approved", Some("granted")),
            st("approved", Some("revoking")),
            st("approved", Some("revoked")),
        ]);
    }
    want.push(st("completed", None));
    assert_eq!(states, want);
    let grants: Vec<time::OffsetDateTime> = changes
        .iter()
        .filter(|(_, o, _)| o.as_deref() == Some("granting"))
        .map(|(_, _, t)| parse(t))
        .collect();
    assert_eq!(
        (grants[1] - grants[0]).whole_hours(),
        24,
        "one occurrence a day"
    );
    assert_eq!((grants[0] - start).whole_seconds(), 0);
}

#[tokio::test]
async fn a_recurrence_with_a_time_zone_is_granted_on_its_days_at_its_wall_clock_time() {
    let sim = sim().await;
    let la = jiff::tz::db().get("America/Los_Angeles").unwrap();
    let now = jiff::Timestamp::from_second(sim.clock().now().unix_timestamp()).unwrap();
    // 20:00 tomorrow in Los Angeles: 03:00 or 04:00 the day after in UTC, another weekday there.
    let first = now
        .to_zoned(la.clone())
        .date()
        .tomorrow()
        .unwrap()
        .at(20, 0, 0, 0)
        .to_zoned(la.clone())
        .unwrap();
    // A week later at 20:00 there too, whatever daylight saving does in between.
    let second = first.checked_add(jiff::Span::new().weeks(1)).unwrap();
    let instant = |z: &jiff::Zoned| {
        time::OffsetDateTime::from_unix_timestamp(z.timestamp().as_second()).unwrap()
    };
    let offset = time::UtcOffset::from_whole_seconds(first.offset().seconds()).unwrap();
    let local = instant(&first).to_offset(offset);
    let start = instant(&first)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let mut body = documented("aws-policy.json");
    set_path(
        &mut body,
        "scheduleInfo",
        Some(json!({
            "startDateTime": start,
            "expiration": { "duration": "PT1H" },
            "recurrence": {
                "pattern": {
                    "type": "weekly",
                    "interval": 1,
                    "daysOfWeek": [local.weekday().to_string().to_lowercase()],
                    "firstDayOfWeek": "sunday"
                },
                "range": {
                    "type": "numbered",
                    "startDate": local.date().to_string(),
                    "numberOfOccurrences": 2,
                    "recurrenceTimeZone": "America/Los_Angeles"
                }
            }
        })),
    );
    let (status, created) = submit(&sim, ALEX, &body).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["scheduleInfo"]["recurrence"]["range"]["recurrenceTimeZone"],
        "America/Los_Angeles"
    );
    let id = created["id"].as_str().unwrap().to_owned();
    sim.approve(&id).unwrap();
    sim.advance(10 * DAY);
    let grants: Vec<time::OffsetDateTime> = changes_of(&sim, &id)
        .await
        .iter()
        .filter(|(_, o, _)| o.as_deref() == Some("granting"))
        .map(|(_, _, t)| parse(t))
        .collect();
    assert_eq!(grants, vec![instant(&first), instant(&second)]);
}

#[tokio::test]
async fn the_documented_monthly_recurrence_gives_one_grant_a_month() {
    let sim = sim().await;
    let id = submit_ok(&sim, ALEX, &documented("aws-actions.json")).await;
    sim.approve(&id).unwrap();
    sim.advance(95 * DAY);
    let changes = changes_of(&sim, &id).await;
    let grants: Vec<time::OffsetDateTime> = changes
        .iter()
        .filter(|(_, o, _)| o.as_deref() == Some("granting"))
        .map(|(_, _, t)| parse(t))
        .collect();
    assert!(grants.len() >= 3, "{changes:?}");
    assert!(
        grants
            .iter()
            .all(|g| g.day() == 5 && g.time() == time::Time::from_hms(12, 15, 0).unwrap()),
        "the 5th at 12:15, as the body says: {grants:?}"
    );
    assert_eq!(
        changes.last().unwrap().1.as_deref(),
        Some("revoked"),
        "noEnd: never completes"
    );
}

#[tokio::test]
async fn cancelling_granted_access_revokes_it() {
    let cfg = SimConfig {
        provisioning_delay: 5 * MINUTE,
        ..SimConfig::for_tests()
    };
    let sim = sim_with(cfg).await;
    let id = submit_ok(&sim, ALEX, &documented("gcp-roles.json")).await;
    sim.approve(&id).unwrap();
    sim.advance(10 * MINUTE);
    assert_eq!(
        states_of(&sim, &id).await.last().unwrap(),
        &st("approved", Some("granted"))
    );
    let (s, _) = cancel_all(&sim, PATTI, &id).await;
    assert_eq!(s, 204);
    assert_eq!(
        states_of(&sim, &id).await.last().unwrap(),
        &st("canceled", Some("revoking"))
    );
    sim.advance(5 * MINUTE);
    assert_eq!(
        states_of(&sim, &id).await.last().unwrap(),
        &st("canceled", Some("revoked"))
    );
    sim.advance(2 * HOUR);
    assert_eq!(
        states_of(&sim, &id).await.len(),
        5,
        "nothing after the revocation"
    );
}

#[tokio::test]
async fn a_failed_grant_is_reported_and_the_request_still_completes() {
    let sim = sim().await;
    let id = submit_ok(&sim, ALEX, &documented("azure-actions.json")).await;
    let resp = http()
        .post(format!(
            "{}/_control/requests/{id}/fail-next",
            sim.base_url()
        ))
        .json(&json!({ "next": "granting" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    sim.approve(&id).unwrap();
    sim.advance(2 * HOUR);
    assert_eq!(
        states_of(&sim, &id).await,
        vec![
            st("submitted", None),
            st("approved", Some("granting")),
            st("approved", Some("grantingFailed")),
            st("completed", None)
        ]
    );
}

#[tokio::test]
async fn automatic_approval_can_be_switched_on_through_the_control_api() {
    let sim = sim().await;
    let id = submit_ok(&sim, ALEX, &documented("aws-policy.json")).await;
    sim.advance(HOUR);
    assert_eq!(
        states_of(&sim, &id).await.len(),
        1,
        "held while approval is manual"
    );
    let resp = http()
        .put(format!("{}/_control/approval", sim.base_url()))
        .json(&json!({ "mode": "auto", "after_seconds": 0 }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        states_of(&sim, &id).await[1],
        st("approved", Some("granting"))
    );
    let resp = http()
        .get(format!("{}/_control/requests", sim.base_url()))
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["value"][0]["statusDetail"], "approved");
    assert_eq!(body["value"][0]["createdBy"], ALEX);
}

#[tokio::test]
async fn the_change_feed_filters_on_modification_time_and_pages_to_the_end() {
    let sim = sim().await;
    let token = sim.access_token_for(ADELE).unwrap();
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(submit_ok(&sim, ALEX, &documented("aws-policy.json")).await);
    }
    let (_, all) = get_json(&changes_url(&sim), Some(&token)).await;
    let first = all["value"][0].clone();
    assert_eq!(
        first["@odata.type"],
        "#microsoft.graph.permissionsRequestChange"
    );
    assert_eq!(first["statusDetail"], "submitted");
    assert_eq!(first["ticketId"], "INC1234567");
    assert!(
        first.get("activeOccurrenceStatus").is_none(),
        "no occurrence yet"
    );
    let mark = first["modificationDateTime"].as_str().unwrap().to_string();

    for id in &ids {
        sim.approve(id).unwrap();
    }
    sim.advance(2 * HOUR);
    let token = sim.access_token_for(ADELE).unwrap();
    let url = format!(
        "{}?$filter=modificationDateTime gt {mark}&$top=3",
        changes_url(&sim)
    );
    let mut next = Some(url);
    let mut seen = Vec::new();
    let mut pages = 0;
    while let Some(u) = next {
        let (s, page) = get_json(&u, Some(&token)).await;
        assert_eq!(s, 200, "{page}");
        pages += 1;
        for c in page["value"].as_array().unwrap() {
            assert!(parse(c["modificationDateTime"].as_str().unwrap()) > parse(&mark));
            seen.push(c["id"].as_str().unwrap().to_string());
        }
        next = page["@odata.nextLink"].as_str().map(str::to_string);
        if let Some(n) = &next {
            assert!(
                n.contains("$filter=modificationDateTime%20gt%20"),
                "the filter is kept: {n}"
            );
        }
    }
    // 4 requests x 6 changes each, less the first submitted one.
    assert_eq!(seen.len(), 4 * 6 - 1);
    assert_eq!(pages, seen.len().div_ceil(3));
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len());

    let (s, one) = get_json(&format!("{}/{}", changes_url(&sim), seen[0]), Some(&token)).await;
    assert_eq!(s, 200);
    assert_eq!(one["id"], seen[0].as_str());
    let (s, _) = get_json(
        &format!("{}/00000000-0000-0000-0000-000000000000", changes_url(&sim)),
        Some(&token),
    )
    .await;
    assert_eq!(s, 404);
    let (_, newest_first) = get_json(
        &format!(
            "{}?$orderby=modificationDateTime desc&$top=1",
            changes_url(&sim)
        ),
        Some(&token),
    )
    .await;
    assert_eq!(newest_first["value"][0]["statusDetail"], "completed");
    let (s, _) = get_json(
        &format!("{}?$filter=notes eq 'x'", changes_url(&sim)),
        Some(&token),
    )
    .await;
    assert_eq!(s, 400, "only documented properties filter");
}

#[tokio::test]
async fn an_end_date_time_ends_the_grant_then() {
    let sim = sim().await;
    let end = sim.clock().now() + time::Duration::hours(3);
    let mut body = documented("azure-roles.json");
    set_path(
        &mut body,
        "scheduleInfo.expiration",
        Some(
            json!({ "endDateTime": end.format(&time::format_description::well_known::Rfc3339).unwrap(), "type": "afterDateTime" }),
        ),
    );
    let id = submit_ok(&sim, ALEX, &body).await;
    sim.approve(&id).unwrap();
    sim.advance(3 * HOUR - MINUTE);
    assert_eq!(
        states_of(&sim, &id).await.last().unwrap(),
        &st("approved", Some("granted"))
    );
    sim.advance(2 * MINUTE);
    let changes = changes_of(&sim, &id).await;
    assert_eq!(changes.last().unwrap().0, "completed");
    let revoking = changes
        .iter()
        .find(|(_, o, _)| o.as_deref() == Some("revoking"))
        .unwrap();
    assert_eq!(parse(&revoking.2), crate_time(end));
}

fn crate_time(t: time::OffsetDateTime) -> time::OffsetDateTime {
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000).unwrap()
}

#[tokio::test]
async fn a_year_of_daily_occurrences_for_many_requests_is_evaluated_in_one_jump() {
    let sim = sim_with(SimConfig {
        approval: Approval::AutoAfter(Duration::ZERO),
        ..SimConfig::for_tests()
    })
    .await;
    let start = sim.clock().now() + time::Duration::hours(1);
    let mut body = documented("gcp-roles.json");
    set_path(
        &mut body,
        "scheduleInfo",
        Some(json!({
            "startDateTime": start.format(&time::format_description::well_known::Rfc3339).unwrap(),
            "expiration": { "duration": "PT1H" },
            "recurrence": {
                "pattern": { "type": "daily", "interval": 1 },
                "range": { "type": "numbered", "startDate": start.date().to_string(), "numberOfOccurrences": 300 }
            }
        })),
    );
    for _ in 0..40 {
        submit_ok(&sim, ALEX, &body).await;
    }
    sim.advance(365 * DAY);
    let token = sim.access_token_for(ADELE).unwrap();
    let (s, count) = get_json(&format!("{}/$count", changes_url(&sim)), Some(&token)).await;
    assert_eq!(s, 200);
    // Per request: submitted, approved, 4 per occurrence, completed.
    assert_eq!(count, Value::from(40 * (2 + 300 * 4 + 1)));
    let (_, done) = get_json(
        &format!(
            "{}?$filter=statusDetail eq 'completed'&$count=true&$top=1",
            requests_url(&sim)
        ),
        Some(&token),
    )
    .await;
    assert_eq!(done["@odata.count"], 40);
}
