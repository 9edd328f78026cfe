use super::plan::output_name;
use super::*;

#[test]
fn a_missing_file_suggests_a_close_name_beside_it() {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("content/case-studies/red-bag");
    std::fs::create_dir_all(&folder).unwrap();
    for name in ["board.PNG", "index.md", "notes.txt"] {
        std::fs::write(folder.join(name), b"").unwrap();
    }
    let similar =
        |name: &str| similar_file(temp.path(), &format!("content/case-studies/red-bag/{name}"));
    assert_eq!(similar("bord.png").as_deref(), Some("board.PNG"));
    assert_eq!(similar("board.png").as_deref(), Some("board.PNG"));
    assert_eq!(similar("team-photo.jpg"), None);
    assert_eq!(similar("notes.jpg"), None, "only image files are suggested");
}

#[test]
fn output_names_are_slugs() {
    assert_eq!(
        output_name("content/x/Care Home Photo.JPG"),
        "care-home-photo"
    );
    assert_eq!(output_name("static/images/___.png"), "image");
}
