//! Overlap resolution between recogniser hits.

use crate::recognize::Hit;
use tazan_model::Kind;

/// Keeps the best non-overlapping hits: higher priority, then longer, then higher
/// score. A name hit whose start overlaps an already kept hit is trimmed to start
/// after it (JR西日本|金沢支社) when enough of it remains.
pub(super) fn resolve(mut hits: Vec<Hit>, text: &str) -> Vec<Hit> {
    if hits.len() <= 1 {
        return hits;
    }
    hits.sort_by(|a, b| {
        b.prio
            .cmp(&a.prio)
            .then((b.range.end - b.range.start).cmp(&(a.range.end - a.range.start)))
            .then(b.score.total_cmp(&a.score))
            .then(a.range.start.cmp(&b.range.start))
    });
    // `taken` is sorted by start and non-overlapping; each entry points into `kept`.
    let mut taken: Vec<(std::ops::Range<usize>, usize)> = Vec::with_capacity(hits.len());
    let mut kept: Vec<Option<Hit>> = Vec::with_capacity(hits.len());
    for mut h in hits {
        let lo = taken.partition_point(|(r, _)| r.end <= h.range.start);
        let hi = taken.partition_point(|(r, _)| r.start < h.range.end);
        if lo < hi {
            let overlapping = &taken[lo..hi];
            let is_place = |x: &Hit| x.kind == Kind::Place && x.deny.is_none();
            let all_places = is_place(&h)
                && overlapping
                    .iter()
                    .all(|(_, k)| kept[*k].as_ref().is_some_and(is_place));
            // Deny-list matches widened over a glued word may overlap: both go.
            let all_denied = h.deny.is_some()
                && overlapping
                    .iter()
                    .all(|(_, k)| kept[*k].as_ref().is_some_and(|x| x.deny.is_some()));
            if all_places || all_denied {
                // 神奈川県 + 川県横須賀市 → one place 神奈川県横須賀市.
                let start = overlapping
                    .iter()
                    .map(|(r, _)| r.start)
                    .min()
                    .unwrap_or(h.range.start)
                    .min(h.range.start);
                let end = overlapping
                    .iter()
                    .map(|(r, _)| r.end)
                    .max()
                    .unwrap_or(h.range.end)
                    .max(h.range.end);
                for (_, k) in overlapping {
                    kept[*k] = None;
                }
                taken.drain(lo..hi);
                h.range = start..end;
            } else {
                // Only name+suffix rules can lose their start: the suffix carries them.
                let trimmable = h.kind.is_identifying()
                    && h.deny.is_none()
                    && SUFFIX_RULES.contains(&h.rule)
                    && overlapping
                        .iter()
                        .all(|(r, _)| r.start <= h.range.start && r.end < h.range.end);
                // A brand+katakana compound (ETCETCベルナ…) keeps its Latin head.
                let head_only = h.rule == crate::recognize::CANDIDATE_LATIN
                    && overlapping.iter().all(|(r, _)| r.start > h.range.start);
                if head_only {
                    let end = overlapping
                        .iter()
                        .map(|(r, _)| r.start)
                        .min()
                        .unwrap_or(h.range.end);
                    if text
                        .get(h.range.start..end)
                        .is_some_and(|head| head.chars().count() >= 2)
                    {
                        h.range.end = end;
                        let i = taken.partition_point(|(r, _)| r.start < h.range.start);
                        taken.insert(i, (h.range.clone(), kept.len()));
                        kept.push(Some(h));
                    }
                    continue;
                }
                if h.rule.starts_with("candidate:")
                    || matches!(h.rule, "relation_company" | "katakana_person")
                {
                    // An unknown word or a related company's name beside a kept hit
                    // (ミルフォード|アークライト, the second deny-listed): what is
                    // left of it is still a name.
                    let mut start = h.range.start;
                    let mut piece = None;
                    for (r, _) in overlapping {
                        if r.start > start
                            && text
                                .get(start..r.start)
                                .is_some_and(|p| p.chars().count() >= 2)
                        {
                            piece = Some(start..r.start);
                            break;
                        }
                        start = start.max(r.end);
                    }
                    let tail = start..h.range.end;
                    let piece = piece.or_else(|| {
                        text.get(tail.clone())
                            .filter(|p| p.chars().count() >= 2)
                            .map(|_| tail)
                    });
                    if let Some(p) = piece {
                        h.range = p;
                        let i = taken.partition_point(|(r, _)| r.start < h.range.start);
                        taken.insert(i, (h.range.clone(), kept.len()));
                        kept.push(Some(h));
                    }
                    continue;
                }
                if !trimmable {
                    continue;
                }
                let new_start = overlapping
                    .iter()
                    .map(|(r, _)| r.end)
                    .max()
                    .unwrap_or(h.range.start);
                if text
                    .get(new_start..h.range.end)
                    .is_none_or(|rest| rest.chars().count() < 3)
                {
                    continue;
                }
                h.range.start = new_start;
            }
        }
        let i = taken.partition_point(|(r, _)| r.start < h.range.start);
        taken.insert(i, (h.range.clone(), kept.len()));
        kept.push(Some(h));
    }
    let mut kept: Vec<Hit> = kept.into_iter().flatten().collect();
    kept.sort_by_key(|h| h.range.start);
    kept
}

const SUFFIX_RULES: [&str; 9] = [
    "facility_suffix",
    "org_suffix",
    "company_suffix",
    "railway_line",
    "municipality",
    "area",
    "source_suffix",
    "utility",
    "corporate_suffix",
];
