use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignedOutPage() -> impl IntoView {
    view! {
        <Title text="Signed out"/>
        <section class="panel">
            <h1>"You are signed out"</h1>
            <p>"Your portal session has ended and your tokens were removed from the server."</p>
            <p><a class="button" href="/auth/login" rel="external">"Sign in again"</a></p>
        </section>
    }
}
