//! Properties of the matcher over any paste: it never panics, it answers the same twice, and a
//! known code stays found whatever surrounds it (mixed scripts, right-to-left marks, zero-width
//! joiners, control characters, very long runs).

mod support;

use backup_bot_index::Reason;
use proptest::prelude::*;
use support::matcher;

/// Text people paste, and worse: Hangul, Latin, digits, punctuation, markup, RTL and zero-width
/// marks, control characters, any other scalar value.
fn noise() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9 ._:/=-]{0,40}",
        "[가-힣 ]{0,20}",
        Just("\u{200f}\u{202e}\u{200d}\u{feff}\u{200b}".to_string()),
        Just("<!channel> <@U123> @everyone ```".to_string()),
        "[\\x00-\\x1f]{0,5}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_paste_is_matched_without_panic_and_the_same_twice(text in noise()) {
        let m = matcher();
        let a = m.find(&text);
        let b = m.find(&text);
        prop_assert_eq!(a, b);
        let _ = m.ask(&text);
    }

    #[test]
    fn a_known_code_is_found_whatever_surrounds_it(
        before in noise(),
        after in noise(),
        which in 0usize..1000,
    ) {
        let m = matcher();
        let codes: Vec<&str> = m
            .codes()
            .filter(|c| c.len() >= 12 && c.bytes().all(|b| b.is_ascii_alphanumeric()) && !c.bytes().all(|b| b.is_ascii_digit()))
            .collect();
        let code = codes[which % codes.len()];
        let text = format!("{before}\n{code}\n{after}");
        let found = m.find(&text);
        prop_assert!(
            found.named.iter().chain(found.candidates.iter()).any(|c| {
                c.code.as_deref() == Some(code) && c.reason == Reason::ExactCode
            }),
            "{} not found in {:?}: {:?}", code, text, found.named
        );
    }
}
