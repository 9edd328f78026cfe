use super::*;
use proptest::prelude::*;

#[test]
fn a_positions_record_that_ends_early_or_runs_on_is_corrupt() {
    let mut record = Vec::new();
    put_positions(&mut record, &[3, 9, 200]);
    assert_eq!(record, [6, 12, 255, 2]);
    assert!(decode_positions(&record[..3], 1).is_err());
    assert!(decode_positions(&record, 2).is_err());
    let mut longer = record.clone();
    longer.push(0);
    assert!(decode_positions(&longer, 1).is_err());
}

#[test]
fn varints_round_trip() {
    for value in [
        0,
        1,
        127,
        128,
        300,
        16_383,
        16_384,
        u64::from(u32::MAX),
        u64::MAX,
    ] {
        let mut out = Vec::new();
        put_varint(&mut out, value);
        let mut reader = Reader::new(&out);
        assert_eq!(reader.varint(), Ok(value));
        assert!(reader.is_done());
    }
    assert!(Reader::new(&[0x80]).varint().is_err());
}

#[test]
fn base64_matches_the_standard() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    assert!(unbase64("Zm9v!").is_err());
}

#[test]
fn hashes_are_short_and_stable() {
    assert_eq!(hash(b"casebook"), hash(b"casebook"));
    assert_ne!(hash(b"casebook"), hash(b"casebool"));
    assert_eq!(hash(b"").len(), 8);
    let mut parts = Hasher::default();
    parts.update(b"case");
    parts.update(b"book");
    assert_eq!(parts.finish(), hash(b"casebook"));
}

fn sorted_ids(max: u32) -> impl Strategy<Value = (Vec<u32>, usize)> {
    (1..max).prop_flat_map(|n| {
        (
            proptest::collection::btree_set(0..n, 0..(n as usize).min(200)),
            Just(n as usize),
        )
            .prop_map(|(set, n)| (set.into_iter().collect(), n))
    })
}

proptest! {
    #[test]
    fn base64_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
        prop_assert_eq!(unbase64(&base64(&bytes)), Ok(bytes));
    }

    #[test]
    fn doc_sets_round_trip((ids, n) in sorted_ids(400)) {
        let mut out = Vec::new();
        encode_doc_set(&mut out, &ids, n);
        let mut reader = Reader::new(&out);
        prop_assert_eq!(decode_doc_set(&mut reader, n), Ok(ids));
        prop_assert!(reader.is_done());
    }

    #[test]
    fn postings_shards_round_trip(
        lists in proptest::collection::vec(sorted_ids(300), 0..6),
        first in 0u32..1000,
    ) {
        let n = 300;
        let records: Vec<Postings> = lists
            .into_iter()
            .map(|(docs, _)| {
                let docs: Vec<u32> = docs.into_iter().filter(|&d| (d as usize) < n).collect();
                let impacts = docs.iter().map(|&d| (d % 255 + 1) as u8).collect();
                Postings { docs, impacts }
            })
            .collect();
        let bytes = encode_postings_shard(first, &records, n);
        prop_assert_eq!(decode_postings_shard(&bytes, n), Ok((first, records)));
    }

    #[test]
    fn positions_shards_round_trip(
        stems in proptest::collection::vec(
            proptest::collection::vec(proptest::collection::btree_set(0u32..100_000, 1..20), 0..8),
            0..6,
        ),
        first in 0u32..1000,
    ) {
        let lists: Vec<Vec<Vec<u32>>> = stems
            .into_iter()
            .map(|docs| docs.into_iter().map(|set| set.into_iter().collect()).collect())
            .collect();
        let records: Vec<Vec<u8>> = lists
            .iter()
            .map(|docs| {
                let mut record = Vec::new();
                for positions in docs {
                    let before = record.len();
                    put_positions(&mut record, positions);
                    prop_assert_eq!(positions_len(&record[before..]), Ok(record.len() - before));
                }
                Ok(record)
            })
            .collect::<Result<_, TestCaseError>>()?;
        let (at, decoded) = decode_positions_shard(&encode_positions_shard(first, &records))
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(at, first);
        prop_assert_eq!(&decoded, &records);
        for (record, docs) in decoded.iter().zip(&lists) {
            prop_assert_eq!(decode_positions(record, docs.len()), Ok(docs.clone()));
        }
    }

    #[test]
    fn vocab_shards_round_trip(words in proptest::collection::btree_set("[a-zé0-9]{1,12}", 0..50)) {
        let entries: Vec<VocabEntry> = words
            .into_iter()
            .enumerate()
            .map(|(i, surface)| VocabEntry { surface, stem: i as u32 * 7, df: i as u32 + 1, scale: 65535 - i as u32 })
            .collect();
        let postings: Vec<u32> = (0..entries.len() as u32).map(|i| i / 3).collect();
        let parts: Vec<u32> = (0..entries.len() as u32).map(|i| i % 3).collect();
        let mut hashes: Vec<(u32, String)> = postings.iter().map(|&p| (p, hash(&p.to_le_bytes()))).collect();
        hashes.dedup();
        let shard = VocabShard { entries, postings, parts, hashes };
        prop_assert_eq!(decode_vocab_shard(&encode_vocab_shard(&shard)), Ok(shard));
    }

    #[test]
    fn numeric_columns_round_trip(
        values in proptest::collection::btree_map(0u32..5000, -100_000i64..100_000, 0..60),
    ) {
        let pairs: Vec<(u32, f64)> = values
            .into_iter()
            .map(|(doc, v)| (doc, v as f64 / 100.0))
            .collect();
        prop_assert_eq!(decode_numeric(&encode_numeric(&pairs)), Ok(pairs));
    }
}
