//! `ALL`, `name()` and `from_name()` for the small enums that appear in URLs and menus.

macro_rules! named {
    ($ty:ty { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$(<$ty>::$variant),*];
            pub fn name(self) -> &'static str {
                match self { $(<$ty>::$variant => $name),* }
            }
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.name() == name)
            }
        }
    };
}
pub(crate) use named;
