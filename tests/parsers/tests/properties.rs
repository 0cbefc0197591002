//! Property tests for every parser that takes input from outside: the lessons' URL settings, the
//! lesson input fields, pasted CSV points, MNIST idx files and worker messages. (Model files need
//! burn to read: engine/tests/cnn_files.rs damages them byte by byte.)
//! Arbitrary and damaged input must give a value or an error, never a panic; the URL codecs must
//! be stable (the settings a link yields survive being written back into a link).

use kindling_engine::common::input::parse_vector;
use kindling_engine::common::number::parse_f64;
use kindling_engine::common::parse::{parse_real, parse_whole};
use kindling_engine::datasets::mnist::parse_idx;
use kindling_engine::lessons::cnn::link as cnn_link;
use kindling_engine::lessons::detect::link as detect_link;
use kindling_engine::lessons::gan::{csv, digits_link, link as gan_link};
use kindling_engine::lessons::playground::config::PlaygroundConfig;
use kindling_engine::lessons::transfer::link as transfer_link;
use kindling_engine::protocol::{self, ToWorker};
use proptest::prelude::*;

/// The keys a codec writes for its defaults: where arbitrary values do the most damage.
fn keys(default_query: &str) -> Vec<String> {
    default_query
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('=').map(|(k, _)| k.to_string()))
        .collect()
}

/// Values a learner, a typo or an attacker might put in a link.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,12}",
        "-?[0-9]{0,20}(\\.[0-9]{0,20})?(e-?[0-9]{1,4})?",
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("-0".to_string()),
        Just("1e309".to_string()),
        Just("%00%ff%".to_string()),
        Just("<script>alert(1)</script>".to_string()),
        "\\PC{0,8}",
    ]
}

/// A query of up to 12 pairs, mostly on `keys`, sometimes unknown, repeated or without `=`.
fn query(keys: Vec<String>) -> impl Strategy<Value = String> {
    let pair = (
        prop_oneof![4 => prop::sample::select(keys), 1 => "[a-z]{0,6}"],
        value(),
        any::<bool>(),
    )
        .prop_map(|(k, v, eq)| if eq { format!("{k}={v}") } else { k });
    (prop::collection::vec(pair, 0..12), any::<bool>())
        .prop_map(|(pairs, mark)| format!("{}{}", if mark { "?" } else { "" }, pairs.join("&")))
}

/// A codec is stable when the settings read from any query read back the same from their own
/// link.
macro_rules! stable_codec {
    ($name:ident, $default_query:expr, $from:expr, $to:expr) => {
        proptest! {
            #[test]
            fn $name(q in query(keys(&$default_query))) {
                let (settings, _) = $from(&q);
                let again = $from(&$to(&settings)).0;
                prop_assert_eq!(again, settings, "from {:?}", q);
            }
        }
    };
}

stable_codec!(
    playground_links_are_stable,
    PlaygroundConfig::default().to_query(),
    PlaygroundConfig::from_query,
    PlaygroundConfig::to_query
);
stable_codec!(
    cnn_links_are_stable,
    cnn_link::to_query(&Default::default()),
    cnn_link::from_query,
    cnn_link::to_query
);
stable_codec!(
    gan_links_are_stable,
    gan_link::to_query(&Default::default()),
    gan_link::from_query,
    gan_link::to_query
);
stable_codec!(
    gan_digit_links_are_stable,
    digits_link::to_query(&Default::default()),
    digits_link::from_query,
    digits_link::to_query
);
stable_codec!(
    transfer_links_are_stable,
    transfer_link::to_query(&Default::default()),
    transfer_link::from_query,
    transfer_link::to_query
);
stable_codec!(
    detect_links_are_stable,
    detect_link::to_query(&Default::default()),
    detect_link::from_query,
    detect_link::to_query
);

proptest! {
    #[test]
    fn number_fields_accept_only_values_in_range(text in value(), lo in -1e6f64..0.0, span in 0.0f64..1e6) {
        let range = (lo, lo + span);
        if let Ok(x) = parse_real(&text, range) {
            prop_assert!(x.is_finite() && x >= range.0 && x <= range.1, "{text:?} → {x}");
        }
        if let Ok(n) = parse_whole(&text, (0.0, 1e6)) {
            prop_assert!(n <= 1_000_000, "{text:?} → {n}");
        }
        let _ = parse_f64(&text);
    }

    #[test]
    fn vector_fields_give_finite_numbers_or_an_error(text in "[-0-9eE.,;\\[\\] a-z]{0,60}") {
        if let Ok(values) = parse_vector(&text) {
            prop_assert!(values.iter().all(|v| v.is_finite()), "{text:?} → {values:?}");
        }
    }

    #[test]
    fn pasted_csv_gives_finite_points_or_an_error(text in "[-0-9eE., ;\\t\\nxy#a-z]{0,200}") {
        if let Ok(points) = csv::parse(&text) {
            prop_assert!(points.iter().flatten().all(|v| v.is_finite()), "{text:?}");
        }
        let _ = csv::read(&text);
    }

    #[test]
    fn idx_files_of_any_bytes_are_read_or_refused(
        images in prop::collection::vec(any::<u8>(), 0..64),
        labels in prop::collection::vec(any::<u8>(), 0..16),
    ) {
        let _ = parse_idx(&images, &labels);
    }

    #[test]
    fn idx_headers_with_any_counts_are_read_or_refused(
        count in any::<u32>(), rows in any::<u32>(), cols in any::<u32>(), label_count in any::<u32>(),
        body in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut images = vec![0, 0, 8, 3];
        for n in [count, rows, cols] {
            images.extend(n.to_be_bytes());
        }
        images.extend(&body);
        let mut labels = vec![0, 0, 8, 1];
        labels.extend(label_count.to_be_bytes());
        labels.extend(&body);
        if let Ok(read) = parse_idx(&images, &labels) {
            prop_assert_eq!(read.pixels.len(), read.len() * read.rows * read.cols);
        }
    }

    #[test]
    fn worker_messages_of_any_bytes_are_decoded_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = protocol::decode::<ToWorker>(&bytes);
    }
}
