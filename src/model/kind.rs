//! The kinds of content: one per folder of `content/`, each with its URL segment, its
//! `type:` name and the words people read for it. Every stage names pages by kind.

/// The seven kinds of content, one per folder of `content/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContentKind {
    /// `content/case-studies/*.md`
    CaseStudy,
    /// `content/programmes/*.md`
    Programme,
    /// `content/modules/*.md`
    Module,
    /// `content/cohorts/*.md`
    Cohort,
    /// `content/organisations/*.md`
    Organisation,
    /// `content/data/*.yaml`
    Dataset,
    /// `content/pages/*.md`: a general page (about, contact, accessibility), published at
    /// the top of the site (`/about/`).
    Page,
}

impl ContentKind {
    /// Every kind, in the order pages are listed.
    pub const ALL: [ContentKind; 7] = [
        ContentKind::CaseStudy,
        ContentKind::Programme,
        ContentKind::Module,
        ContentKind::Cohort,
        ContentKind::Organisation,
        ContentKind::Dataset,
        ContentKind::Page,
    ];

    /// The folder under `content/`. For every kind but general pages it is also the first
    /// segment of the page's URL ([`ContentKind::section`]).
    pub fn folder(self) -> &'static str {
        match self {
            ContentKind::CaseStudy => "case-studies",
            ContentKind::Programme => "programmes",
            ContentKind::Module => "modules",
            ContentKind::Cohort => "cohorts",
            ContentKind::Organisation => "organisations",
            ContentKind::Dataset => "data",
            ContentKind::Page => "pages",
        }
    }

    /// The first segment of the URL of this kind's pages and of its list
    /// (`/case-studies/<slug>/`, `/case-studies/`): its folder. `None` for general pages,
    /// which are published at the top of the site (`/<slug>/`) and have no list.
    pub fn section(self) -> Option<&'static str> {
        (self != ContentKind::Page).then(|| self.folder())
    }

    /// The kind whose pages are published under the URL segment `segment`.
    pub fn from_section(segment: &str) -> Option<ContentKind> {
        ContentKind::ALL
            .into_iter()
            .find(|kind| kind.section() == Some(segment))
    }

    /// The value of `type:` in front matter.
    pub fn type_name(self) -> &'static str {
        match self {
            ContentKind::CaseStudy => "case-study",
            ContentKind::Programme => "programme",
            ContentKind::Module => "module",
            ContentKind::Cohort => "cohort",
            ContentKind::Organisation => "organisation",
            ContentKind::Dataset => "dataset",
            ContentKind::Page => "page",
        }
    }

    /// The kind whose `type:` value is `name`.
    pub fn from_type_name(name: &str) -> Option<ContentKind> {
        ContentKind::ALL
            .into_iter()
            .find(|kind| kind.type_name() == name)
    }

    /// The kind whose folder under `content/` is `folder`.
    pub fn from_folder(folder: &str) -> Option<ContentKind> {
        ContentKind::ALL
            .into_iter()
            .find(|kind| kind.folder() == folder)
    }

    /// The name of one page of this kind, for people: `Case study`.
    pub fn label(self) -> &'static str {
        match self {
            ContentKind::CaseStudy => "Case study",
            ContentKind::Programme => "Programme",
            ContentKind::Module => "Module",
            ContentKind::Cohort => "Cohort",
            ContentKind::Organisation => "Organisation",
            ContentKind::Dataset => "Dataset",
            ContentKind::Page => "Page",
        }
    }

    /// The heading of the list of this kind: `Case studies`.
    pub fn plural(self) -> &'static str {
        match self {
            ContentKind::CaseStudy => "Case studies",
            ContentKind::Programme => "Programmes",
            ContentKind::Module => "Modules",
            ContentKind::Cohort => "Cohorts",
            ContentKind::Organisation => "Organisations",
            ContentKind::Dataset => "Datasets",
            ContentKind::Page => "Pages",
        }
    }

    /// Whether files of this kind are Markdown with front matter (all but datasets).
    pub fn has_body(self) -> bool {
        self != ContentKind::Dataset
    }

    /// Whether a file with this extension is content of this kind: Markdown for pages, YAML for
    /// datasets.
    pub fn accepts_extension(self, extension: &str) -> bool {
        match self {
            ContentKind::Dataset => matches!(extension, "yaml" | "yml"),
            _ => matches!(extension, "md" | "markdown"),
        }
    }
}
