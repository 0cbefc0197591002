//! Browser services: the training worker, local storage, files, the clipboard and the data
//! manifest.

pub mod clipboard;
pub mod download;
pub mod file_read;
pub mod manifest;
pub mod storage;
pub mod worker;
