//! Browser services: the training worker, local storage, files and the data manifest.

pub mod download;
pub mod file_read;
pub mod manifest;
pub mod storage;
pub mod worker;
