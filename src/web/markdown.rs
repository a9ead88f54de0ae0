//! Issue bodies and comments as HTML: Markdown (CommonMark with tables,
//! strikethrough and task lists) rendered by pulldown-cmark, then cleaned
//! by ammonia, which keeps formatting and drops raw HTML's scripts, event
//! handlers, styles and every URL scheme but http, https and mailto (no
//! `javascript:`). Links open without a referrer and outside the page.
//! Bare URLs in text become links (linkify finds their ends), as GitHub
//! shows them.
//!
//! Any body renders in time linear in its size and bounded memory: one
//! longer than [`MARKDOWN_BYTES`] is shown as plain text; otherwise a line
//! opens at most [`DEPTH`] block quotes (its further `>` are dropped
//! before parsing), elements nested past [`DEPTH`] keep their text but
//! lose their element, raw HTML is kept only in a body with at most
//! [`RAW_HTML`] tags (else it is shown as text), and a body without raw
//! HTML skips the cleaner, since everything the Markdown writer makes is
//! escaped and every link and image URL is checked here (the cleaner is
//! ~100 ms per MB).

use pulldown_cmark::{
    CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, TextMergeStream, html,
};

/// Elements nested at most this deep: deeper ones (a line of 100,000 `>`)
/// keep their text but lose their element, so neither the HTML writer
/// nor the cleaner's tree (whose scope checks walk the open elements)
/// costs time by the square of the depth.
const DEPTH: usize = 24;

/// Raw HTML tags kept at most; a body with more shows its HTML as text
/// (`<div>` 100,000 times is 100,000 elements deep, and the cleaner's
/// time is quadratic in that).
const RAW_HTML: usize = 512;

/// What every link carries.
const REL: &str = "noopener noreferrer nofollow";

/// A text longer than this is shown as plain text (escaped, its bare URLs
/// made links): the Markdown parser keeps a node per bracket, emphasis
/// mark or quote of a text while it renders it (~150 bytes each: 128 KiB
/// of `[` is ~20 MB; a megabyte would be ~150 MB), and a body this long is
/// a paste of a log or data, which reads as well plain. (GitHub stops at
/// 65,536 characters.)
const MARKDOWN_BYTES: usize = 128 << 10;

/// `text` as safe HTML.
pub fn render(text: &str) -> String {
    if text.len() > MARKDOWN_BYTES {
        return plain(text);
    }
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    // fewer `<` than that in the text: fewer raw tags (the count needs no
    // parse)
    let keep_html = memchr::memchr_iter(b'<', text.as_bytes()).count() <= RAW_HTML;
    let text = &*clamp_quotes(text);
    let has_html = std::rc::Rc::new(std::cell::Cell::new(false));
    let events = Bounded::new(
        TextMergeStream::new(Parser::new_ext(text, options)),
        keep_html,
        std::rc::Rc::clone(&has_html),
    );
    let mut raw = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut raw, events);
    if !has_html.get() {
        return raw;
    }
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some(REL))
        // a task list's box, shown and never a control of the page
        .add_tags(["input"])
        .add_tag_attributes("input", ["checked"])
        .set_tag_attribute_value("input", "type", "checkbox")
        .set_tag_attribute_value("input", "disabled", "")
        .clean(&raw)
        .to_string()
}

/// `text` as a block of plain text, escaped, its bare URLs made links.
fn plain(text: &str) -> String {
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    let mut out = String::with_capacity(text.len() + text.len() / 8 + 64);
    out.push_str(&format!(
        "<p class=\"note\">Shown as plain text: longer than {} KiB.</p>\n<pre class=\"plain\">",
        MARKDOWN_BYTES >> 10
    ));
    for span in finder.spans(text) {
        let piece = span.as_str();
        if span.kind().is_some() && url_allowed(piece, false) {
            out.push_str(&link_open(piece, "", false));
            let _ = pulldown_cmark_escape::escape_html(&mut out, piece);
            out.push_str("</a>");
        } else {
            let _ = pulldown_cmark_escape::escape_html(&mut out, piece);
        }
    }
    out.push_str("</pre>\n");
    out
}

/// `text` with no line opening more than [`DEPTH`] block quotes: the `>`
/// past them in a line's leading markers are dropped before parsing (the
/// parser builds a node per level: a line of 1,000,000 `>` would cost
/// ~130 MB and 0.5 s before the first event).
fn clamp_quotes(text: &str) -> std::borrow::Cow<'_, str> {
    let deep = |line: &str| {
        line.bytes()
            .take_while(|b| matches!(b, b'>' | b' ' | b'\t'))
            .filter(|b| *b == b'>')
            .nth(DEPTH)
            .is_some()
    };
    if !text.split_inclusive('\n').any(deep) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if !deep(line) {
            out.push_str(line);
            continue;
        }
        let prefix = line
            .bytes()
            .take_while(|b| matches!(b, b'>' | b' ' | b'\t'))
            .count();
        let mut quotes = 0;
        for c in line[..prefix].chars() {
            if c == '>' {
                quotes += 1;
                if quotes > DEPTH {
                    continue;
                }
            }
            out.push(c);
        }
        out.push_str(&line[prefix..]);
    }
    std::borrow::Cow::Owned(out)
}

/// Whether a link (or, without `mailto`, an image) may point at `url`:
/// http, https, mailto, or a place on this server (a path, a query, a
/// fragment). Anything a browser might read as another scheme is refused.
fn url_allowed(url: &str, mailto: bool) -> bool {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("http://")
        || lower.starts_with("https://")
        || (mailto && lower.starts_with("mailto:"))
    {
        return true;
    }
    // no scheme: nothing before a colon but a path, and nothing a
    // browser strips before reading one (whitespace, control characters)
    let before = lower.split(['/', '?', '#']).next().unwrap_or("");
    !before.contains(':') && !lower.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A link's opening tag, as the writer would make it, with [`REL`].
fn link_open(dest: &str, title: &str, email: bool) -> String {
    let mut tag = String::from("<a href=\"");
    if email {
        tag.push_str("mailto:");
    }
    let _ = pulldown_cmark_escape::escape_href(&mut tag, dest);
    if !title.is_empty() {
        tag.push_str("\" title=\"");
        let _ = pulldown_cmark_escape::escape_html(&mut tag, title);
    }
    tag.push_str("\" rel=\"");
    tag.push_str(REL);
    tag.push_str("\">");
    tag
}

/// The events as the page shows them: elements nested past [`DEPTH`]
/// flattened, raw HTML made text unless `keep_html`, links opened with
/// [`REL`] and dropped (their text kept) when their URL is not allowed,
/// images likewise, and every bare URL (`https://…`, as GitHub shows
/// them) in text made a link (text already in a link or in code stays as
/// it is). `has_html` says whether raw HTML was kept (the cleaner's work).
struct Bounded<'a, I> {
    events: I,
    keep_html: bool,
    has_html: std::rc::Rc<std::cell::Cell<bool>>,
    finder: linkify::LinkFinder,
    in_link: usize,
    in_code: bool,
    /// For each open element, whether it is written.
    open: Vec<bool>,
    depth: usize,
    /// Events made from one text (its links), still to give.
    pending: std::collections::VecDeque<Event<'a>>,
}

impl<'a, I: Iterator<Item = Event<'a>>> Bounded<'a, I> {
    fn new(events: I, keep_html: bool, has_html: std::rc::Rc<std::cell::Cell<bool>>) -> Self {
        let mut finder = linkify::LinkFinder::new();
        finder.kinds(&[linkify::LinkKind::Url]);
        Bounded {
            events,
            keep_html,
            has_html,
            finder,
            in_link: 0,
            in_code: false,
            open: Vec::new(),
            depth: 0,
            pending: Default::default(),
        }
    }

    /// The event as written, or `None` when it is left out.
    fn shown(&mut self, event: Event<'a>) -> Option<Event<'a>> {
        Some(match event {
            Event::Start(tag) => {
                match &tag {
                    Tag::Link { .. } => self.in_link += 1,
                    Tag::CodeBlock(_) => self.in_code = true,
                    _ => {}
                }
                let written = self.depth < DEPTH
                    && match &tag {
                        Tag::Link {
                            dest_url,
                            link_type,
                            ..
                        } => *link_type == LinkType::Email || url_allowed(dest_url, true),
                        Tag::Image { dest_url, .. } => url_allowed(dest_url, false),
                        _ => true,
                    };
                self.open.push(written);
                if !written {
                    return None;
                }
                self.depth += 1;
                match tag {
                    Tag::Link {
                        dest_url,
                        title,
                        link_type,
                        ..
                    } => Event::InlineHtml(
                        link_open(&dest_url, &title, link_type == LinkType::Email).into(),
                    ),
                    tag => Event::Start(tag),
                }
            }
            Event::End(tag) => {
                match tag {
                    TagEnd::Link => self.in_link = self.in_link.saturating_sub(1),
                    TagEnd::CodeBlock => self.in_code = false,
                    _ => {}
                }
                if !self.open.pop().unwrap_or(false) {
                    return None;
                }
                self.depth = self.depth.saturating_sub(1);
                match tag {
                    TagEnd::Link => Event::InlineHtml(CowStr::Borrowed("</a>")),
                    tag => Event::End(tag),
                }
            }
            Event::Html(html) | Event::InlineHtml(html) if !self.keep_html => Event::Text(html),
            event @ (Event::Html(_) | Event::InlineHtml(_)) => {
                self.has_html.set(true);
                event
            }
            Event::Text(text)
                if self.in_link == 0
                    && !self.in_code
                    && self.finder.links(&text).next().is_some() =>
            {
                for span in self.finder.spans(&text) {
                    let piece = CowStr::from(span.as_str().to_owned());
                    if span.kind().is_some() && url_allowed(&piece, false) {
                        self.pending
                            .push_back(Event::InlineHtml(link_open(&piece, "", false).into()));
                        self.pending.push_back(Event::Text(piece));
                        self.pending
                            .push_back(Event::InlineHtml(CowStr::Borrowed("</a>")));
                    } else {
                        self.pending.push_back(Event::Text(piece));
                    }
                }
                return self.pending.pop_front();
            }
            event => event,
        })
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Bounded<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(event) = self.pending.pop_front() {
            return Some(event);
        }
        loop {
            let event = self.events.next()?;
            if let Some(event) = self.shown(event) {
                return Some(event);
            }
        }
    }
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

    #[test]
    fn nesting_is_bounded_and_the_text_kept() {
        let html = render(&format!("{} deep", ">".repeat(100_000)));
        assert_eq!(html.matches("<blockquote>").count(), super::DEPTH, "{html}");
        assert!(html.contains("deep"), "{html}");
        let html = render(&"<div>".repeat(super::RAW_HTML + 1));
        assert!(!html.contains("<div>"), "{}", &html[..200]);
        assert!(html.starts_with("<p>&lt;div&gt;") || html.contains("&lt;div&gt;"));
        let long = format!(
            "**not bold** <script>x</script> https://example.com/a\n{}",
            "[".repeat(super::MARKDOWN_BYTES)
        );
        let html = render(&long);
        assert!(
            html.contains("<pre class=\"plain\">**not bold** &lt;script&gt;"),
            "{}",
            &html[..300]
        );
        assert!(
            html.contains("<a href=\"https://example.com/a\" rel="),
            "{}",
            &html[..300]
        );
        assert!(render("<b>x</b>").contains("<b>x</b>"));
    }

    #[test]
    fn boxes_are_shown_never_controls() {
        let html = render("- [x] done\n- [ ] open\n\n<input type=\"text\" name=\"q\" value=\"v\">");
        assert_eq!(html.matches("<input").count(), 3, "{html}");
        assert_eq!(html.matches("disabled").count(), 3, "{html}");
        assert!(!html.contains("type=\"text\""), "{html}");
        assert!(!html.contains("name="), "{html}");
        assert!(render("- [x] done").contains("disabled"));
    }

    #[test]
    fn only_web_and_mail_links_are_made() {
        for body in [
            "[a](javascript:alert(1))",
            "[a](JavaScript:alert(1))",
            "[a](<java\tscript:alert(1)>)",
            "[a](data:text/html,x)",
            "![i](javascript:alert(1))",
            "![i](data:image/svg+xml,x)",
            "[a](vbscript:x) <b>with html</b>",
        ] {
            let html = render(body);
            assert!(
                !html.contains("href=\"j") && !html.contains("href=\"J"),
                "{body}: {html}"
            );
            assert!(
                !html.contains("script:") || !html.contains("href"),
                "{body}: {html}"
            );
            assert!(
                !html.contains("src=\"data") && !html.contains("href=\"data"),
                "{body}: {html}"
            );
        }
        let html = render("[a](/issues/x) [b](#top) [c](mailto:a@b.c) <a@b.c>");
        for want in [
            "href=\"/issues/x\"",
            "href=\"#top\"",
            "href=\"mailto:a@b.c\"",
        ] {
            assert!(html.contains(want), "{want}: {html}");
        }
        assert_eq!(
            html.matches("rel=\"noopener noreferrer nofollow\"").count(),
            4
        );
    }
}
