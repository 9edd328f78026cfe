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
        .map(|(stem, counts)| (stem, counts.map(|c| c as u16)))
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
