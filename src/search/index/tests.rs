use super::posting::first_list_len;
use super::*;

/// A document's packed terms read back as written: ids by their gaps, only the fields that
/// have the stem, counts up to the saturation limit.
#[test]
fn packed_terms_read_back_as_written() {
    let written: Vec<(u32, [u16; FIELDS])> = vec![
        (0, [1, 0, 0, 0, 0]),
        (3, [0, 0, 0, 0, 7]),
        (200, [2, 1, 0, 3, 129]),
        (70_000, [0, 0, 0, 0, u16::MAX]),
        (4_000_000_000, [0, 5, 0, 0, 0]),
    ];
    let mut terms = Vec::new();
    let mut previous = 0;
    for (stem, counts) in &written {
        put_term(&mut terms, stem - previous, counts);
        previous = *stem;
    }
    let doc = DocTerms {
        terms: terms.into_boxed_slice(),
        positions: Box::default(),
        lengths: [0; FIELDS],
    };
    let read: Vec<(u32, [u16; FIELDS])> = doc
        .terms()
        .map(|term| {
            let fields = (0..FIELDS)
                .filter(|&f| term.counts[f] != 0)
                .fold(0u8, |fields, f| fields | 1 << f);
            assert_eq!(term.fields, fields, "the fields of {}", term.stem);
            (term.stem, term.counts.map(|c| c as u16))
        })
        .collect();
    assert_eq!(read, written);
}

/// Scores from the packed records equal scores computed from the counts directly.
#[test]
fn builder_scores_match_direct_bm25f() {
    let fields = |title: &str, body: &str| {
        [
            title.to_owned(),
            String::new(),
            String::new(),
            String::new(),
            body.to_owned(),
        ]
    };
    let docs = [
        fields("falls prevention", "falls falls and the night staff"),
        fields("night staff", "staff rota at night"),
    ];
    let mut builder = IndexBuilder::default();
    for doc in &docs {
        builder.add(DocCounts::of(doc));
    }
    let index = builder.finish();
    let stemmer = english();
    let fall = stem(&stemmer, "falls");
    let id = index.stems.binary_search(&fall).expect("stem of falls");
    // Only the first document has it: one posting, at the top of its own scale.
    assert_eq!(index.postings[id].docs, vec![0]);
    assert_eq!(index.postings[id].impacts, vec![255]);
    let staff = index
        .stems
        .binary_search(&stem(&stemmer, "staff"))
        .expect("stem of staff");
    assert_eq!(index.postings[staff].docs, vec![0, 1]);
    // Doc 1 has "staff" in its title (weight 16) as well as its body: it scores higher.
    let lengths = [[2, 0, 0, 0, 6], [2, 0, 0, 0, 4]];
    let average = [2.0, 0.0, 0.0, 0.0, 5.0];
    let s0 = bm25f(&[0, 0, 0, 0, 1], &lengths[0], &average, 2, 2);
    let s1 = bm25f(&[1, 0, 0, 0, 1], &lengths[1], &average, 2, 2);
    assert_eq!(
        index.postings[staff].impacts,
        vec![quantise(s0, s1.max(s0)), quantise(s1, s1.max(s0))]
    );
}

/// The stems' ranges of the finish's threads follow each other from the first stem to the
/// last, and the common stems before a range count against it: with every stem as common, the
/// later ranges are shorter.
#[test]
fn stem_ranges_cover_every_stem_with_the_work_shared() {
    let df: Vec<u32> = (0..1000).map(|i| if i < 100 { 500 } else { 5 }).collect();
    let bytes: Vec<usize> = df.iter().map(|&d| d as usize * 2).collect();
    for parts in 1..6 {
        let ranges = stem_ranges(&df, &bytes, parts);
        assert_eq!(ranges.len(), parts);
        assert_eq!(ranges[0].start, 0);
        assert_eq!(ranges[parts - 1].end, df.len());
        for pair in ranges.windows(2) {
            assert_eq!(pair[0].end, pair[1].start, "{ranges:?}");
        }
    }
    let even = vec![10u32; 1000];
    let ranges = stem_ranges(&even, &vec![0; 1000], 2);
    // The second range also decodes the first's terms: it takes fewer stems of its own.
    assert!(ranges[0].len() > ranges[1].len(), "{ranges:?}");
    assert!(ranges[1].len() > 300, "{ranges:?}");
    assert_eq!(stem_ranges(&[], &[], 3), vec![0..0, 0..0, 0..0]);
}

/// The finish posts on every thread of its pool, each a range of stems, in batches of
/// documents: the index is the same with one thread as with several, over several batches.
#[test]
fn the_index_is_the_same_whatever_the_number_of_threads() {
    const WORDS: &[&str] = &[
        "falls",
        "fall",
        "night",
        "staff",
        "rota",
        "dementia",
        "care",
        "home",
        "the",
        "and",
        "well-led",
        "wellled",
        "medicines",
        "2024",
        "audit",
        "of",
        "residents",
        "family",
    ];
    let docs: Vec<[String; FIELDS]> = (0..POSTING_BATCH * 2 + 37)
        .map(|i| {
            let words = |count: usize, step: usize| -> String {
                (0..count)
                    .map(|j| WORDS[(i * step + j * j + j / 3) % WORDS.len()])
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let rare = format!("unique{i} word{}", i % 50);
            [
                words(3, 7),
                words(i % 5, 3),
                String::new(),
                rare,
                words(20 + i % 40, 11),
            ]
        })
        .collect();
    let build = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool");
        pool.install(|| {
            let mut builder = IndexBuilder::default();
            for doc in &docs {
                builder.add(DocCounts::of(doc));
            }
            builder.finish()
        })
    };
    let one = build(1);
    assert_eq!(one.n, docs.len());
    assert!(one.postings.iter().any(|p| p.docs.len() == docs.len()));
    assert!(one.positions.iter().any(|p| !p.is_empty()));
    for threads in [2, 3, 5] {
        let many = build(threads);
        assert_eq!(many.stems, one.stems, "{threads} threads");
        assert_eq!(many.vocab, one.vocab, "{threads} threads");
        assert_eq!(many.postings, one.postings, "{threads} threads");
        assert_eq!(many.positions, one.positions, "{threads} threads");
    }
}

/// A document's counts keep each surface form once, in order of first sight, with its count
/// in each field and its positions (the joined form of a hyphenated word at its first part's).
#[test]
fn doc_counts_keep_each_surface_once_with_its_counts_and_positions() {
    let fields = [
        "Falls falls".to_owned(),
        String::new(),
        String::new(),
        "well-led".to_owned(),
        "falls at night falls".to_owned(),
    ];
    let doc = DocCounts::of(&fields);
    let surfaces: Vec<&str> = (0..doc.surfaces()).map(|i| doc.surface(i)).collect();
    assert_eq!(surfaces, ["falls", "well", "led", "wellled", "at", "night"]);
    assert_eq!(doc.counts[0], [2, 0, 0, 0, 2]);
    assert_eq!(doc.counts[3], [0, 0, 0, 1, 0]);
    assert_eq!(doc.lengths, [2, 0, 0, 3, 4]);
    // Title 0, 1; a gap after each field; tags 5, 6 (the joined form at 5); body 8 to 11.
    assert_eq!(doc.positions_of(0), [0, 1, 8, 11]);
    assert_eq!(doc.positions_of(3), [5]);
    assert_eq!(doc.positions_of(5), [10]);
}

proptest::proptest! {
    /// [`ascending`] sorts distinct ids as a sort does, by its bitmap (ids close together) or
    /// by sorting (ids far apart), and leaves its bitmap empty for the next document.
    #[test]
    fn ascending_sorts_as_a_sort_does(
        ids in proptest::collection::hash_set(0u32..5_000, 0..200),
        far in proptest::collection::hash_set(100_000u32..4_000_000_000, 0..3),
    ) {
        let mut bits = Vec::new();
        for ids in [ids.iter().copied().collect::<Vec<u32>>(), ids.iter().chain(&far).copied().collect()] {
            let mut expected = ids.clone();
            expected.sort_unstable();
            let mut sorted = ids;
            ascending(&mut sorted, &mut bits);
            proptest::prop_assert_eq!(&sorted, &expected);
            proptest::prop_assert!(bits.iter().all(|&word| word == 0));
        }
    }

    /// The posting's skip over a document's positions finds where each list ends, as the
    /// codec's checked reader does.
    #[test]
    fn first_list_len_is_positions_len(
        lists in proptest::collection::vec(
            proptest::collection::btree_set(0u32..100_000, 1..20),
            1..5,
        ),
    ) {
        let mut bytes = Vec::new();
        for list in &lists {
            put_positions(&mut bytes, &list.iter().copied().collect::<Vec<u32>>());
        }
        let mut rest: &[u8] = &bytes;
        for _ in &lists {
            let len = first_list_len(rest);
            proptest::prop_assert_eq!(Ok(len), crate::search::codec::positions_len(rest));
            rest = &rest[len..];
        }
        proptest::prop_assert!(rest.is_empty());
    }
}

proptest::proptest! {
    /// A document's counts number each surface form in order of first sight, with its counts
    /// per field and its positions, as a plain map of the tokens does: on texts of hundreds of
    /// distinct words (more than the recent words' slots, so that they take each other's) and
    /// of words longer than a key holds.
    #[test]
    fn doc_counts_are_those_of_a_plain_map(
        words in proptest::collection::vec((0usize..700, 0usize..FIELDS), 0..900),
    ) {
        let mut fields: [String; FIELDS] = Default::default();
        for &(word, field) in &words {
            let word = if word % 7 == 0 {
                format!("a-long-word-{word:0>12}")
            } else {
                format!("w{word}")
            };
            fields[field].push_str(&word);
            fields[field].push(' ');
        }
        let doc = DocCounts::of(&fields);
        let mut numbers: HashMap<String, usize> = HashMap::new();
        let mut surfaces: Vec<String> = Vec::new();
        let mut counts: Vec<FieldCounts> = Vec::new();
        let mut positions: Vec<Vec<u32>> = Vec::new();
        let mut position = 0u32;
        for (field, text) in fields.iter().enumerate() {
            if field > 0 {
                position += 1;
            }
            crate::search::text::for_each_word(text, |token, parts| {
                let number = *numbers.entry(token.to_owned()).or_insert_with(|| {
                    surfaces.push(token.to_owned());
                    counts.push([0; FIELDS]);
                    positions.push(Vec::new());
                    surfaces.len() - 1
                });
                counts[number][field] += 1;
                if parts == 0 {
                    positions[number].push(position);
                    position += 1;
                } else {
                    positions[number].push(position - parts as u32);
                }
            });
        }
        let found: Vec<&str> = (0..doc.surfaces()).map(|i| doc.surface(i)).collect();
        proptest::prop_assert_eq!(&found, &surfaces);
        proptest::prop_assert_eq!(&doc.counts, &counts);
        for (number, expected) in positions.iter().enumerate() {
            let mut expected = expected.clone();
            expected.sort_unstable();
            proptest::prop_assert_eq!(doc.positions_of(number as u32), expected.as_slice());
        }
    }
}
