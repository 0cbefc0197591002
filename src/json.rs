//! JSON through the browser's own `JSON.parse` and `JSON.stringify` with serde-wasm-bindgen:
//! serde_json's parser and printer would add about 20 KB gzip to the page's wasm for the little
//! JSON it handles (its text, the MNIST manifest, the worked examples, the calibrations kept in
//! local storage). Natively (in tests) serde_json does the same.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

/// A JavaScript error in words.
fn js_error(value: JsValue) -> String {
    match value.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.message()),
        None => value.as_string().unwrap_or_else(|| format!("{value:?}")),
    }
}

/// Parses `text` as JSON into `T`; the error in words.
#[cfg(target_arch = "wasm32")]
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let value = js_sys::JSON::parse(text).map_err(js_error)?;
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

/// Parses `text` as JSON into `T`; the error in words.
#[cfg(not(target_arch = "wasm32"))]
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// Writes `value` as JSON.
#[cfg(target_arch = "wasm32")]
pub fn to_string<T: Serialize>(value: &T) -> Result<String, String> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let value = value.serialize(&serializer).map_err(|e| e.to_string())?;
    js_sys::JSON::stringify(&value)
        .map(String::from)
        .map_err(js_error)
}

/// Writes `value` as JSON.
#[cfg(not(target_arch = "wasm32"))]
pub fn to_string<T: Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}

/// Fetches `url` (relative to the page, so that the site works from any sub-path); an error in
/// words when the request fails or the server answers with an error status.
pub async fn response(url: &str) -> Result<Response, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| "not a response".to_string())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    Ok(response)
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let response = response(url).await?;
    Ok(JsFuture::from(response.text().map_err(js_error)?)
        .await
        .map_err(js_error)?
        .as_string()
        .unwrap_or_default())
}

/// Fetches `url` (see [`response`]) and reads it as JSON into `T`.
pub async fn fetch<T: DeserializeOwned>(url: &str) -> Result<T, String> {
    from_str(&fetch_text(url).await?)
}

/// Fetches `url` (see [`response`]) and reads it as any JSON.
pub async fn fetch_value(url: &str) -> Result<Value, String> {
    Value::parse(&fetch_text(url).await?)
}

/// Any JSON, for reading a document whose fields the page takes one by one, where a derived
/// deserializer per type would cost the page's wasm a visitor for each struct and enum.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Value {
    /// Reads JSON text: in the browser through `JSON.parse` and a walk over what it made (which
    /// the page's wasm holds in far less code than a serde deserializer), natively through serde.
    pub fn parse(text: &str) -> Result<Value, String> {
        #[cfg(target_arch = "wasm32")]
        return js_sys::JSON::parse(text)
            .map(|value| Value::from_js(&value))
            .map_err(js_error);
        #[cfg(not(target_arch = "wasm32"))]
        return from_str(text);
    }

    #[cfg(target_arch = "wasm32")]
    fn from_js(value: &JsValue) -> Value {
        if let Some(b) = value.as_bool() {
            Value::Bool(b)
        } else if let Some(n) = value.as_f64() {
            Value::Number(n)
        } else if let Some(text) = value.as_string() {
            Value::Text(text)
        } else if js_sys::Array::is_array(value) {
            let items = js_sys::Array::from(value);
            Value::List(items.iter().map(|item| Value::from_js(&item)).collect())
        } else if value.is_object() {
            let entries = js_sys::Object::entries(value.unchecked_ref());
            let member = |entry: JsValue| {
                let pair = js_sys::Array::from(&entry);
                let key = pair.get(0).as_string().unwrap_or_default();
                (key, Value::from_js(&pair.get(1)))
            };
            Value::Object(entries.iter().map(member).collect())
        } else {
            Value::Null
        }
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }

    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// A whole number from 0 to 2^53 (where f64 still counts exactly).
    pub fn whole(&self) -> Option<u64> {
        self.number()
            .filter(|n| n.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(n))
            .map(|n| n as u64)
    }

    /// The items of a list; none for anything else.
    pub fn items(&self) -> &[Value] {
        match self {
            Value::List(items) => items,
            _ => &[],
        }
    }
}

struct ValueVisitor;

impl<'de> serde::de::Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        serde::Deserialize::deserialize(d)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Value::Number(n))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Text(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::Text(s))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry()? {
            members.push(member);
        }
        Ok(Value::Object(members))
    }
}

impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    #[test]
    fn reads_and_writes_json_and_refuses_garbage() {
        let map: HashMap<String, String> = super::from_str(r#"{"a": "b"}"#).unwrap();
        assert_eq!(map["a"], "b");
        assert_eq!(super::to_string(&map).unwrap(), r#"{"a":"b"}"#);
        assert!(super::from_str::<HashMap<String, String>>("{not json").is_err());
    }

    #[test]
    fn any_json_reads_as_a_value() {
        use super::Value;
        let value: Value =
            super::from_str(r#"{"a": [1, 2.5, -3], "b": {"c": "d"}, "e": null, "f": true}"#)
                .unwrap();
        let a = value.get("a").unwrap().items();
        assert_eq!(
            a.iter().map(|v| v.number()).collect::<Vec<_>>(),
            [Some(1.0), Some(2.5), Some(-3.0)]
        );
        assert_eq!(
            (a[0].whole(), a[1].whole(), a[2].whole()),
            (Some(1), None, None)
        );
        assert_eq!(
            value
                .get("b")
                .and_then(|b| b.get("c"))
                .and_then(Value::text),
            Some("d")
        );
        assert_eq!(value.get("e"), Some(&Value::Null));
        assert_eq!(value.get("f"), Some(&Value::Bool(true)));
        assert_eq!(value.get("g"), None);
        assert!(value.items().is_empty() && value.text().is_none());
        assert!(Value::parse("[1,").is_err());
    }
}
