//! Earthmover's server: the page as a static site, and class rooms in which every student's
//! laptop trains one variant of a sweep and the teacher's dashboard gathers every curve
//! (README, "A class experiment"). Nothing is trained here.

pub mod api;
mod points;
pub mod site;
pub mod store;
pub mod summary;
pub mod sweeps;
mod teacher;

pub use api::{AppState, Config};
pub use store::Store;

/// The whole app: the API under `/api`, the site everywhere else.
pub fn app(state: AppState, root: &std::path::Path) -> axum::Router {
    api::router(state).merge(site::router(root))
}
