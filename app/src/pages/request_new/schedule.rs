//! Step 5: when access starts, how long it lasts, and whether it repeats, with the schedule in words
//! as the shared parser reads it.
use leptos::prelude::*;

use super::{browser, Continue, Page};
use crate::{
    components::field_errors::{described, FieldErrors},
    domain::{
        duration::{DurationPreset, IsoDuration},
        ids::{CloudKind, Upn},
        recurrence::DayOfWeek,
        schedule::{offset_from_minutes, offset_label},
    },
    form::{
        choices::{Ends, Length, Repeat, StartChoice},
        names,
        plain_form::PlainFormStoreFields,
        request_form::RecurrenceFormStoreFields,
        Field, FormContext,
    },
};

/// "America/Los_Angeles (UTC-08:00)", or the offset alone when the zone is unknown.
fn zone_label(zone: &str, offset_minutes: i32) -> String {
    let offset = offset_label(offset_from_minutes(offset_minutes));
    if zone.is_empty() {
        offset
    } else {
        format!("{zone} ({offset})")
    }
}

pub(super) fn step(page: Page) -> AnyView {
    let Page {
        form,
        cloud,
        errors,
        hydrated,
        options,
        ..
    } = page;
    let start_later = move || form.start_later().get();
    let length = form.length();
    let recurrence = form.recurrence();
    let repeat = move || recurrence.kind().with(|k| Repeat::parse(k));
    let ends = move || recurrence.range().with(|r| Ends::parse(r));
    let sent_as = move || {
        let duration = match length.get() {
            Length::End => return String::new(),
            Length::Custom => form.custom_duration().get(),
            Length::Duration(d) => d,
        };
        IsoDuration::parse(&duration)
            .map(|d| format!("Sent as {d} ({})", d.describe()))
            .unwrap_or_default()
    };
    let summary = move || {
        let f = page.request_form();
        let Some(Ok(o)) = options.get() else {
            return String::new();
        };
        let Ok(me) = Upn::parse(&o.upn) else {
            return String::new();
        };
        let c = cloud.get().unwrap_or(CloudKind::Aws);
        let limits = Page::limits(&o);
        let ctx = FormContext {
            now: browser::now(),
            limits: &limits,
            ticket_pattern: &o.ticket_pattern,
            submitter: &me,
        };
        match f.parse_schedule(c, &ctx) {
            Ok(s) => s.summary_in(f.offset()),
            Err(e) => e
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" "),
        }
    };
    view! {
        <fieldset id="step-5" class="step">
            <legend>"5. Schedule"</legend>
            <p class="muted" data-testid="timezone">{move || format!("Times are in your time zone, {}; they are stored in UTC.", zone_label(&form.time_zone().get(), form.offset_minutes().get()))}</p>
            <div class="choices" role="radiogroup" aria-label="Start">
                {StartChoice::ALL.into_iter().map(|choice| {
                    let later = choice == StartChoice::Later;
                    let mine = move || start_later() == later;
                    let label = if later { "Later" } else { "As soon as it is approved" };
                    view! { <label class="choice"><input type="radio" name=names::START value=choice.as_str() id=(!later).then_some("start") checked=mine prop:checked=mine on:change=move |_| form.start_later().set(later)/>{label}</label> }
                }).collect_view()}
            </div>
            // Shown before the page is interactive too: the server reads it only with "Later".
            <div hidden=move || hydrated.get() && !start_later()>
                <label for="start-at">"Start"</label>
                <input id="start-at" name=names::START_AT type="datetime-local" aria-describedby=described(Field::Start) value=form.start().get_untracked() prop:value=move || form.start().get() on:input=move |ev| form.start().set(event_target_value(&ev))/>
            </div>
            <FieldErrors errors field=Field::Start/>
            <div class="choices" role="radiogroup" aria-label="Duration">
                // Only the presets the cloud allows; all of them until its limits are known.
                <Transition fallback=|| ()>
                {move || {
                    // For an Entra role, within its PIM policy's maximum.
                    let max = page.max_duration().unwrap_or(IsoDuration::MAX);
                    DurationPreset::offered(max).map(|p| (Length::Duration(p.duration().to_string()), p.label()))
                        .chain([(Length::Custom, "Custom duration"), (Length::End, "Until an end time")])
                        .enumerate()
                        .map(|(i, (choice, label))| {
                            let value = choice.as_str().to_owned();
                            let mine = {
                                let choice = choice.clone();
                                move || length.with(|l| *l == choice)
                            };
                            view! { <label class="choice"><input type="radio" name=names::LENGTH value=value id=(i == 0).then_some("length") checked=mine.clone() prop:checked=mine on:change=move |_| length.set(choice.clone())/>{label}</label> }
                        }).collect_view()
                }}
                </Transition>
            </div>
            <div hidden=move || hydrated.get() && length.with(|l| *l != Length::Custom)>
                <label for="custom-duration">"Duration, such as 2h, 90m, 1h30m or 1 day"</label>
                <input id="custom-duration" name=names::CUSTOM_DURATION autocomplete="off" aria-describedby=format!("{} duration-sent", described(Field::Duration)) value=form.custom_duration().get_untracked() prop:value=move || form.custom_duration().get() on:input=move |ev| form.custom_duration().set(event_target_value(&ev))/>
            </div>
            // The ISO 8601 text that goes to Graph, whatever shape the person typed.
            <p class="muted" id="duration-sent" data-testid="duration-sent" hidden=move || sent_as().is_empty()>{sent_as}</p>
            <FieldErrors errors field=Field::Duration/>
            <div hidden=move || hydrated.get() && length.with(|l| *l != Length::End)>
                <label for="end-at">"End"</label>
                <input id="end-at" name=names::END_AT type="datetime-local" aria-describedby=described(Field::End) value=form.end().get_untracked() prop:value=move || form.end().get() on:input=move |ev| form.end().set(event_target_value(&ev))/>
            </div>
            <FieldErrors errors field=Field::End/>
            // PIM takes no recurrence: an Entra role is activated once.
            <div hidden=move || page.is_entra()>
            <label for="repeat">"Repeat"</label>
            <select id="repeat" name=names::REPEAT on:change=move |ev| recurrence.kind().set(event_target_value(&ev))>
                {Repeat::ALL.into_iter().map(|r| view! {
                    <option value=r.as_str() selected=move || repeat() == Some(r)>{r.label()}</option>
                }).collect_view()}
            </select>
            <div hidden=move || hydrated.get() && repeat() == Some(Repeat::Never)>
                <label for="interval">"Every (days, weeks or months)"</label>
                <input id="interval" name=names::INTERVAL type="number" min="1" max="99" value=recurrence.interval().get_untracked() prop:value=move || recurrence.interval().get() on:input=move |ev| recurrence.interval().set(event_target_value(&ev))/>
                <div hidden=move || hydrated.get() && repeat() != Some(Repeat::Weekly)>
                    <div class="choices" role="group" aria-label="Days of the week">
                        {[DayOfWeek::Monday, DayOfWeek::Tuesday, DayOfWeek::Wednesday, DayOfWeek::Thursday, DayOfWeek::Friday, DayOfWeek::Saturday, DayOfWeek::Sunday].into_iter().map(|d| {
                            let name = d.graph_name().to_owned();
                            let n2 = name.clone();
                            let mine = move || recurrence.days().with(|days| days.contains(&n2));
                            view! { <label class="choice"><input type="checkbox" name=names::DAY value=name.clone() checked=mine.clone() prop:checked=mine on:change=move |ev| { let on = event_target_checked(&ev); let n = name.clone(); recurrence.days().update(|days| { days.retain(|x| *x != n); if on { days.push(n); } }); }/>{d.to_string()}</label> }
                        }).collect_view()}
                    </div>
                </div>
                <div hidden=move || hydrated.get() && repeat() != Some(Repeat::Monthly)>
                    <label for="day-of-month">"Day of the month"</label>
                    <input id="day-of-month" name=names::DAY_OF_MONTH type="number" min="1" max="31" value=recurrence.day_of_month().get_untracked() prop:value=move || recurrence.day_of_month().get() on:input=move |ev| recurrence.day_of_month().set(event_target_value(&ev))/>
                </div>
                <label for="range">"Ends"</label>
                <select id="range" name=names::RANGE on:change=move |ev| recurrence.range().set(event_target_value(&ev))>
                    {Ends::OFFERED.into_iter().map(|e| view! {
                        <option value=e.as_str() selected=move || recurrence.range().with(|r| r == e.as_str())>{e.label()}</option>
                    }).collect_view()}
                </select>
                <div hidden=move || hydrated.get() && ends() != Some(Ends::EndDate)>
                    <label for="end-date">"Last day"</label>
                    <input id="end-date" name=names::END_DATE type="date" value=recurrence.end_date().get_untracked() prop:value=move || recurrence.end_date().get() on:input=move |ev| recurrence.end_date().set(event_target_value(&ev))/>
                </div>
                <div hidden=move || hydrated.get() && ends() != Some(Ends::Numbered)>
                    <label for="occurrences">"Number of times"</label>
                    <input id="occurrences" name=names::OCCURRENCES type="number" min="1" value=recurrence.occurrences().get_untracked() prop:value=move || recurrence.occurrences().get() on:input=move |ev| recurrence.occurrences().set(event_target_value(&ev))/>
                </div>
            </div>
            </div>
            <FieldErrors errors field=Field::Recurrence/>
            <p class="summary" data-testid="schedule-summary" aria-live="polite">
                <Transition fallback=|| ()>{summary}</Transition>
            </p>
            <Continue hydrated to=6/>
        </fieldset>
    }
    .into_any()
}
