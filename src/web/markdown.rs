//! Issue bodies and comments as HTML: Markdown (CommonMark with tables,
//! strikethrough and task lists) rendered by pulldown-cmark, then cleaned
//! by ammonia, which keeps formatting and drops raw HTML's scripts, event
//! handlers, styles and every URL scheme but http, https and mailto (no
//! `javascript:`). Links open without a referrer and outside the page.

use pulldown_cmark::{Options, Parser, html};

/// `text` as safe HTML.
pub fn render(text: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut raw = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(text, options));
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer nofollow"))
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .clean(&raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_keeps_formatting_and_loses_every_script() {
        let html = render(
            "**bold** [ok](https://example.com) [bad](javascript:alert(1))\n\n\
             <script>alert(1)</script><img src=x onerror=alert(1)>\n\n\
             <a href=\"javascript:alert(2)\">raw</a> <b onclick=\"x()\">b</b>",
        );
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(html.contains("href=\"https://example.com\""), "{html}");
        for bad in ["<script", "onerror", "onclick", "javascript:"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }
}
