//! A text in both languages, as scenarios write feedback and as grades keep it.

use serde::{Deserialize, Serialize};

use super::Lang;

/// A text in English and Simplified Chinese; renderers pick one. Scenario YAML and the JSON
/// report spell it `{ en: …, zh-CN: … }`.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "`{ en: …, zh-CN: … }`")]
pub struct Text {
    pub en: String,
    /// Empty when a scenario gives no translation.
    #[serde(rename = "zh-CN", default)]
    pub zh_cn: String,
}

impl Text {
    pub fn new(en: impl Into<String>, zh_cn: impl Into<String>) -> Self {
        Text {
            en: en.into(),
            zh_cn: zh_cn.into(),
        }
    }

    /// The text in `lang`, English when there is no translation.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn if !self.zh_cn.is_empty() => &self.zh_cn,
            _ => &self.en,
        }
    }

    /// Joins two texts sentence by sentence, language by language: English with a space,
    /// Chinese with none.
    pub fn join(&self, other: &Text) -> Text {
        let join = |a: &str, b: &str, sep: &str| match (a.is_empty(), b.is_empty()) {
            (true, _) => b.to_string(),
            (_, true) => a.to_string(),
            _ => format!("{a}{sep}{b}"),
        };
        Text {
            en: join(&self.en, &other.en, " "),
            zh_cn: join(self.get(Lang::ZhCn), other.get(Lang::ZhCn), ""),
        }
    }
}

/// A text that reads the same in both languages: a command, a reply code, an address.
impl From<String> for Text {
    fn from(text: String) -> Self {
        Text::new(text.clone(), text)
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Text::from(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_falls_back_to_english_when_a_scenario_has_none() {
        let text = Text::new("Say EHLO first.", "");
        assert_eq!(text.get(Lang::ZhCn), "Say EHLO first.");
        let both = Text::new("Say EHLO first.", "先发送 EHLO。");
        assert_eq!(both.get(Lang::ZhCn), "先发送 EHLO。");
        assert_eq!(both.get(Lang::En), "Say EHLO first.");
    }

    #[test]
    fn joins_english_with_a_space_and_chinese_without() {
        let joined = Text::new("A.", "甲。").join(&Text::new("B.", ""));
        assert_eq!(joined, Text::new("A. B.", "甲。B."));
    }
}
