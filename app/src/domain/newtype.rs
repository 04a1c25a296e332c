//! What every domain newtype over a `String` shares, written once: the struct with its private field,
//! serde through `String` (so stored JSON is re-checked on the way in and reads as a plain string),
//! `as_str`, `Display`, `TryFrom<String>` and `From<T> for String`. Each type keeps its own `parse`,
//! its own error, and anything else it offers, beside the declaration.

/// Declares `pub struct $ty(String)` with the shared part. `TryFrom<String>` calls `$ty::parse`,
/// or, after `read`, the function given (for a type whose stored form is checked differently).
/// Extra derives go in front like any attribute.
macro_rules! string_newtype {
    ($(#[$meta:meta])* pub struct $ty:ident(String): $err:ty;) => {
        string_newtype!($(#[$meta])* pub struct $ty(String): $err, read |value: String| $ty::parse(&value););
    };
    ($(#[$meta:meta])* pub struct $ty:ident(String): $err:ty, read $read:expr;) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $ty(String);

        impl $ty {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::convert::TryFrom<String> for $ty {
            type Error = $err;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                let read: fn(String) -> Result<$ty, $err> = $read;
                read(value)
            }
        }

        impl ::std::convert::From<$ty> for String {
            fn from(value: $ty) -> Self {
                value.0
            }
        }
    };
}
