//! Nothing here: the property tests are in tests/properties.rs.
