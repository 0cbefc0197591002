//! Hash routes (`#/`, `#/playground?…`, `#/cnn?…`, `#/transfer?…`, `#/bench?…`, `#/about`), so
//! the site works from any sub-path.

use kindling_engine::lessons::playground::config::Field;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Route {
    #[default]
    Home,
    Playground,
    Activations,
    Losses,
    Cnn,
    Gan,
    Transfer,
    Detect,
    Bench,
    About,
}

impl Route {
    pub const ALL: [Route; 10] = [
        Route::Home,
        Route::Playground,
        Route::Activations,
        Route::Losses,
        Route::Cnn,
        Route::Gan,
        Route::Transfer,
        Route::Detect,
        Route::Bench,
        Route::About,
    ];

    /// The route's name: its path (but `#/` for home) and its `nav.<name>` text.
    pub fn name(self) -> &'static str {
        match self {
            Route::Home => "home",
            Route::Playground => "playground",
            Route::Activations => "activations",
            Route::Losses => "losses",
            Route::Cnn => "cnn",
            Route::Gan => "gan",
            Route::Transfer => "transfer",
            Route::Detect => "detect",
            Route::Bench => "bench",
            Route::About => "about",
        }
    }

    /// The path part of the hash, without `#`.
    pub fn path(self) -> String {
        match self {
            Route::Home => "/".to_string(),
            route => format!("/{}", route.name()),
        }
    }

    /// The link target, e.g. `#/about`.
    pub fn href(self) -> String {
        format!("#{}", self.path())
    }

    /// The i18n key of the route's name in the navigation and the title, e.g. `nav.about`.
    pub fn nav_key(self) -> String {
        format!("nav.{}", self.name())
    }
}

/// Splits a location hash (`#/playground?data=xor`) into its route and its raw query.
/// Unknown paths are the home page.
pub fn parse_hash(hash: &str) -> (Route, String) {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    let (path, query) = hash.split_once('?').unwrap_or((hash, ""));
    let path = path.trim_end_matches('/');
    let name = path.strip_prefix('/').unwrap_or(path);
    let route = Route::ALL
        .into_iter()
        .find(|route| route.name() == name)
        .unwrap_or_default();
    (route, query.to_string())
}

/// The hash for a route and query (`#/playground?data=xor`); no `?` when the query is empty.
pub fn format_hash(route: Route, query: &str) -> String {
    if query.is_empty() {
        route.href()
    } else {
        format!("{}?{}", route.href(), query)
    }
}

// Shared with the native program, which reads the same links.
pub use kindling_engine::common::parse::query_pairs;

/// The first value of `key` in the query.
pub fn query_param(query: &str, key: &str) -> Option<String> {
    query_pairs(query)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// The query decoded and re-joined, ready for `PlaygroundConfig::from_query` (which does not
/// decode). Pairs whose value would break the `&`/`=` syntax are dropped.
pub fn decoded_query(query: &str) -> String {
    query_pairs(query)
        .into_iter()
        .filter(|(k, v)| !k.contains(['&', '=']) && !v.contains('&'))
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Whether the query sets any playground setting (and so should replace the current ones).
pub fn has_config_keys(query: &str) -> bool {
    query_pairs(query)
        .iter()
        .any(|(k, _)| Field::ALL.iter().any(|f| f.key() == k))
}

/// The page's current hash (`#/…`), or empty.
pub fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The page's current search string (`?lang=zh`), or empty.
pub fn current_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// A parameter from the search string or, failing that, from the hash's query.
pub fn url_param(key: &str) -> Option<String> {
    query_param(&current_search(), key).or_else(|| query_param(&parse_hash(&current_hash()).1, key))
}

/// Replaces the hash without adding a history entry or firing `hashchange`.
pub fn replace_hash(hash: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if window.location().hash().ok().as_deref() == Some(hash) {
        return;
    }
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(hash));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_engine::common::parse::percent_decode;

    #[test]
    fn routes_parse_and_format() {
        assert_eq!(parse_hash(""), (Route::Home, String::new()));
        assert_eq!(parse_hash("#/"), (Route::Home, String::new()));
        assert_eq!(parse_hash("#/nowhere?x=1").0, Route::Home);
        assert_eq!(parse_hash("#/about"), (Route::About, String::new()));
        assert_eq!(
            parse_hash("#/playground?data=xor&seed=7"),
            (Route::Playground, "data=xor&seed=7".into())
        );
        assert_eq!(parse_hash("#/playground/").0, Route::Playground);
        assert_eq!(
            parse_hash("#/activations?fn=sigmoid&x=-4,-2,0,2,4"),
            (Route::Activations, "fn=sigmoid&x=-4,-2,0,2,4".into())
        );
        assert_eq!(parse_hash("#/losses").0, Route::Losses);
        assert_eq!(
            parse_hash("#/cnn?epochs=1"),
            (Route::Cnn, "epochs=1".into())
        );
        assert_eq!(
            parse_hash("#/transfer?labels=5"),
            (Route::Transfer, "labels=5".into())
        );
        assert_eq!(
            parse_hash("#/bench?auto=1&steps=2"),
            (Route::Bench, "auto=1&steps=2".into())
        );
        for route in Route::ALL {
            assert_eq!(parse_hash(&format_hash(route, "")).0, route);
            assert_eq!(
                parse_hash(&format_hash(route, "a=1")),
                (route, "a=1".into())
            );
        }
    }

    #[test]
    fn queries_decode() {
        assert_eq!(percent_decode("8%2C8"), "8,8");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(
            query_param("data=xor&lang=zh", "lang").as_deref(),
            Some("zh")
        );
        assert_eq!(query_param("?lang=en", "lang").as_deref(), Some("en"));
        assert_eq!(query_param("data=xor", "lang"), None);
        assert_eq!(decoded_query("layers=8%2C8&seed=7"), "layers=8,8&seed=7");
        assert!(has_config_keys("data=xor"));
        assert!(!has_config_keys("lang=zh&backend=cpu"));
    }
}
