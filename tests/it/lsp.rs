//! `casebook lsp` through the real binary's stdin and stdout: a session as an editor runs it.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

struct Session {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
    next_id: u64,
}

impl Session {
    fn start(root: &std::path::Path) -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_casebook"))
            .args(["lsp", "--root"])
            .arg(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let input = child.stdin.take().expect("stdin");
        let output = BufReader::new(child.stdout.take().expect("stdout"));
        Session {
            child,
            input,
            output,
            next_id: 1,
        }
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.input, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("sent");
        self.input.flush().expect("flushed");
    }

    fn receive(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut header = String::new();
            self.output.read_line(&mut header).expect("a header");
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some(value) = header.strip_prefix("Content-Length: ") {
                length = value.parse().expect("a length");
            }
        }
        let mut body = vec![0; length];
        self.output.read_exact(&mut body).expect("a body");
        serde_json::from_slice(&body).expect("JSON")
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.receive();
            if message["id"] == id {
                return message["result"].clone();
            }
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn published_diagnostics(&mut self) -> Value {
        loop {
            let message = self.receive();
            if message["method"] == "textDocument/publishDiagnostics" {
                return message["params"].clone();
            }
        }
    }
}

fn uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

#[test]
fn an_editor_session_gets_diagnostics_completions_and_hover() {
    let (_temp, root) = crate::harness::copy_example();
    let root = root.canonicalize().expect("the site");
    let mut session = Session::start(&root);
    session.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(&root), "capabilities": {}}),
    );
    session.notify("initialized", json!({}));

    // Not saved: the file on disk does not exist. Line 8 has a region not in the vocabulary;
    // the title's `’` is one UTF-16 unit, as in LSP columns.
    let file = root.join("content/case-studies/a-new-case-study.md");
    let text = "---\ntitle: It’s new\nsummary: A summary.\npublished: 2024-01-01\norganisations: [{name: A council, org_type: local-authority}]\ncare_settings: [homecare]\nprogramme: well-led-stockton-on-tees\nnhs_region: north-east\n---\nBody.\n";
    session.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&file), "languageId": "markdown", "version": 1, "text": text}}),
    );
    let published = session.published_diagnostics();
    let diagnostics = published["diagnostics"].as_array().expect("a list");
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["code"], "E006");
    assert_eq!(diagnostics[0]["source"], "casebook");
    assert_eq!(
        diagnostics[0]["range"],
        json!({"start": {"line": 7, "character": 12}, "end": {"line": 7, "character": 22}})
    );
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("did you mean `north-east-and-yorkshire`?")),
        "{diagnostics:#?}"
    );

    // A reference to a programme that does not exist, typed in: the cross-file check.
    let changed = text.replace(
        "programme: well-led-stockton-on-tees",
        "programme: no-such-programme",
    );
    session.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&file), "version": 2}, "contentChanges": [{"text": changed}]}),
    );
    let published = session.published_diagnostics();
    let codes: Vec<&str> = published["diagnostics"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, ["E010", "E006"], "{published:#}");

    let labels = |result: Value| -> Vec<String> {
        result
            .as_array()
            .expect("a list of items")
            .iter()
            .filter_map(|item| item["label"].as_str().map(str::to_owned))
            .collect()
    };
    let complete = |session: &mut Session, line: u32, character: u32| {
        labels(session.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri(&file)}, "position": {"line": line, "character": character}}),
        ))
    };
    // After `care_settings: [` (line 5, after the bracket).
    let settings = complete(&mut session, 5, 16);
    assert!(
        settings.contains(&"care-home-with-nursing".to_owned()),
        "{settings:?}"
    );
    // After `nhs_region: `.
    let regions = complete(&mut session, 7, 12);
    assert!(
        regions.contains(&"north-east-and-yorkshire".to_owned()),
        "{regions:?}"
    );
    // After `programme: `: the site's programmes.
    let programmes = complete(&mut session, 6, 11);
    assert_eq!(programmes, ["well-led-stockton-on-tees"]);
    // At the start of a key.
    let keys = complete(&mut session, 1, 0);
    assert!(keys.contains(&"lead_role".to_owned()), "{keys:?}");

    let hover = session.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&file)}, "position": {"line": 7, "character": 3}}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(shown.contains("The NHS England region."), "{hover:#}");

    session.request("shutdown", Value::Null);
    session.notify("exit", Value::Null);
    let status = session.child.wait().expect("the server ends");
    assert!(status.success());
    assert!(!file.exists(), "the server never writes files");
}
