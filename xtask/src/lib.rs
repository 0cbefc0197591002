//! Shared by the xtask commands and the end-to-end tests.

pub mod data;
pub mod loader;
pub mod offline;
pub mod serve;

/// Chromium flags for headless runs on a machine with no network beyond the registries.
pub const CHROME_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--enable-unsafe-webgpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
];
