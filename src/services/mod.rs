//! Browser services: the training worker, local storage and the page's location.

pub mod storage;
pub mod worker;
