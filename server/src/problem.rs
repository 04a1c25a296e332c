//! The problem page lives with `AppError` in the app crate (`app::ssr::problem`), which renders it too.
pub use app::ssr::problem::Problem;
