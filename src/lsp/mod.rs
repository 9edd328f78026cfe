//! `casebook lsp`: a language server over stdio for editing content files.
//!
//! It checks the unsaved text of each open document with the parse stage, and links it with
//! the site's other pages as they are on disk (references, duplicate slugs, links), publishing
//! casebook's own diagnostics as the editor types; it completes field names, vocabulary values
//! and the slugs of existing pages, and shows a field's description on hover. Fields come from
//! the registry ([`crate::model::fields`]). It reads the site once at start, holds open
//! documents in memory and never writes a file.

mod context;
mod position;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{Completion, HoverRequest, Request as _};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionOptions, CompletionParams, CompletionResponse,
    Diagnostic as LspDiagnostic, DiagnosticSeverity, Hover, HoverContents, HoverParams,
    InitializeParams, MarkupContent, MarkupKind, NumberOrString, Position,
    PublishDiagnosticsParams, Range, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, Uri,
};

use crate::diagnostics::{Diagnostic, Pos, Severity};
use crate::load::Source;
use crate::model::content::Page;
use crate::model::fields::{Field, Shape};
use crate::model::{ContentKind, LinkOptions};
use crate::parse::{ParseOptions, parse_source};
use context::Spot;

/// An error that ends the server: the connection failed.
pub type ServerError = Box<dyn std::error::Error + Send + Sync>;

/// Runs the language server on stdin and stdout until the editor says `exit`. `root` is the
/// site folder, unless the editor names a workspace folder.
pub fn run_stdio(root: &Path) -> Result<(), ServerError> {
    let (connection, threads) = Connection::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![":".into(), " ".into(), "[".into(), ",".into()]),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    };
    let params = connection.initialize(serde_json::to_value(capabilities)?)?;
    let params: InitializeParams = serde_json::from_value(params)?;
    let root = workspace_root(&params).unwrap_or_else(|| root.to_path_buf());
    let mut server = Server::new(root);
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    break;
                }
                let response = server.respond(request);
                connection.sender.send(Message::Response(response))?;
            }
            Message::Notification(notification) => {
                for published in server.notice(notification) {
                    connection.sender.send(Message::Notification(published))?;
                }
            }
            Message::Response(_) => {}
        }
    }
    drop(connection);
    threads.join()?;
    Ok(())
}

#[allow(deprecated)] // `root_uri`: editors that send no workspace folders still send it.
fn workspace_root(params: &InitializeParams) -> Option<PathBuf> {
    let uri = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first().map(|folder| folder.uri.clone()))
        .or_else(|| params.root_uri.clone())?;
    file_path(&uri)
}

/// The state of the server: the site as on disk, and the open documents.
struct Server {
    root: PathBuf,
    options: ParseOptions,
    link_options: LinkOptions,
    /// The pages on disk, read at start: the other files a document is linked with.
    disk_pages: Vec<Page>,
    documents: HashMap<String, String>,
}

impl Server {
    fn new(root: PathBuf) -> Server {
        let config = crate::config::load_config(&root).unwrap_or_default();
        let options = ParseOptions {
            extra_metrics: config.metrics.clone(),
            let_go_bodies: false,
        };
        let sources = crate::load::load(&root, config.max_file_size)
            .map(|loaded| loaded.sources)
            .unwrap_or_default();
        let parsed = crate::parse::parse_sources(&sources, &options);
        // Pages on disk that do not parse exist all the same: links to them are not broken.
        let unreadable = crate::unreadable_pages(&parsed.diagnostics, &parsed.pages);
        let disk_pages = parsed.pages;
        let link_options = LinkOptions {
            link_check: config.link_check,
            static_files: crate::load::list_static_files(&root),
            unreadable,
        };
        Server {
            root,
            options,
            link_options,
            disk_pages,
            documents: HashMap::new(),
        }
    }

    fn notice(&mut self, notification: Notification) -> Vec<Notification> {
        let uri = match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(params) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(
                    notification.params,
                ) else {
                    return Vec::new();
                };
                let document = params.text_document;
                self.documents
                    .insert(document.uri.as_str().to_owned(), document.text);
                document.uri
            }
            DidChangeTextDocument::METHOD => {
                let Ok(params) = serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(
                    notification.params,
                ) else {
                    return Vec::new();
                };
                // Full sync: the last change holds the whole text.
                let Some(change) = params.content_changes.into_iter().last() else {
                    return Vec::new();
                };
                let uri = params.text_document.uri;
                self.documents.insert(uri.as_str().to_owned(), change.text);
                uri
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(params) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(
                    notification.params,
                ) {
                    self.documents.remove(params.text_document.uri.as_str());
                }
                return Vec::new();
            }
            _ => return Vec::new(),
        };
        let diagnostics = self.diagnostics(&uri);
        let params = PublishDiagnosticsParams::new(uri, diagnostics, None);
        vec![Notification::new(PublishDiagnostics::METHOD.into(), params)]
    }

    fn respond(&self, request: Request) -> Response {
        let id = request.id.clone();
        match request.method.as_str() {
            Completion::METHOD => {
                match serde_json::from_value::<CompletionParams>(request.params) {
                    Ok(params) => {
                        let items = self.complete(&params);
                        ok(id, &CompletionResponse::Array(items))
                    }
                    Err(error) => invalid(id, &error.to_string()),
                }
            }
            HoverRequest::METHOD => match serde_json::from_value::<HoverParams>(request.params) {
                Ok(params) => ok(id, &self.hover(&params)),
                Err(error) => invalid(id, &error.to_string()),
            },
            _ => Response::new_err(
                id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("casebook lsp does not handle {}", request.method),
            ),
        }
    }

    /// The open document at `uri` as a source of the site, if it is a content file.
    fn source(&self, uri: &Uri) -> Option<Source> {
        let text = self.documents.get(uri.as_str())?;
        let path = file_path(uri)?;
        let relative = path.strip_prefix(&self.root).ok()?;
        let parts: Vec<&str> = relative.iter().filter_map(|part| part.to_str()).collect();
        let [content, folder, name] = parts.as_slice() else {
            return None;
        };
        let kind = ContentKind::from_folder(folder).filter(|_| *content == "content")?;
        let (stem, extension) = name.rsplit_once('.')?;
        if !kind.accepts_extension(extension) {
            return None;
        }
        let text = text
            .strip_prefix('\u{feff}')
            .unwrap_or(text)
            .replace("\r\n", "\n");
        Some(Source {
            path: parts.join("/"),
            kind,
            stem: stem.to_owned(),
            text,
        })
    }

    /// casebook's diagnostics of the document: its own, and those of linking it with the other
    /// pages on disk.
    fn diagnostics(&self, uri: &Uri) -> Vec<LspDiagnostic> {
        let Some(source) = self.source(uri) else {
            return Vec::new();
        };
        let (page, mut found) = parse_source(&source, &self.options);
        if let Some(page) = page {
            let mut pages: Vec<Page> = self
                .disk_pages
                .iter()
                .filter(|other| other.file != source.path)
                .cloned()
                .collect();
            pages.push(page);
            let (_, linked) = crate::model::link_site(pages, &self.link_options);
            found.extend(linked.into_iter().filter(|d| d.file == source.path));
        }
        crate::diagnostics::sort(&mut found);
        found.dedup();
        found
            .iter()
            .map(|diagnostic| to_lsp_diagnostic(&source.text, diagnostic))
            .collect()
    }

    fn complete(&self, params: &CompletionParams) -> Vec<CompletionItem> {
        let document = &params.text_document_position;
        let Some(source) = self.source(&document.text_document.uri) else {
            return Vec::new();
        };
        let Some((lines, line, column)) = front_matter_lines(&source, document.position) else {
            return Vec::new();
        };
        let Some(spot) = context::spot(&lines, line, column) else {
            return Vec::new();
        };
        let outcome_kind = context::outcome_kind(&lines, line);
        match spot {
            Spot::Key { path, .. } => {
                key_items(&context::fields_at(source.kind, &path, outcome_kind))
            }
            Spot::Value { path, key, .. } => {
                let fields = context::fields_at(source.kind, &path, outcome_kind);
                fields
                    .iter()
                    .find(|field| field.name == key)
                    .map_or_else(Vec::new, |field| self.value_items(field))
            }
            Spot::Item { mut path, .. } => {
                let Some(key) = path.pop() else {
                    return Vec::new();
                };
                let fields = context::fields_at(source.kind, &path, outcome_kind);
                let Some(field) = fields.iter().find(|field| field.name == key) else {
                    return Vec::new();
                };
                match field.shape {
                    Shape::Mappings(_) | Shape::Outcomes => {
                        path.push(key);
                        key_items(&context::fields_at(source.kind, &path, outcome_kind))
                    }
                    _ => self.value_items(field),
                }
            }
        }
    }

    /// The values a field can take: its vocabulary, or the slugs of pages it can name.
    fn value_items(&self, field: &Field) -> Vec<CompletionItem> {
        match field.shape {
            Shape::Value(vocab) | Shape::Values(vocab) => {
                let mut keys: Vec<String> = vocab.keys().iter().map(|k| (*k).to_owned()).collect();
                let mut labels: Vec<String> =
                    vocab.labels().iter().map(|l| (*l).to_owned()).collect();
                if vocab.is_metric() {
                    keys.extend(self.options.extra_metrics.iter().cloned());
                    labels.extend(
                        self.options
                            .extra_metrics
                            .iter()
                            .map(|_| "site metric".into()),
                    );
                }
                keys.into_iter()
                    .zip(labels)
                    .map(|(key, label)| CompletionItem {
                        label: key,
                        kind: Some(CompletionItemKind::ENUM_MEMBER),
                        detail: Some(format!("{label} ({})", vocab.name)),
                        ..CompletionItem::default()
                    })
                    .collect()
            }
            Shape::Reference(kind) | Shape::References(kind) => self
                .disk_pages
                .iter()
                .filter(|page| page.kind == kind)
                .map(|page| CompletionItem {
                    label: page.slug.value.clone(),
                    kind: Some(CompletionItemKind::REFERENCE),
                    detail: Some(page.title.clone()),
                    ..CompletionItem::default()
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    fn hover(&self, params: &HoverParams) -> Option<Hover> {
        let document = &params.text_document_position_params;
        let source = self.source(&document.text_document.uri)?;
        let (lines, line, _) = front_matter_lines(&source, document.position)?;
        // The key of the line, with the cursor anywhere on it.
        let text = lines.get(line)?;
        let key_end = text.find(':')?;
        let spot = context::spot(&lines, line, text[..key_end].chars().count())?;
        let (path, key) = match spot {
            Spot::Key { path, typed } | Spot::Item { path, typed } => (path, typed),
            Spot::Value { .. } => return None,
        };
        let fields = context::fields_at(source.kind, &path, context::outcome_kind(&lines, line));
        let field = fields.iter().find(|field| field.name == key)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: describe(field),
            }),
            range: None,
        })
    }
}

/// A field for people: its name, whether required, and its description.
fn describe(field: &Field) -> String {
    let required = if field.required { " (required)" } else { "" };
    let vocabulary = match field.shape {
        Shape::Value(vocab) | Shape::Values(vocab) => format!("\n\nValues: {}", vocab.name),
        _ => String::new(),
    };
    format!(
        "**{}**{required}\n\n{}{vocabulary}",
        field.name, field.description
    )
}

fn key_items(fields: &[&Field]) -> Vec<CompletionItem> {
    fields
        .iter()
        .map(|field| CompletionItem {
            label: field.name.to_owned(),
            kind: Some(CompletionItemKind::FIELD),
            detail: field.required.then(|| "required".to_owned()),
            documentation: Some(lsp_types::Documentation::String(
                field.description.to_owned(),
            )),
            insert_text: Some(format!("{}: ", field.name)),
            ..CompletionItem::default()
        })
        .collect()
}

/// The lines of the document's front matter, and the cursor's line in them (0-based, from the
/// front matter's first line) and character column; `None` outside the front matter.
fn front_matter_lines(source: &Source, position: Position) -> Option<(Vec<&str>, usize, usize)> {
    let (line, column) = position::from_lsp(&source.text, position);
    let lines: Vec<&str> = source.text.split('\n').collect();
    if !source.kind.has_body() {
        return Some((lines, line, column));
    }
    let close = lines.iter().skip(1).position(|l| l.trim_end() == "---")? + 1;
    if line == 0 || line >= close {
        return None;
    }
    Some((lines[1..close].to_vec(), line - 1, column))
}

fn to_lsp_diagnostic(text: &str, diagnostic: &Diagnostic) -> LspDiagnostic {
    let at = Pos::new(diagnostic.line, diagnostic.column);
    let start = position::to_lsp(text, at);
    let end = position::word_end(text, at);
    let severity = match diagnostic.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
    };
    let message = match &diagnostic.hint {
        Some(hint) => format!("{}\nhint: {hint}", diagnostic.message),
        None => diagnostic.message.clone(),
    };
    LspDiagnostic {
        range: Range::new(start, end),
        severity: Some(severity),
        code: Some(NumberOrString::String(diagnostic.code.as_str().to_owned())),
        source: Some("casebook".into()),
        message,
        ..LspDiagnostic::default()
    }
}

/// The file a `file:` URI names, percent-decoded.
fn file_path(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().is_none_or(|scheme| scheme.as_str() != "file") {
        return None;
    }
    let encoded = uri.path().as_str().as_bytes();
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut index = 0;
    while index < encoded.len() {
        let hex = encoded
            .get(index + 1..index + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (encoded[index], hex) {
            (b'%', Some(byte)) => {
                bytes.push(byte);
                index += 3;
            }
            (byte, _) => {
                bytes.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8(bytes).ok().map(PathBuf::from)
}

fn ok<T: serde::Serialize>(id: RequestId, result: &T) -> Response {
    Response::new_ok(id, result)
}

fn invalid(id: RequestId, message: &str) -> Response {
    Response::new_err(
        id,
        lsp_server::ErrorCode::InvalidParams as i32,
        message.to_owned(),
    )
}
