//! Browser services: the training worker, local storage, files, the clipboard, the data
//! manifest and the shipped models.

pub mod clipboard;
pub mod download;
pub mod file_read;
pub mod kept_runs;
pub mod manifest;
pub mod models;
pub mod offline;
pub mod storage;
pub mod worker;
