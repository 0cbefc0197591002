//! Fashion-MNIST (Zalando Research, MIT): 28 × 28 grey photographs of clothes in ten classes, in
//! MNIST's own idx format. `cargo xtask data` writes it into `static/fashion-mnist/` with a
//! manifest like MNIST's, and it is read and checked by the same code ([`super::mnist`]).

/// The data's folder under `static/`.
pub const FOLDER: &str = "fashion-mnist";

/// The classes in label order, as keys (the page names them in each language).
pub const CLASSES: [&str; 10] = [
    "t_shirt",
    "trouser",
    "pullover",
    "dress",
    "coat",
    "sandal",
    "shirt",
    "sneaker",
    "bag",
    "ankle_boot",
];
