//! Messages for people in Dutch and English side by side (issue 12).
//!
//! Where the core writes a message that can reach the page (a refused value, a problem in an
//! uploaded file, a caution), it writes both languages in the same place, so the two cannot
//! drift apart; the page picks one (`message` / `message_en`, docs/wasm-api.md). The CLI and
//! every `Display` show the Dutch, as before.

use std::fmt;

/// One message in both languages. Derefs to the Dutch, so `text.contains("…")` and
/// `format!("{text}")` read as the Dutch message did.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Text {
    pub nl: String,
    pub en: String,
}

impl Text {
    pub fn new(nl: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            nl: nl.into(),
            en: en.into(),
        }
    }

    /// Both languages changed alike (a prefix, say): `f(nl)` and `f(en)`.
    pub fn map(self, f: impl Fn(String) -> String) -> Text {
        Text {
            nl: f(self.nl),
            en: f(self.en),
        }
    }
}

/// A message as the page reads it: `{message, message_en}`, the shape of thrown
/// errors and of problems (docs/wasm-api.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MessageOut<'a> {
    pub message: &'a str,
    pub message_en: &'a str,
}

impl Text {
    /// For the page: `{message, message_en}`.
    pub fn out(&self) -> MessageOut<'_> {
        MessageOut {
            message: &self.nl,
            message_en: &self.en,
        }
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.nl)
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.nl
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.nl
    }
}

/// `text!("… {x} …", "… {x} …")`: a [`Text`] from two format strings (the arguments of
/// either are captured from the caller's scope, as in `format!`).
#[macro_export]
macro_rules! text {
    ($nl:literal, $en:literal $(,)?) => {
        $crate::text::Text {
            nl: format!($nl),
            en: format!($en),
        }
    };
}

/// "onbekende wijkcode 'WK…'": a wijk code the model does not know.
pub fn unknown_wijk(code: &str) -> Text {
    text!(
        "onbekende wijkcode '{code}'",
        "unknown district code '{code}'"
    )
}

/// "onbekende gemeentecode 'GM…'": a gemeente code the model does not know.
pub fn unknown_gemeente(code: &str) -> Text {
    text!(
        "onbekende gemeentecode '{code}'",
        "unknown municipality code '{code}'"
    )
}
