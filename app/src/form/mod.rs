//! The request form, written once: what the browser and the plain HTML form send (`PlainForm`), what
//! the parser reads (`RequestForm`), the inputs' names both use (`names`) and the choices the form
//! offers (`choices`), what a change of cloud, system or kind sets aside (`set_aside`) and the draft a
//! reload reads back (`draft`). Wasm-safe: the page and the server share all of it.
pub mod choices;
pub mod draft;
pub mod entra;
pub mod names;
pub mod plain_form;
pub mod request_form;
pub mod set_aside;

pub use plain_form::PlainForm;
pub use request_form::{
    parse_identity_type, Field, FieldError, FormContext, RecurrenceForm, RequestForm,
};
