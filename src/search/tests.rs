//! The sharded index answers exactly as a naive scan of the documents does.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::Value;

use super::codec::{self, Postings};
use super::docs::{FIELDS, SearchDoc};
use super::index::{Index, UNPOSITIONED, bm25f, english, quantise, scale, stem};
use super::shards::{
    Facts, ShardData, ShardSizes, emit_facts_files, emit_index_files, index_files,
    read_all_postings, read_script,
};
use super::text::{for_each_word, tokens};
use crate::write::OutputFile;

fn shard(files: &[OutputFile], prefix: &str) -> BTreeMap<String, ShardData> {
    files
        .iter()
        .filter(|f| f.path.starts_with(prefix))
        .map(|f| read_script(&f.contents).expect("a shard script"))
        .collect()
}

/// Search through the files only, as the client does: manifest → vocabulary shard → stem id →
/// postings shard; AND of the terms, impact × scale summed.
fn sharded_search(files: &[OutputFile], words: &[&str]) -> Vec<(u32, u64)> {
    search_files(files, words, None)
}

/// The docs where `words` stand next to each other in that order, through the files only:
/// their stems as [`sharded_search`] finds them, then each stem's positions shard: the part
/// of its postings shard's positions that the vocabulary names, under that shard's hash.
fn sharded_phrase(files: &[OutputFile], words: &[&str]) -> Vec<u32> {
    let mut stems = Vec::new();
    let and = search_files(files, words, Some(&mut stems));
    if stems.len() != words.len() {
        return Vec::new();
    }
    let positions = shard(files, "search/pos/");
    // Per word: doc → its positions, or nothing for a word without positions.
    let per_word: Vec<Option<BTreeMap<u32, Vec<u32>>>> = stems
        .iter()
        .map(|(id, j, hash, docs)| {
            assert!(
                files
                    .iter()
                    .any(|f| f.path == format!("search/pos/{j}.{hash}.js")),
                "positions shard {j} named by its postings shard's hash"
            );
            let Some(ShardData::Bytes(bytes)) = positions.get(&format!("pos/{j}")) else {
                panic!("positions shard {j}")
            };
            let (first, records) = codec::decode_positions_shard(bytes).expect("positions");
            let record = &records[(id - first) as usize];
            let lists = codec::decode_positions(record, docs.len()).expect("a positions record");
            (!record.is_empty()).then(|| docs.iter().copied().zip(lists).collect())
        })
        .collect();
    and.into_iter()
        .map(|(doc, _)| doc)
        .filter(|doc| {
            let Some(anchor) = per_word.iter().position(Option::is_some) else {
                return true;
            };
            per_word[anchor].as_ref().is_some_and(|w| {
                w[doc].iter().any(|&at| {
                    per_word.iter().enumerate().all(|(k, w)| {
                        w.as_ref().is_none_or(|w| {
                            (at + k as u32)
                                .checked_sub(anchor as u32)
                                .is_some_and(|p| w[doc].contains(&p))
                        })
                    })
                })
            })
        })
        .collect()
}

/// A phrase word's stem: id, positions shard (`<postings shard>-<part>`), its hash, and the
/// stem's docs.
type PhraseStem = (u32, String, String, Vec<u32>);

fn search_files(
    files: &[OutputFile],
    words: &[&str],
    mut phrase_stems: Option<&mut Vec<PhraseStem>>,
) -> Vec<(u32, u64)> {
    let manifest = match shard(files, "search/manifest.js").remove("manifest") {
        Some(ShardData::Json(m)) => m,
        other => panic!("manifest: {other:?}"),
    };
    let n = manifest["n"].as_u64().expect("n") as usize;
    let firsts: Vec<&str> = manifest["v"]
        .as_array()
        .expect("v")
        .iter()
        .map(|v| v.as_str().expect("a word"))
        .collect();
    let vocab = shard(files, "search/v/");
    let postings = shard(files, "search/p/");
    let mut scores: Option<BTreeMap<u32, u64>> = None;
    for word in words {
        let Some(token) = tokens(word).into_iter().next() else {
            continue;
        };
        let i = firsts.partition_point(|first| *first <= token.as_str());
        let found = if i == 0 {
            None
        } else {
            let Some(ShardData::Bytes(bytes)) = vocab.get(&format!("v/{}", i - 1)) else {
                panic!("vocabulary shard {}", i - 1)
            };
            let shard = codec::decode_vocab_shard(bytes).expect("vocabulary");
            shard
                .entries
                .iter()
                .position(|e| e.surface == token)
                .map(|k| {
                    (
                        shard.entries[k].stem,
                        shard.postings[k],
                        shard.parts[k],
                        shard.hashes.clone(),
                        shard.entries[k].scale,
                    )
                })
        };
        let mut term: BTreeMap<u32, u64> = BTreeMap::new();
        if let Some((id, j, part, hashes, scale)) = found {
            let named = hashes.iter().find(|(k, _)| *k == j).expect("its hash");
            assert!(
                files
                    .iter()
                    .any(|f| f.path == format!("search/p/{j}.{}.js", named.1)),
                "the postings shard named"
            );
            let Some(ShardData::Bytes(bytes)) = postings.get(&format!("p/{j}")) else {
                panic!("postings shard {j}")
            };
            let (first, records) = codec::decode_postings_shard(bytes, n).expect("postings");
            let p: &Postings = &records[(id - first) as usize];
            for (doc, impact) in p.docs.iter().zip(&p.impacts) {
                term.insert(*doc, u64::from(*impact) * u64::from(scale));
            }
            if let Some(stems) = phrase_stems.as_mut() {
                stems.push((id, format!("{j}-{part}"), named.1.clone(), p.docs.clone()));
            }
        } else if let Some(stems) = phrase_stems.as_mut() {
            stems.clear();
        }
        scores = Some(match scores {
            None => term,
            Some(before) => before
                .into_iter()
                .filter_map(|(doc, s)| term.get(&doc).map(|t| (doc, s + t)))
                .collect(),
        });
    }
    scores.unwrap_or_default().into_iter().collect()
}

/// The same by scanning every document's tokens, with statistics recomputed from scratch.
fn naive_search(docs: &[SearchDoc], words: &[&str]) -> Vec<(u32, u64)> {
    let stemmer = english();
    let n = docs.len();
    let stemmed: Vec<[Vec<String>; FIELDS]> = docs
        .iter()
        .map(|d| {
            d.fields
                .clone()
                .map(|f| tokens(&f).iter().map(|t| stem(&stemmer, t)).collect())
        })
        .collect();
    let lengths: Vec<[u32; FIELDS]> = stemmed
        .iter()
        .map(|f| f.clone().map(|t| t.len() as u32))
        .collect();
    let mut average = [0.0; FIELDS];
    for f in 0..FIELDS {
        average[f] = lengths.iter().map(|l| f64::from(l[f])).sum::<f64>() / n.max(1) as f64;
    }
    let all_stems: BTreeSet<&String> = stemmed.iter().flatten().flatten().collect();
    let score = |doc: usize, stem: &str| -> f64 {
        let counts = stemmed[doc]
            .clone()
            .map(|t| t.iter().filter(|s| *s == stem).count() as u32);
        let df = stemmed
            .iter()
            .filter(|d| d.iter().flatten().any(|s| s == stem))
            .count() as u32;
        bm25f(&counts, &lengths[doc], &average, df, n)
    };
    let mut stem_max: BTreeMap<&str, f64> = BTreeMap::new();
    for (doc, fields) in stemmed.iter().enumerate() {
        for stem in &all_stems {
            if fields.iter().flatten().any(|s| s == *stem) {
                let m = stem_max.entry(stem.as_str()).or_insert(0.0);
                *m = m.max(score(doc, stem));
            }
        }
    }
    let max = stem_max.values().copied().fold(0.0, f64::max);
    // A query word matches through its stem, but only if it occurs in the corpus as written
    // (the client has a vocabulary of surface forms, not a stemmer).
    let surfaces: BTreeSet<String> = docs
        .iter()
        .flat_map(|d| d.fields.iter().flat_map(|f| tokens(f)))
        .collect();
    let query: Vec<Option<String>> = words
        .iter()
        .filter_map(|w| tokens(w).into_iter().next())
        .map(|t| surfaces.contains(&t).then(|| stem(&stemmer, &t)))
        .collect();
    if query.is_empty() || query.iter().any(Option::is_none) {
        return Vec::new();
    }
    let query: Vec<String> = query.into_iter().flatten().collect();
    (0..n)
        .filter(|&doc| {
            query
                .iter()
                .all(|q| stemmed[doc].iter().flatten().any(|s| s == q))
        })
        .map(|doc| {
            let total = query
                .iter()
                .map(|q| {
                    let top = stem_max[q.as_str()];
                    u64::from(quantise(score(doc, q), top)) * u64::from(scale(top, max))
                })
                .sum();
            (doc as u32, total)
        })
        .collect()
}

/// The same by laying out each page's words (the parts of a hyphenated word, not its joined
/// form) field after field, with one empty place between fields, and looking for the phrase's
/// stems at consecutive places; a little word of [`UNPOSITIONED`] stands for any place, even
/// one off the page, but the page must have it somewhere.
fn naive_phrase(docs: &[SearchDoc], words: &[&str]) -> Vec<u32> {
    let stemmer = english();
    let little: BTreeSet<String> = UNPOSITIONED.iter().map(|w| stem(&stemmer, w)).collect();
    let surfaces: BTreeSet<String> = docs
        .iter()
        .flat_map(|d| d.fields.iter().flat_map(|f| tokens(f)))
        .collect();
    let phrase: Vec<String> = words
        .iter()
        .filter_map(|w| tokens(w).into_iter().next())
        .collect();
    if phrase.iter().any(|t| !surfaces.contains(t)) {
        return Vec::new();
    }
    let phrase: Vec<String> = phrase.iter().map(|t| stem(&stemmer, t)).collect();
    (0..docs.len() as u32)
        .filter(|&doc| {
            let fields = &docs[doc as usize].fields;
            let has = |wanted: &String| {
                fields
                    .iter()
                    .any(|f| tokens(f).iter().any(|t| stem(&stemmer, t) == *wanted))
            };
            let mut places: Vec<Option<String>> = Vec::new();
            for (f, field) in fields.iter().enumerate() {
                if f > 0 {
                    places.push(None);
                }
                for_each_word(field, |token, joined_parts| {
                    if joined_parts == 0 {
                        places.push(Some(stem(&stemmer, token)));
                    }
                });
            }
            let fits = |start: isize| {
                phrase.iter().enumerate().all(|(k, wanted)| {
                    little.contains(wanted)
                        || usize::try_from(start + k as isize)
                            .ok()
                            .and_then(|at| places.get(at))
                            .is_some_and(|place| place.as_ref() == Some(wanted))
                })
            };
            let len = phrase.len() as isize;
            phrase.iter().all(has) && (-len..places.len() as isize + len).any(fits)
        })
        .collect()
}

const WORDS: &[&str] = &[
    "care",
    "caring",
    "cared",
    "home",
    "homes",
    "falls",
    "fall",
    "falling",
    "dementia",
    "staff",
    "well-led",
    "café",
    "20%",
    "night",
    "nights",
    "north",
    "east",
    "manager's",
    "managers",
    "training",
    "trained",
    "leadership",
    "leaders",
    "a",
    "the",
];

/// Words of one token each, for phrases (a phrase's hyphenated word is its parts).
const PHRASE_WORDS: &[&str] = &[
    "care", "caring", "home", "homes", "falls", "fall", "night", "well", "led", "the", "a",
];

fn corpus() -> impl Strategy<Value = Vec<SearchDoc>> {
    let field =
        proptest::collection::vec(proptest::sample::select(WORDS), 0..12).prop_map(|w| w.join(" "));
    let doc = proptest::array::uniform5(field).prop_map(|fields| SearchDoc {
        title: fields[0].clone(),
        fields,
        ..SearchDoc::default()
    });
    proptest::collection::vec(doc, 1..25)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn sharded_search_equals_naive_search(
        docs in corpus(),
        query in proptest::collection::vec(proptest::sample::select(WORDS), 1..4),
        vocab in 8usize..200,
        postings in 4usize..300,
    ) {
        let index = Index::build(&docs);
        let files = index_files(&docs, &index, ShardSizes { vocab, postings, positions: postings * 2 });
        prop_assert_eq!(sharded_search(&files, &query), naive_search(&docs, &query));
        prop_assert_eq!(read_all_postings(&files, docs.len()), Some(index.postings.clone()));
    }

    #[test]
    fn sharded_phrases_equal_naive_phrases(
        docs in corpus(),
        phrase in proptest::collection::vec(proptest::sample::select(PHRASE_WORDS), 2..4),
        postings in 4usize..300,
        positions in 4usize..300,
    ) {
        let index = Index::build(&docs);
        let files = index_files(&docs, &index, ShardSizes { vocab: 64, postings, positions });
        prop_assert_eq!(sharded_phrase(&files, &phrase), naive_phrase(&docs, &phrase));
    }
}

#[test]
fn files_are_deterministic_and_content_hashed() {
    let docs: Vec<SearchDoc> = (0..30)
        .map(|i| SearchDoc {
            url: format!("/case-studies/d{i}/"),
            title: format!("Doc {i} care home"),
            fields: [
                format!("Doc {i}"),
                "care home".into(),
                String::new(),
                "dementia".into(),
                WORDS[i % WORDS.len()].into(),
            ],
            facets: vec![(1, "north-east".into(), "North East".into())],
            numbers: vec![("share:x".into(), "X".into(), "%".into(), i as f64 * 2.5)],
            ..SearchDoc::default()
        })
        .collect();
    let index = Index::build(&docs);
    let a = index_files(
        &docs,
        &index,
        ShardSizes {
            vocab: 40,
            postings: 120,
            positions: 16,
        },
    );
    let b = index_files(
        &docs,
        &Index::build(&docs),
        ShardSizes {
            vocab: 40,
            postings: 120,
            positions: 16,
        },
    );
    assert_eq!(a, b);
    assert!(a.windows(2).all(|w| w[0].path < w[1].path));
    let contents = |path: &str| -> &[u8] {
        &a.iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("{path}"))
            .contents
    };
    for file in &a {
        let (key, data) = read_script(&file.contents).expect("script");
        if let Some(rest) = file.path.strip_suffix(".js") {
            let name = rest.rsplit('/').next().unwrap_or_default();
            if let Some((number, hash)) = name.split_once('.') {
                // A postings shard and its positions shards share the hash of them all.
                let expected = if key.starts_with("p/") || key.starts_with("pos/") {
                    let shard = number.split('-').next().unwrap_or_default();
                    let mut all = codec::Hasher::default();
                    all.update(contents(&format!("search/p/{shard}.{hash}.js")));
                    for part in 0.. {
                        let path = format!("search/pos/{shard}-{part}.{hash}.js");
                        if !a.iter().any(|f| f.path == path) {
                            break;
                        }
                        all.update(contents(&path));
                    }
                    all.finish()
                } else {
                    codec::hash(&file.contents)
                };
                assert_eq!(hash, expected, "{}", file.path);
            }
        }
        if key.starts_with("n/") && key != "n/date" {
            let ShardData::Bytes(bytes) = &data else {
                panic!("numeric column")
            };
            let pairs = codec::decode_numeric(bytes).expect("numeric");
            assert_eq!(pairs.len(), 30);
            assert_eq!(pairs[3], (3, 7.5));
        }
        if key == "f/region" {
            let ShardData::Json(Value::Object(facet)) = &data else {
                panic!("facet")
            };
            assert_eq!(
                facet["values"],
                serde_json::json!([["north-east", "North East", 30]])
            );
        }
    }
    assert!(a.iter().filter(|f| f.path.starts_with("search/p/")).count() > 1);
    assert!(
        a.iter()
            .filter(|f| f.path.starts_with("search/pos/"))
            .count()
            > a.iter().filter(|f| f.path.starts_with("search/p/")).count(),
        "positions of 16 bytes come in several parts per postings shard"
    );
    assert!(a.iter().filter(|f| f.path.starts_with("search/v/")).count() > 1);
}

#[test]
fn an_empty_site_has_a_manifest_and_nothing_else_to_fetch() {
    let index = Index::build(&[]);
    let files = index_files(&[], &index, ShardSizes::default());
    let manifest = files
        .iter()
        .find(|f| f.path == "search/manifest.js")
        .expect("a manifest");
    let Some((key, ShardData::Json(m))) = read_script(&manifest.contents) else {
        panic!("manifest script")
    };
    assert_eq!(key, "manifest");
    assert_eq!(m["n"], 0);
    assert_eq!(m["v"], serde_json::json!([]));
}

/// The build keeps of each page, once its card is written, only its facts (facet values,
/// numbers, date, as numbers into tables of the distinct ones): they make the same files as
/// the whole pages, and a value or field met again with another label keeps the first.
#[test]
fn the_facts_kept_of_each_page_make_the_same_index_files() {
    let docs: Vec<SearchDoc> = (0..12)
        .map(|i| SearchDoc {
            url: format!("/case-studies/d{i}/"),
            title: format!("Doc {i} care home"),
            summary: format!("Summary {i}"),
            kind: "case-study".into(),
            date: Some(format!("2024-0{}-01", i % 9 + 1)),
            fields: [
                format!("Doc {i}"),
                "care home".into(),
                String::new(),
                "dementia".into(),
                WORDS[i % WORDS.len()].into(),
            ],
            facets: vec![(
                1,
                format!("r{}", i % 3),
                if i < 3 {
                    format!("Region {}", i % 3)
                } else {
                    format!("Later {i}")
                },
            )],
            numbers: vec![(
                "share:x".into(),
                if i == 0 {
                    "X".into()
                } else {
                    format!("Later {i}")
                },
                if i == 0 {
                    "%".into()
                } else {
                    "later unit".into()
                },
                i as f64,
            )],
            figures: vec![format!("Falls down {i}%")],
            headline: Some(format!("Falls down {i}%")),
            text: format!("Doc {i} care home dementia"),
        })
        .collect();
    let index = Index::build(&docs);
    let sorted = |mut files: Vec<OutputFile>| {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    };
    let whole = std::sync::Mutex::new(Vec::new());
    emit_index_files(&docs, &index, ShardSizes::default(), "cards", |file| {
        whole.lock().expect("whole").push(file);
        Ok::<(), ()>(())
    })
    .expect("whole");
    let whole = whole.into_inner().expect("whole");
    let mut facts = Facts::default();
    for doc in docs.iter().cloned() {
        facts.add(&SearchDoc {
            facets: doc.facets,
            numbers: doc.numbers,
            date: doc.date,
            ..SearchDoc::default()
        });
    }
    assert_eq!(facts.len(), docs.len());
    let kept = std::sync::Mutex::new(Vec::new());
    emit_facts_files(&facts, &index, ShardSizes::default(), "cards", |file| {
        kept.lock().expect("kept").push(file);
        Ok::<(), ()>(())
    })
    .expect("facts");
    let kept = kept.into_inner().expect("kept");
    let (whole, kept) = (sorted(whole), sorted(kept));
    assert_eq!(whole, kept);
    let text = |prefix: &str| {
        let file = kept
            .iter()
            .find(|file| file.path.starts_with(prefix))
            .unwrap_or_else(|| panic!("a file {prefix}…"));
        String::from_utf8(file.contents.clone()).expect("text")
    };
    let regions = text("search/f/region.");
    for first in ["Region 0", "Region 1", "Region 2"] {
        assert!(regions.contains(&format!("\"{first}\"")), "{regions}");
    }
    assert!(!regions.contains("Later"), "{regions}");
    let manifest = text("search/manifest.js");
    assert!(manifest.contains(r#""label":"X""#), "{manifest}");
    assert!(manifest.contains(r#""unit":"%""#), "{manifest}");
    assert!(
        !manifest.contains("Later") && !manifest.contains("later unit"),
        "{manifest}"
    );
}
