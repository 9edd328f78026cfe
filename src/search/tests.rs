//! The sharded index answers exactly as a naive scan of the documents does.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::Value;

use super::codec::{self, Postings};
use super::docs::{FIELDS, SearchDoc};
use super::index::{Index, bm25f, english, quantise, scale, stem};
use super::shards::{ShardData, ShardSizes, index_files, read_all_postings, read_script};
use super::text::tokens;
use crate::render::OutputFile;

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
                        shard.hashes.clone(),
                        shard.entries[k].scale,
                    )
                })
        };
        let mut term: BTreeMap<u32, u64> = BTreeMap::new();
        if let Some((id, j, hashes, scale)) = found {
            let file = files
                .iter()
                .find(|f| f.path.starts_with(&format!("search/p/{j}.")))
                .expect("the postings shard named");
            let named = hashes.iter().find(|(k, _)| *k == j).expect("its hash");
            assert_eq!(file.path, format!("search/p/{j}.{}.js", named.1));
            let Some(ShardData::Bytes(bytes)) = postings.get(&format!("p/{j}")) else {
                panic!("postings shard {j}")
            };
            let (first, records) = codec::decode_postings_shard(bytes, n).expect("postings");
            let p: &Postings = &records[(id - first) as usize];
            for (doc, impact) in p.docs.iter().zip(&p.impacts) {
                term.insert(*doc, u64::from(*impact) * u64::from(scale));
            }
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
        let files = index_files(&docs, &index, ShardSizes { vocab, postings });
        prop_assert_eq!(sharded_search(&files, &query), naive_search(&docs, &query));
        prop_assert_eq!(read_all_postings(&files, docs.len()), Some(index.postings.clone()));
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
            postings: 40,
        },
    );
    let b = index_files(
        &docs,
        &Index::build(&docs),
        ShardSizes {
            vocab: 40,
            postings: 40,
        },
    );
    assert_eq!(a, b);
    assert!(a.windows(2).all(|w| w[0].path < w[1].path));
    for file in &a {
        let (key, data) = read_script(&file.contents).expect("script");
        if let Some(rest) = file.path.strip_suffix(".js") {
            let name = rest.rsplit('/').next().unwrap_or_default();
            if let Some((_, hash)) = name.split_once('.') {
                assert_eq!(hash, codec::hash(&file.contents), "{}", file.path);
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
