//! Writes photo-like JPEGs for `benches/images.sh`: `bench_photos WIDTH HEIGHT DIR NAME...`
//! writes `DIR/NAME.jpg` for each name, each different (seeded by its name) and made of
//! gradients, soft shapes and noise, so that it compresses and resizes like a photograph.
//! Uses only the `image` crate, nothing of casebook.

use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [width, height, dir, names @ ..] = args.as_slice() else {
        eprintln!("usage: bench_photos WIDTH HEIGHT DIR NAME...");
        std::process::exit(2);
    };
    let (width, height): (u32, u32) = match (width.parse(), height.parse()) {
        (Ok(w), Ok(h)) => (w, h),
        _ => {
            eprintln!("WIDTH and HEIGHT are whole numbers");
            std::process::exit(2);
        }
    };
    for name in names {
        let path = Path::new(dir).join(format!("{name}.jpg"));
        if let Err(error) = write_photo(&path, width, height, seed(name)) {
            eprintln!("{}: {error}", path.display());
            std::process::exit(1);
        }
    }
}

fn seed(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// A small xorshift generator: the photos need variety, not quality randomness.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn write_photo(path: &Path, width: u32, height: u32, seed: u64) -> image::ImageResult<()> {
    let mut state = seed | 1;
    let base: Vec<f32> = (0..6).map(|_| (next(&mut state) % 256) as f32).collect();
    let blobs: Vec<(f32, f32, f32, [f32; 3])> = (0..12)
        .map(|_| {
            let x = (next(&mut state) % u64::from(width)) as f32;
            let y = (next(&mut state) % u64::from(height)) as f32;
            let r = (next(&mut state) % u64::from(width / 4 + 1)) as f32 + 40.0;
            let c = [0, 1, 2].map(|_| (next(&mut state) % 256) as f32);
            (x, y, r, c)
        })
        .collect();
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
        let mut pixel = [0, 1, 2].map(|i| base[i] * (1.0 - fy) + base[i + 3] * fy);
        for (bx, by, r, c) in &blobs {
            let d = ((x as f32 - bx).powi(2) + (y as f32 - by).powi(2)).sqrt();
            if d < *r {
                let t = 1.0 - d / r;
                for i in 0..3 {
                    pixel[i] = pixel[i] * (1.0 - t * 0.7) + c[i] * t * 0.7;
                }
            }
        }
        let noise = (next(&mut state) % 24) as f32 - 12.0;
        image::Rgb(pixel.map(|v| (v + noise + fx * 10.0).clamp(0.0, 255.0) as u8))
    });
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut file, 85).encode_image(&image)
}
