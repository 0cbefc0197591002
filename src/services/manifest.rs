//! The MNIST files' description, `static/mnist/manifest.json` (written by `cargo xtask data`),
//! fetched from the site itself.

pub use kindling_engine::datasets::mnist::MnistManifest;

/// Relative, so that the site works from any sub-path.
pub const URL: &str = "static/mnist/manifest.json";

pub async fn fetch() -> Result<MnistManifest, String> {
    crate::json::fetch(URL).await
}
