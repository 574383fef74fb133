//! Public feeds of a hub's CLEAR lessons: Atom (RFC 4287) and JSON Feed 1.1,
//! for the association's public case page and newsletter tools. No login.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Shared;

/// Entries per feed.
const ENTRIES: usize = 50;

pub(crate) use tazan_search::xml_escape;

fn summary(l: &tazan_model::Lesson) -> String {
    format!("【問題】{}\n【教訓】{}", l.problem, l.lesson)
}

fn base(portal: &Shared) -> String {
    portal
        .base_url
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

/// `GET /feeds/atom.xml`.
pub(crate) async fn atom(State(portal): State<Shared>) -> Response {
    let base = base(&portal);
    let items = super::hub::public_lessons(&portal, ENTRIES);
    let updated = items
        .first()
        .map(|(e, _)| tazan_search::iso8601(e.received_at))
        .unwrap_or_else(|| tazan_search::iso8601(0));
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"ja\">\n");
    x.push_str(&format!(
        "<title>{} — 公開教訓</title>\n<id>{}/feeds/atom.xml</id>\n<updated>{updated}</updated>\n",
        xml_escape(&portal.site_name()),
        xml_escape(&base)
    ));
    x.push_str(&format!(
        "<link rel=\"self\" href=\"{0}/feeds/atom.xml\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{0}/lessons\"/>\n<author><name>{1}</name></author>\n",
        xml_escape(&base),
        xml_escape(&portal.site_name())
    ));
    for (e, l) in &items {
        x.push_str(&format!(
            "<entry>\n<id>urn:tazan:lesson:{id}</id>\n<title>{title}</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"{base}/lessons/{id}\"/>\n<updated>{at}</updated>\n<category term=\"{cause}\"/>\n<summary type=\"text\">{summary}</summary>\n</entry>\n",
            id = e.id,
            title = xml_escape(&l.title),
            base = xml_escape(&base),
            at = tazan_search::iso8601(e.received_at),
            cause = xml_escape(l.taxonomy.cause.as_str()),
            summary = xml_escape(&summary(l)),
        ));
    }
    x.push_str("</feed>\n");
    (
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        x,
    )
        .into_response()
}

/// `GET /feeds/feed.json`.
pub(crate) async fn json(State(portal): State<Shared>) -> Response {
    let base = base(&portal);
    let items: Vec<serde_json::Value> = super::hub::public_lessons(&portal, ENTRIES)
        .iter()
        .map(|(e, l)| {
            json!({
                "id": format!("urn:tazan:lesson:{}", e.id),
                "url": format!("{base}/lessons/{}", e.id),
                "title": l.title,
                "content_text": summary(l),
                "date_published": tazan_search::iso8601(e.received_at),
                "tags": [l.taxonomy.cause.as_str(), l.industry.as_str()],
                "language": l.language,
            })
        })
        .collect();
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": format!("{} — 公開教訓", portal.site_name()),
        "home_page_url": format!("{base}/lessons"),
        "feed_url": format!("{base}/feeds/feed.json"),
        "language": "ja",
        "items": items,
    });
    (
        [
            (header::CONTENT_TYPE, "application/feed+json; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        feed.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_covers_markup_and_drops_forbidden_characters() {
        assert_eq!(
            xml_escape("<script>alert('x')</script> & \"q\"\u{1}"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
