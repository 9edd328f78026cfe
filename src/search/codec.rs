//! Byte formats of the index shards, with a decoder for each encoder (the client in
//! `search-core.js` has the same decoders; the round trips here and the fixture tests there keep
//! the two agreeing). The formats share their varint and list codings, so they stay in one
//! file, beside their round-trip tests, rather than one file per shard kind.
//!
//! Integers are LEB128 varints. Doc-id lists are ascending and delta-coded; a list denser than
//! one id in eight is a bitmap of ⌈N/8⌉ bytes instead (bit `i % 8` of byte `i / 8`).
//!
//! - **Postings shard** (`p/`): `first_stem, count`, then per stem `byte_length, record`; a
//!   record is `(df << 1 | is_bitmap)`, the doc ids, then `df` impact bytes in doc order.
//! - **Vocabulary shard** (`v/`): `count`, then per surface form (sorted by bytes)
//!   `shared_prefix_bytes, suffix_len, suffix, stem_id, df, scale, postings_shard,
//!   positions_part` (front coding), then the hashes of the postings shards named (see
//!   [`VocabShard`]).
//! - **Doc set** (facet values, `f/`): one doc-id list, `(len << 1 | is_bitmap)` then the ids.
//! - **Numeric column** (`n/`): `count`, then per doc `doc_delta, zigzag(round(value × 100))`.
//! - **Positions shard** (`pos/<i>-<part>`, fetched only for quoted phrases): some of the
//!   stems of postings shard `i`, in parts of a bounded size, as `first_stem, count`, then per
//!   stem `byte_length, record`; a record holds, for each doc of the stem's postings in the same
//!   order, the stem's word positions in that doc, each as `gap << 1 | is_last` (the gap from
//!   the one before, or from 0). A stem without positions (a common little word) has an
//!   empty record.

/// Appends `value` as a LEB128 varint.
#[inline]
pub fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value & 0x7f) as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// A cursor over encoded bytes; every read is checked.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// Encoded bytes ended early or held an impossible value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("corrupt search shard at byte {0}")]
pub struct Corrupt(pub usize);

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    /// Whether every byte has been read.
    pub fn is_done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    /// Reads a varint.
    pub fn varint(&mut self) -> Result<u64, Corrupt> {
        let mut value = 0u64;
        let mut shift = 0;
        loop {
            let byte = *self.bytes.get(self.at).ok_or(Corrupt(self.at))?;
            self.at += 1;
            if shift > 63 {
                return Err(Corrupt(self.at));
            }
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
        }
    }

    /// Reads a varint that must fit a `usize`.
    pub fn size(&mut self) -> Result<usize, Corrupt> {
        let at = self.at;
        usize::try_from(self.varint()?).map_err(|_| Corrupt(at))
    }

    /// Reads `len` raw bytes.
    pub fn bytes(&mut self, len: usize) -> Result<&'a [u8], Corrupt> {
        let end = self.at.checked_add(len).ok_or(Corrupt(self.at))?;
        let slice = self.bytes.get(self.at..end).ok_or(Corrupt(self.at))?;
        self.at = end;
        Ok(slice)
    }
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len().div_ceil(3) * 4);
    base64_into(&mut out, bytes);
    // Only ASCII was written.
    String::from_utf8(out).unwrap_or_default()
}

/// Appends [`base64`] of `bytes` to `out`.
pub fn base64_into(out: &mut Vec<u8>, bytes: &[u8]) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    out.reserve(bytes.len().div_ceil(3) * 4);
    let letter = |n: u32, i: u32| ALPHABET[((n >> (18 - 6 * i)) & 63) as usize];
    let mut chunks = bytes.chunks_exact(3);
    for chunk in &mut chunks {
        let n = (u32::from(chunk[0]) << 16) | (u32::from(chunk[1]) << 8) | u32::from(chunk[2]);
        out.extend_from_slice(&[letter(n, 0), letter(n, 1), letter(n, 2), letter(n, 3)]);
    }
    match *chunks.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            out.extend_from_slice(&[letter(n, 0), letter(n, 1), b'=', b'=']);
        }
        [a, b] => {
            let n = (u32::from(a) << 16) | (u32::from(b) << 8);
            out.extend_from_slice(&[letter(n, 0), letter(n, 1), letter(n, 2), b'=']);
        }
        _ => {}
    }
}

/// Decodes [`base64`].
pub fn unbase64(text: &str) -> Result<Vec<u8>, Corrupt> {
    let value = |c: u8, at: usize| -> Result<u32, Corrupt> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(Corrupt(at)),
        } as u32)
    };
    let bytes = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for (index, chunk) in bytes.chunks(4).enumerate() {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c, index * 4 + i)? << (18 - 6 * i);
        }
        let take = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return Err(Corrupt(index * 4)),
        };
        out.extend_from_slice(&n.to_be_bytes()[1..1 + take]);
    }
    Ok(out)
}

/// A 64-bit FNV-1a hash, for content-hashed file names (8 hex digits are used).
pub fn hash(bytes: &[u8]) -> String {
    let mut hasher = Hasher::default();
    hasher.update(bytes);
    hasher.finish()
}

/// [`hash`] of bytes given in parts: the same as the hash of the parts joined.
#[derive(Debug, Clone, Copy)]
pub struct Hasher(u64);

impl Default for Hasher {
    fn default() -> Hasher {
        Hasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher {
    /// Adds the next bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// The hash, as 8 hex digits.
    pub fn finish(&self) -> String {
        format!("{:08x}", (self.0 >> 32) ^ (self.0 & 0xffff_ffff))
    }
}

/// Whether a list of `len` ids out of `n` docs is stored as a bitmap.
pub fn is_dense(len: usize, n: usize) -> bool {
    len > 0 && len * 8 > n
}

/// Appends ascending `ids` (all `< n`) as deltas or, when dense, as a bitmap. Writes the flag
/// into the low bit of `head` (which the caller puts before the ids).
fn put_ids(out: &mut Vec<u8>, ids: &[u32], n: usize, dense: bool) {
    if dense {
        let mut bitmap = vec![0u8; n.div_ceil(8)];
        for &id in ids {
            bitmap[id as usize / 8] |= 1 << (id % 8);
        }
        out.extend_from_slice(&bitmap);
    } else {
        let mut last = 0u32;
        for (i, &id) in ids.iter().enumerate() {
            put_varint(out, u64::from(if i == 0 { id } else { id - last }));
            last = id;
        }
    }
}

fn read_ids(
    reader: &mut Reader<'_>,
    len: usize,
    n: usize,
    dense: bool,
) -> Result<Vec<u32>, Corrupt> {
    let mut ids = Vec::with_capacity(len);
    if dense {
        let bitmap = reader.bytes(n.div_ceil(8))?;
        for (byte_index, &byte) in bitmap.iter().enumerate() {
            for bit in 0..8 {
                if byte & (1 << bit) != 0 {
                    ids.push((byte_index * 8 + bit) as u32);
                }
            }
        }
        if ids.len() != len {
            return Err(Corrupt(reader.at));
        }
    } else {
        let mut last = 0u64;
        for i in 0..len {
            let delta = reader.varint()?;
            last = if i == 0 { delta } else { last + delta };
            ids.push(u32::try_from(last).map_err(|_| Corrupt(reader.at))?);
        }
    }
    Ok(ids)
}

/// A doc-id list (facet value): `(len << 1 | is_bitmap)` then the ids.
pub fn encode_doc_set(out: &mut Vec<u8>, ids: &[u32], n: usize) {
    let dense = is_dense(ids.len(), n);
    put_varint(out, ((ids.len() as u64) << 1) | u64::from(dense));
    put_ids(out, ids, n, dense);
}

/// Decodes [`encode_doc_set`].
pub fn decode_doc_set(reader: &mut Reader<'_>, n: usize) -> Result<Vec<u32>, Corrupt> {
    let head = reader.varint()?;
    let len = usize::try_from(head >> 1).map_err(|_| Corrupt(reader.at))?;
    read_ids(reader, len, n, head & 1 == 1)
}

/// The postings of one stem: ascending doc ids and one impact byte each.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Postings {
    /// Doc ids, ascending.
    pub docs: Vec<u32>,
    /// Quantised BM25F impact per doc, 1–255.
    pub impacts: Vec<u8>,
}

/// One postings record (see the module documentation).
pub fn encode_postings(out: &mut Vec<u8>, postings: &Postings, n: usize) {
    let dense = is_dense(postings.docs.len(), n);
    put_varint(out, ((postings.docs.len() as u64) << 1) | u64::from(dense));
    put_ids(out, &postings.docs, n, dense);
    out.extend_from_slice(&postings.impacts);
}

/// Decodes [`encode_postings`].
pub fn decode_postings(reader: &mut Reader<'_>, n: usize) -> Result<Postings, Corrupt> {
    let head = reader.varint()?;
    let len = usize::try_from(head >> 1).map_err(|_| Corrupt(reader.at))?;
    let docs = read_ids(reader, len, n, head & 1 == 1)?;
    let impacts = reader.bytes(len)?.to_vec();
    Ok(Postings { docs, impacts })
}

/// A postings shard: stems `first..first + records.len()`, each record length-prefixed so the
/// client decodes only the stems it needs.
pub fn encode_postings_shard(first: u32, records: &[Postings], n: usize) -> Vec<u8> {
    encode_records(first, records.len(), |i, out| {
        encode_postings(out, &records[i], n);
    })
}

/// Decodes [`encode_postings_shard`]: the first stem id and every record.
pub fn decode_postings_shard(bytes: &[u8], n: usize) -> Result<(u32, Vec<Postings>), Corrupt> {
    let (first, records) = decode_records(bytes)?;
    let postings = records
        .into_iter()
        .map(|record| decode_postings(&mut Reader::new(record), n))
        .collect::<Result<_, _>>()?;
    Ok((first, postings))
}

/// The layout of postings and positions shards: `first, count`, then `count` records of stems
/// `first..first + count`, each `byte_length, bytes`; `record(i, out)` writes record `i`.
fn encode_records(
    first: u32,
    count: usize,
    mut record: impl FnMut(usize, &mut Vec<u8>),
) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, u64::from(first));
    put_varint(&mut out, count as u64);
    let mut buffer = Vec::new();
    for i in 0..count {
        buffer.clear();
        record(i, &mut buffer);
        put_varint(&mut out, buffer.len() as u64);
        out.extend_from_slice(&buffer);
    }
    out
}

/// Decodes [`encode_records`]: the first stem id and every record's bytes.
fn decode_records(bytes: &[u8]) -> Result<(u32, Vec<&[u8]>), Corrupt> {
    let mut reader = Reader::new(bytes);
    let first = u32::try_from(reader.varint()?).map_err(|_| Corrupt(0))?;
    let count = reader.size()?;
    let mut records = Vec::new();
    for _ in 0..count {
        let len = reader.size()?;
        records.push(reader.bytes(len)?);
    }
    Ok((first, records))
}

/// Appends one doc's word positions of a stem (ascending, at least one) to a positions record.
pub fn put_positions(out: &mut Vec<u8>, positions: &[u32]) {
    let mut last = 0;
    for (i, &p) in positions.iter().enumerate() {
        let is_last = i + 1 == positions.len();
        put_varint(out, (u64::from(p - last) << 1) | u64::from(is_last));
        last = p;
    }
}

/// The length in bytes of the first doc's positions in a record made by [`put_positions`].
pub fn positions_len(record: &[u8]) -> Result<usize, Corrupt> {
    let mut reader = Reader::new(record);
    while reader.varint()? & 1 == 0 {}
    Ok(reader.at)
}

/// Decodes a positions record of `docs` documents: their positions, in postings order (none
/// for a stem without positions).
pub fn decode_positions(record: &[u8], docs: usize) -> Result<Vec<Vec<u32>>, Corrupt> {
    let mut reader = Reader::new(record);
    let mut out = Vec::with_capacity(docs);
    if record.is_empty() {
        return Ok(vec![Vec::new(); docs]);
    }
    for _ in 0..docs {
        let mut at = 0u64;
        let mut positions = Vec::new();
        loop {
            let value = reader.varint()?;
            at += value >> 1;
            positions.push(u32::try_from(at).map_err(|_| Corrupt(reader.at))?);
            if value & 1 == 1 {
                break;
            }
        }
        out.push(positions);
    }
    if !reader.is_done() {
        return Err(Corrupt(reader.at));
    }
    Ok(out)
}

/// A positions shard: the records of stems `first..first + records.len()`, laid out as a
/// postings shard's.
pub fn encode_positions_shard(first: u32, records: &[Vec<u8>]) -> Vec<u8> {
    encode_records(first, records.len(), |i, out| {
        out.extend_from_slice(&records[i])
    })
}

/// Decodes [`encode_positions_shard`]: the first stem id and every record, still encoded.
pub fn decode_positions_shard(bytes: &[u8]) -> Result<(u32, Vec<Vec<u8>>), Corrupt> {
    let (first, records) = decode_records(bytes)?;
    Ok((first, records.into_iter().map(<[u8]>::to_vec).collect()))
}

/// One vocabulary entry: a surface form, its stem and the stem's document frequency.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct VocabEntry {
    /// The normalised word as it occurs in the text.
    pub surface: String,
    /// The stem's id (its rank among all stems, sorted).
    pub stem: u32,
    /// Documents containing the stem.
    pub df: u32,
    /// The stem's scale: a posting's score is its impact times this.
    pub scale: u32,
}

/// A vocabulary shard: entries sorted by surface form, the postings shard of each entry's
/// stem, and the file hash of every postings shard named (so the manifest need not list them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VocabShard {
    /// The entries, sorted by surface form.
    pub entries: Vec<VocabEntry>,
    /// Per entry, the postings shard holding its stem.
    pub postings: Vec<u32>,
    /// Per entry, the part of that postings shard's positions holding its stem.
    pub parts: Vec<u32>,
    /// Postings shards named by `postings`, ascending, with their file hashes (8 hex digits).
    pub hashes: Vec<(u32, String)>,
}

/// Encodes a [`VocabShard`]: `count`, per entry `shared_prefix_bytes, suffix_len, suffix,
/// stem, df, scale, postings_shard, positions_part`, then `k` and `k` × `(postings_shard, hash
/// as 4 bytes)`.
pub fn encode_vocab_shard(shard: &VocabShard) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, shard.entries.len() as u64);
    let mut previous: &[u8] = &[];
    for ((entry, postings), part) in shard.entries.iter().zip(&shard.postings).zip(&shard.parts) {
        let bytes = entry.surface.as_bytes();
        let shared = previous
            .iter()
            .zip(bytes)
            .take_while(|(a, b)| a == b)
            .count();
        put_varint(&mut out, shared as u64);
        put_varint(&mut out, (bytes.len() - shared) as u64);
        out.extend_from_slice(&bytes[shared..]);
        put_varint(&mut out, u64::from(entry.stem));
        put_varint(&mut out, u64::from(entry.df));
        put_varint(&mut out, u64::from(entry.scale));
        put_varint(&mut out, u64::from(*postings));
        put_varint(&mut out, u64::from(*part));
        previous = bytes;
    }
    put_varint(&mut out, shard.hashes.len() as u64);
    for (index, hash) in &shard.hashes {
        put_varint(&mut out, u64::from(*index));
        let value = u32::from_str_radix(hash, 16).unwrap_or_default();
        out.extend_from_slice(&value.to_be_bytes());
    }
    out
}

/// Decodes [`encode_vocab_shard`].
pub fn decode_vocab_shard(bytes: &[u8]) -> Result<VocabShard, Corrupt> {
    let mut reader = Reader::new(bytes);
    let count = reader.size()?;
    let mut shard = VocabShard::default();
    let mut previous: Vec<u8> = Vec::new();
    let small = |reader: &mut Reader<'_>| -> Result<u32, Corrupt> {
        let at = reader.at;
        u32::try_from(reader.varint()?).map_err(|_| Corrupt(at))
    };
    for _ in 0..count {
        let shared = reader.size()?;
        let len = reader.size()?;
        if shared > previous.len() {
            return Err(Corrupt(reader.at));
        }
        let mut word = previous[..shared].to_vec();
        word.extend_from_slice(reader.bytes(len)?);
        let surface = String::from_utf8(word.clone()).map_err(|_| Corrupt(reader.at))?;
        let stem = small(&mut reader)?;
        let df = small(&mut reader)?;
        let scale = small(&mut reader)?;
        shard.entries.push(VocabEntry {
            surface,
            stem,
            df,
            scale,
        });
        shard.postings.push(small(&mut reader)?);
        shard.parts.push(small(&mut reader)?);
        previous = word;
    }
    for _ in 0..reader.size()? {
        let index = small(&mut reader)?;
        let raw = reader.bytes(4)?;
        let value = u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
        shard.hashes.push((index, format!("{value:08x}")));
    }
    Ok(shard)
}

/// Scale of numeric columns: values are stored in hundredths.
pub const NUMERIC_SCALE: f64 = 100.0;

/// A numeric column: `(doc, value)` pairs, ascending by doc, values rounded to hundredths.
pub fn encode_numeric(pairs: &[(u32, f64)]) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, pairs.len() as u64);
    let mut last = 0u32;
    for (i, &(doc, value)) in pairs.iter().enumerate() {
        put_varint(&mut out, u64::from(if i == 0 { doc } else { doc - last }));
        last = doc;
        let scaled = (value * NUMERIC_SCALE).round() as i64;
        put_varint(&mut out, ((scaled << 1) ^ (scaled >> 63)) as u64);
    }
    out
}

/// Decodes [`encode_numeric`].
pub fn decode_numeric(bytes: &[u8]) -> Result<Vec<(u32, f64)>, Corrupt> {
    let mut reader = Reader::new(bytes);
    let count = reader.size()?;
    let mut pairs = Vec::new();
    let mut doc = 0u64;
    for i in 0..count {
        let delta = reader.varint()?;
        doc = if i == 0 { delta } else { doc + delta };
        let zigzag = reader.varint()?;
        let scaled = ((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64);
        pairs.push((
            u32::try_from(doc).map_err(|_| Corrupt(reader.at))?,
            scaled as f64 / NUMERIC_SCALE,
        ));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests;
