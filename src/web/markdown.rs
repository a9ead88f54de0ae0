//! Issue bodies and comments as HTML: Markdown (CommonMark with tables,
//! strikethrough and task lists) rendered by pulldown-cmark, then cleaned
//! by ammonia, which keeps formatting and drops raw HTML's scripts, event
//! handlers, styles and every URL scheme but http, https and mailto (no
//! `javascript:`). Links open without a referrer and outside the page.
//! Bare URLs in text become links (linkify finds their ends), as GitHub
//! shows them.

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

/// `text` as safe HTML.
pub fn render(text: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut raw = String::with_capacity(text.len() * 3 / 2);
    html::push_html(
        &mut raw,
        with_links(Parser::new_ext(text, options)).into_iter(),
    );
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer nofollow"))
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .clean(&raw)
        .to_string()
}

/// The events with every bare URL (`https://…`, as GitHub shows them) in
/// text made a link; text already in a link or in code stays as it is.
fn with_links<'a>(events: impl Iterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    let (mut in_link, mut in_code) = (0usize, false);
    let mut out = Vec::new();
    for event in events {
        match &event {
            Event::Start(Tag::Link { .. }) => in_link += 1,
            Event::End(TagEnd::Link) => in_link = in_link.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            _ => {}
        }
        let Event::Text(text) = &event else {
            out.push(event);
            continue;
        };
        if in_link > 0 || in_code || finder.links(text).next().is_none() {
            out.push(event);
            continue;
        }
        for span in finder.spans(text) {
            let piece = CowStr::from(span.as_str().to_owned());
            if span.kind().is_some() {
                out.push(Event::Start(Tag::Link {
                    link_type: LinkType::Autolink,
                    dest_url: piece.clone(),
                    title: CowStr::Borrowed(""),
                    id: CowStr::Borrowed(""),
                }));
                out.push(Event::Text(piece));
                out.push(Event::End(TagEnd::Link));
            } else {
                out.push(Event::Text(piece));
            }
        }
    }
    out
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

    #[test]
    fn bare_urls_become_links_outside_code_and_links() {
        let html = render(
            "See https://example.com/a?b=1 (and http://x.test/y).\n\n\
             `https://in.code/` [named](https://named.test/) javascript:alert(1)\n\n\
             ```\nhttps://in.block/\n```",
        );
        assert!(
            html.contains("<a href=\"https://example.com/a?b=1\" rel=\"noopener noreferrer nofollow\">https://example.com/a?b=1</a>"),
            "{html}"
        );
        assert!(html.contains("href=\"http://x.test/y\""), "{html}");
        assert!(!html.contains("href=\"https://in.code/\""), "{html}");
        assert!(!html.contains("href=\"https://in.block/\""), "{html}");
        assert_eq!(
            html.matches("href=\"https://named.test/\"").count(),
            1,
            "{html}"
        );
        assert!(!html.contains("href=\"javascript"), "{html}");
    }
}
