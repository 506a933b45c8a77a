//! The page as a static site: `index.html`, `sw.js` and `www/` only, with the precompressed
//! `.gz` copies build.sh writes (served as `Content-Encoding: gzip`) and conditional requests, as
//! a static host would.

use std::path::Path;

use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

pub fn router(root: &Path) -> Router {
    let index = ServeFile::new(root.join("index.html")).precompressed_gzip();
    Router::new()
        .route_service("/", index.clone())
        .route_service("/index.html", index)
        .route_service("/sw.js", ServeFile::new(root.join("sw.js")))
        .nest_service("/www", ServeDir::new(root.join("www")).precompressed_gzip())
        // Always revalidated: a rebuilt page is seen at the next load (304 when unchanged).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
}
