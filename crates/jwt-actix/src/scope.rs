//! The scopes a token grants, and how routes require them.
//!
//! Why scopes are read from the type-erased claims, not from the handler's claims type: the
//! middleware must check them before any handler (and its type) is involved, and one
//! configuration may serve handlers with different claims types.
//!
//! The claim is `scope` by default, a space-separated string (RFC 8693 §4.2, RFC 9068 §2.2.3);
//! [`BearerConfig::scope_claim`](crate::BearerConfig::scope_claim) picks another one, such as
//! `scp` or `roles`, which may also be an array of strings (as several identity providers issue
//! them). A claim of any other type grants nothing: requirements fail closed.

use std::fmt;

use serde_json::Value;

/// The scopes a verified token grants.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Scopes(Box<[Box<str>]>);

impl Scopes {
    /// Reads a scope claim: a space-separated string, or an array of strings (each one scope).
    pub(crate) fn from_claim(claim: Option<&Value>) -> Scopes {
        let scopes: Vec<Box<str>> = match claim {
            Some(Value::String(text)) => text
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(Box::from)
                .collect(),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(Box::from)
                .collect(),
            _ => Vec::new(),
        };
        Scopes(scopes.into_boxed_slice())
    }

    /// Whether `scope` is granted (exact, case-sensitive comparison).
    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|s| &**s == scope)
    }

    /// Whether every one of `required` is granted.
    pub fn contains_all<S: AsRef<str>>(&self, required: &[S]) -> bool {
        required.iter().all(|scope| self.contains(scope.as_ref()))
    }

    /// The granted scopes, in token order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|s| &**s)
    }

    /// Number of granted scopes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the token grants no scope.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Scopes a route requires, named by a type, for [`Scoped`](crate::Scoped).
///
/// ```
/// use jwt_actix::RequiredScopes;
///
/// /// Tokens must grant both `orders:read` and `orders:write`.
/// struct OrdersWrite;
/// impl RequiredScopes for OrdersWrite {
///     const SCOPES: &'static [&'static str] = &["orders:read", "orders:write"];
/// }
/// ```
pub trait RequiredScopes: 'static {
    /// Every one of these must be granted.
    const SCOPES: &'static [&'static str];
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn string_and_array_claims() {
        let s = Scopes::from_claim(Some(&json!("read  admin ")));
        assert_eq!(s.iter().collect::<Vec<_>>(), ["read", "admin"]);
        assert!(s.contains_all(&["admin", "read"]));
        assert!(!s.contains("Admin"));
        let a = Scopes::from_claim(Some(&json!(["read", "", 7, "admin"])));
        assert_eq!(a.iter().collect::<Vec<_>>(), ["read", "admin"]);
        for nothing in [None, Some(json!(7)), Some(json!({"admin": true}))] {
            assert!(Scopes::from_claim(nothing.as_ref()).is_empty());
        }
        assert!(Scopes::default().contains_all::<&str>(&[]));
    }
}
