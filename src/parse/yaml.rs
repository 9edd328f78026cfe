//! A YAML reader that keeps where every key and value was written.
//!
//! It turns YAML text into a small tree of [`Node`]s, each with its position in the user's
//! file, using `saphyr-parser`'s event stream (a YAML 1.2 parser that reports marks). Scalars
//! stay text: the typed reader decides what a scalar means from the field it is in, so that a
//! code such as `08D` or `0123` stays as written and `2019` can be a year. Duplicate keys are
//! reported here (E013) and the first value is kept, so the rest of the file is still checked.
//!
//! Two limits keep a small hostile file from taking the machine: aliases may copy at most
//! [`MAX_ALIAS_NODES`] nodes per file (a "billion laughs" of nested anchors is 600 bytes), and
//! collections may nest at most [`MAX_DEPTH`] deep. Crossing either is an E015 at the alias or
//! the collection that crossed it, and the file is not read further.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError};

use crate::diagnostics::{Code, Diagnostic, Pos};

/// The most nodes that aliases may copy into one file's tree. Front matter that uses aliases
/// at all copies a few dozen; a nested-anchor bomb asks for billions.
pub(crate) const MAX_ALIAS_NODES: usize = 10_000;

/// The deepest that lists and mappings may nest. Front matter needs four or five levels.
pub(crate) const MAX_DEPTH: usize = 64;

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Without quotes: `good`, `2019`, `~`, or nothing at all.
    Plain,
    /// In single or double quotes, or as a block scalar (`|`, `>`).
    Quoted,
}

/// One node of a YAML document.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// Where the node starts in the file.
    pub(crate) at: Pos,
    pub(crate) kind: NodeKind,
}

#[derive(Debug, Clone)]
pub(crate) enum NodeKind {
    Scalar(String, Style),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The scalar's text, if this node is a scalar.
    pub(crate) fn scalar(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(text, _) => Some(text),
            _ => None,
        }
    }

    /// Whether the node is YAML null or empty: `~`, `null`, nothing, `""`, `[]` or `{}`.
    /// Editors leave such placeholders for optional fields; they count as absent.
    pub(crate) fn is_empty(&self) -> bool {
        match &self.kind {
            NodeKind::Scalar(text, Style::Plain) => {
                matches!(text.trim(), "" | "~" | "null" | "Null" | "NULL")
            }
            NodeKind::Scalar(text, Style::Quoted) => text.trim().is_empty(),
            NodeKind::Seq(items) => items.is_empty(),
            NodeKind::Map(entries) => entries.is_empty(),
        }
    }

    /// A short description of the node's shape, for messages.
    pub(crate) fn shape(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar(..) => "a single value",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }
}

/// Reads one YAML document. `first_line` is the file line on which `text` starts. Returns the
/// root node (`None` for an empty document) and the problems found; on a syntax error the
/// root is `None` and the one E003 says where.
pub(crate) fn read_yaml(
    text: &str,
    file: &str,
    first_line: u32,
) -> (Option<Node>, Vec<Diagnostic>) {
    let mut builder = TreeBuilder {
        file,
        first_line,
        stack: Vec::new(),
        anchors: HashMap::new(),
        copied: 0,
        root: None,
        documents: 0,
        diagnostics: Vec::new(),
    };
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        match next {
            Ok((event, span)) => {
                if let Err(diagnostic) = builder.event(event, span.start) {
                    return (None, vec![*diagnostic]);
                }
            }
            Err(error) => return (None, vec![syntax_error(text, file, first_line, &error)]),
        }
    }
    (builder.root, builder.diagnostics)
}

struct Frame {
    at: Pos,
    anchor: usize,
    /// Nodes in this collection so far, itself included.
    nodes: usize,
    kind: FrameKind,
}

enum FrameKind {
    Seq(Vec<Node>),
    Map {
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
    },
}

struct TreeBuilder<'a> {
    file: &'a str,
    first_line: u32,
    stack: Vec<Frame>,
    /// Each anchor's node and how many nodes it holds.
    anchors: HashMap<usize, (Node, usize)>,
    /// Nodes copied by aliases so far.
    copied: usize,
    root: Option<Node>,
    documents: usize,
    diagnostics: Vec<Diagnostic>,
}

impl TreeBuilder<'_> {
    fn pos(&self, marker: Marker) -> Pos {
        to_pos(marker, self.first_line)
    }

    fn event(&mut self, event: Event<'_>, start: Marker) -> Result<(), Box<Diagnostic>> {
        let at = self.pos(start);
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(Box::new(
                        Diagnostic::new(
                            Code::E003,
                            self.file,
                            at,
                            "more than one YAML document here",
                        )
                        .with_hint("a line `---` ends the front matter; remove the extra one"),
                    ));
                }
            }
            Event::Scalar(text, style, anchor, _) => {
                let style = if style == ScalarStyle::Plain {
                    Style::Plain
                } else {
                    Style::Quoted
                };
                let node = Node {
                    at,
                    kind: NodeKind::Scalar(text.into_owned(), style),
                };
                self.finish_node(node, 1, anchor);
            }
            Event::Alias(anchor) => {
                let Some((node, size)) = self.anchors.get(&anchor) else {
                    return Err(Box::new(Diagnostic::new(
                        Code::E003,
                        self.file,
                        at,
                        "alias to an unknown anchor",
                    )));
                };
                let size = *size;
                self.copied = self.copied.saturating_add(size);
                if self.copied > MAX_ALIAS_NODES {
                    return Err(Box::new(self.alias_budget_crossed(at)));
                }
                let node = Node { at, ..node.clone() };
                self.finish_node(node, size, 0);
            }
            Event::SequenceStart(anchor, _) => self.open(at, anchor, FrameKind::Seq(Vec::new()))?,
            Event::MappingStart(anchor, _) => self.open(
                at,
                anchor,
                FrameKind::Map {
                    entries: Vec::new(),
                    pending_key: None,
                },
            )?,
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    let kind = match frame.kind {
                        FrameKind::Seq(items) => NodeKind::Seq(items),
                        FrameKind::Map { entries, .. } => NodeKind::Map(entries),
                    };
                    self.finish_node(Node { at: frame.at, kind }, frame.nodes, frame.anchor);
                }
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// Starts a list or mapping, unless that would nest deeper than [`MAX_DEPTH`].
    fn open(&mut self, at: Pos, anchor: usize, kind: FrameKind) -> Result<(), Box<Diagnostic>> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Box::new(
                Diagnostic::new(
                    Code::E015,
                    self.file,
                    at,
                    format!("lists and mappings nested more than {MAX_DEPTH} deep"),
                )
                .with_hint("front matter needs a few levels at most; check the brackets and indentation here"),
            ));
        }
        self.stack.push(Frame {
            at,
            anchor,
            nodes: 1,
            kind,
        });
        Ok(())
    }

    fn alias_budget_crossed(&self, at: Pos) -> Diagnostic {
        Diagnostic::new(
            Code::E015,
            self.file,
            at,
            format!("aliases here would copy more than {MAX_ALIAS_NODES} values"),
        )
        .with_hint(
            "each `*name` copies everything its `&name` anchor holds; write the values out, or use fewer nested aliases",
        )
    }

    /// Adds a finished node of `size` nodes to the collection being read (or makes it the
    /// root), and remembers it under its anchor.
    fn finish_node(&mut self, node: Node, size: usize, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        frame.nodes = frame.nodes.saturating_add(size);
        match &mut frame.kind {
            FrameKind::Seq(items) => items.push(node),
            FrameKind::Map {
                entries,
                pending_key,
            } => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => {
                    let name = key.scalar().unwrap_or_default();
                    let first = entries
                        .iter()
                        .find(|(k, _)| k.scalar().is_some_and(|k| k == name) && !name.is_empty());
                    match first {
                        Some((first_key, _)) => {
                            let diagnostic = Diagnostic::new(
                                Code::E013,
                                self.file,
                                key.at,
                                format!("duplicate key `{name}`"),
                            )
                            .with_hint(
                                "keep one of the two; in many tools the second silently wins",
                            )
                            .with_related(
                                self.file,
                                first_key.at,
                                "first written here",
                            );
                            self.diagnostics.push(diagnostic);
                        }
                        None => entries.push((key, node)),
                    }
                }
            },
        }
    }
}

fn to_pos(marker: Marker, first_line: u32) -> Pos {
    Pos::new(
        first_line + marker.line().saturating_sub(1) as u32,
        marker.col() as u32 + 1,
    )
}

/// An E003 for a scanner or parser error, in plain words (see [`super::syntax`]).
fn syntax_error(text: &str, file: &str, first_line: u32, error: &ScanError) -> Diagnostic {
    let lines: Vec<&str> = text.split('\n').collect();
    let at = to_pos(*error.marker(), first_line);
    super::syntax::syntax_error(&lines, first_line, file, at, error.info())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Option<Node>, Vec<Diagnostic>) {
        read_yaml(text, "f.md", 2)
    }

    #[test]
    fn keys_and_values_have_file_positions() {
        let (root, diagnostics) = read("title: A\nlist:\n  - x\n  - {a: 1}\n");
        assert!(diagnostics.is_empty());
        let NodeKind::Map(entries) = root.unwrap().kind else {
            panic!("not a map")
        };
        assert_eq!(entries[0].0.at, Pos::new(2, 1));
        assert_eq!(entries[0].1.at, Pos::new(2, 8));
        let NodeKind::Seq(items) = &entries[1].1.kind else {
            panic!("not a list")
        };
        assert_eq!(items[0].at, Pos::new(4, 5));
        assert_eq!(items[1].at, Pos::new(5, 5));
    }

    #[test]
    fn duplicate_keys_are_reported_and_the_first_kept() {
        let (root, diagnostics) = read("a: 1\nb: 2\na: 3\n");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, Code::E013);
        assert_eq!(diagnostics[0].pos(), Pos::new(4, 1));
        assert_eq!(diagnostics[0].related[0].line, 2);
        let NodeKind::Map(entries) = root.unwrap().kind else {
            panic!("not a map")
        };
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].1.scalar(), Some("1"));
    }

    #[test]
    fn tab_indentation_points_at_the_tab() {
        let (root, diagnostics) = read("a:\n\tb: 1\n");
        assert!(root.is_none());
        assert_eq!(diagnostics[0].code, Code::E003);
        assert_eq!(diagnostics[0].pos(), Pos::new(3, 1));
        assert!(diagnostics[0].message.contains("tab"));
    }

    #[test]
    fn empty_values_are_empty() {
        let (root, _) = read("a:\nb: ''\nc: []\nd: x\n");
        let NodeKind::Map(entries) = root.unwrap().kind else {
            panic!("not a map")
        };
        let empties: Vec<bool> = entries.iter().map(|(_, v)| v.is_empty()).collect();
        assert_eq!(empties, [true, true, true, false]);
    }
}
