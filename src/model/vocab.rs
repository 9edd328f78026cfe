//! The controlled vocabularies of the content model (§5 of `docs/content-model.md`).
//!
//! Each vocabulary is an enum with a canonical key (used in URLs and data) and a display
//! label. Matching is forgiving in the ways editors write: case is ignored and space, `_` and
//! `-` are alike, so `Requires Improvement` is `requires-improvement`.

use std::fmt;

/// The normal form used to compare vocabulary values: lower case, runs of space, `_` and `-`
/// made one `-`.
pub fn normalise_key(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.trim().chars() {
        if c == ' ' || c == '_' || c == '-' {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out.trim_matches('-').to_owned()
}

/// The characters of [`normalise_key`]`(value)`, made as they are read: comparing with them
/// allocates nothing (the vocabularies are looked up for every value of every page).
fn normalised_chars(value: &str) -> impl Iterator<Item = char> + '_ {
    let mut started = false;
    let mut dash = false;
    value.trim().chars().flat_map(move |c| {
        let separator = c == ' ' || c == '_' || c == '-';
        // A run of separators is one `-`, written only once a character follows it and
        // only after the first character: none leads or trails.
        let lead = (!separator && dash).then_some('-');
        if separator {
            dash = started;
        } else {
            dash = false;
            started = true;
        }
        let lower = (!separator).then(|| c.to_lowercase()).into_iter().flatten();
        lead.into_iter().chain(lower)
    })
}

/// Whether `value`'s [`normalise_key`] is `normal`.
fn normalises_to(value: &str, normal: &str) -> bool {
    normalised_chars(value).eq(normal.chars())
}

/// The closest of `candidates` to `value`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    value: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let value = normalise_key(value);
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    // An editor who wrote the start of a longer key (`north-east` for
    // `north-east-and-yorkshire`) meant that key.
    let mut by_prefix = candidates
        .iter()
        .filter(|c| value.len() >= 3 && normalise_key(c).starts_with(&value));
    if let (Some(only), None) = (by_prefix.next(), by_prefix.next()) {
        return Some(only);
    }
    candidates
        .into_iter()
        .map(|candidate| {
            (
                strsim::jaro_winkler(&value, &normalise_key(candidate)),
                candidate,
            )
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// A closed list of values, such as the CQC ratings.
pub trait Vocabulary: Sized + Copy + 'static {
    /// The vocabulary's name, as in the content model (`cqc-rating`).
    const NAME: &'static str;
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The canonical key (`requires-improvement`).
    fn key(self) -> &'static str;
    /// The display label (`Requires improvement`).
    fn label(self) -> &'static str;

    /// The value an editor meant by `text`, if it is one.
    fn parse(text: &str) -> Option<Self> {
        let wanted = normalise_key(text);
        Self::ALL
            .iter()
            .copied()
            .find(|value| value.key() == wanted || normalises_to(value.label(), &wanted))
    }

    /// The canonical keys, for did-you-mean suggestions and messages.
    fn keys() -> Vec<&'static str> {
        Self::ALL.iter().map(|value| value.key()).collect()
    }
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $vocab:literal, { $($variant:ident => $key:literal, $label:literal;)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $(#[doc = $label] $variant,)*
        }

        impl Vocabulary for $name {
            const NAME: &'static str = $vocab;
            const ALL: &'static [Self] = &[$($name::$variant,)*];
            fn key(self) -> &'static str {
                match self { $($name::$variant => $key,)* }
            }
            fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

vocabulary!(
    /// A CQC rating.
    CqcRating, "cqc-rating", {
    Outstanding => "outstanding", "Outstanding";
    Good => "good", "Good";
    RequiresImprovement => "requires-improvement", "Requires improvement";
    Inadequate => "inadequate", "Inadequate";
    NotRated => "not-rated", "Not rated";
});

vocabulary!(
    /// One of CQC's five key questions.
    KeyQuestion, "key-question", {
    Safe => "safe", "Safe";
    Effective => "effective", "Effective";
    Caring => "caring", "Caring";
    Responsive => "responsive", "Responsive";
    WellLed => "well-led", "Well-led";
});

vocabulary!(
    /// An NHS England region (since 2020).
    NhsRegion, "nhs-region", {
    EastOfEngland => "east-of-england", "East of England";
    London => "london", "London";
    Midlands => "midlands", "Midlands";
    NorthEastAndYorkshire => "north-east-and-yorkshire", "North East and Yorkshire";
    NorthWest => "north-west", "North West";
    SouthEast => "south-east", "South East";
    SouthWest => "south-west", "South West";
});

vocabulary!(
    /// An ONS region of England (ITL1) or a nation.
    OnsRegion, "ons-region", {
    NorthEast => "north-east", "North East";
    NorthWest => "north-west", "North West";
    YorkshireAndTheHumber => "yorkshire-and-the-humber", "Yorkshire and The Humber";
    EastMidlands => "east-midlands", "East Midlands";
    WestMidlands => "west-midlands", "West Midlands";
    EastOfEngland => "east-of-england", "East of England";
    London => "london", "London";
    SouthEast => "south-east", "South East";
    SouthWest => "south-west", "South West";
    Wales => "wales", "Wales";
    Scotland => "scotland", "Scotland";
    NorthernIreland => "northern-ireland", "Northern Ireland";
});

vocabulary!(
    /// A care setting, aligned to CQC service types.
    CareSetting, "care-setting", {
    CareHome => "care-home", "Care home";
    CareHomeWithNursing => "care-home-with-nursing", "Care home with nursing";
    CareHomeWithoutNursing => "care-home-without-nursing", "Care home without nursing";
    Homecare => "homecare", "Homecare";
    SupportedLiving => "supported-living", "Supported living";
    ExtraCareHousing => "extra-care-housing", "Extra care housing";
    SharedLives => "shared-lives", "Shared Lives";
    Hospice => "hospice", "Hospice";
    HospitalAcute => "hospital-acute", "Acute hospital";
    HospitalMentalHealth => "hospital-mental-health", "Mental health hospital";
    CommunityHealth => "community-health", "Community health";
    PrimaryCare => "primary-care", "Primary care";
    LearningDisabilityService => "learning-disability-service", "Learning disability service";
    Ambulance => "ambulance", "Ambulance service";
    LocalAuthorityCommissioning => "local-authority-commissioning", "Local authority commissioning";
    SystemWide => "system-wide", "System-wide";
});

vocabulary!(
    /// The kind of an organisation.
    OrgType, "org-type", {
    LocalAuthority => "local-authority", "Local authority";
    Icb => "icb", "Integrated care board";
    Ccg => "ccg", "Clinical commissioning group";
    NhsTrust => "nhs-trust", "NHS trust";
    NhsFoundationTrust => "nhs-foundation-trust", "NHS foundation trust";
    NhsEngland => "nhs-england", "NHS England";
    IndependentProvider => "independent-provider", "Independent provider";
    VoluntarySector => "voluntary-sector", "Voluntary sector";
    SocialEnterprise => "social-enterprise", "Social enterprise";
    University => "university", "University";
    Regulator => "regulator", "Regulator";
    HealthInnovationNetwork => "health-innovation-network", "Health innovation network";
    NationalBody => "national-body", "National body";
    Other => "other", "Other";
});

vocabulary!(
    /// A way a programme or module is delivered.
    Delivery, "delivery", {
    Workshop => "workshop", "Workshops";
    ActionLearningSet => "action-learning-set", "Action learning sets";
    Coaching => "coaching", "Coaching";
    Mentoring => "mentoring", "Mentoring";
    Online => "online", "Online";
    ELearning => "e-learning", "E-learning";
    SiteVisit => "site-visit", "Site visits";
    Conference => "conference", "Conference";
    CommunityOfPractice => "community-of-practice", "Community of practice";
});

vocabulary!(
    /// The result of an award entry.
    AwardResult, "award-result", {
    Winner => "winner", "Winner";
    HighlyCommended => "highly-commended", "Highly commended";
    Finalist => "finalist", "Finalist";
    Shortlisted => "shortlisted", "Shortlisted";
});

vocabulary!(
    /// The licence of a source text.
    Licence, "licence", {
    OglUk3 => "ogl-uk-3.0", "Open Government Licence v3.0";
    Opl3 => "opl-3.0", "Open Parliament Licence v3.0";
    CcBy4 => "cc-by-4.0", "CC BY 4.0";
    CcByNc4 => "cc-by-nc-4.0", "CC BY-NC 4.0";
    CcByNcNd4 => "cc-by-nc-nd-4.0", "CC BY-NC-ND 4.0";
    AllRightsReserved => "all-rights-reserved", "All rights reserved";
    Unknown => "unknown", "Licence not stated";
});

vocabulary!(
    /// The role of an organisation in a piece of work.
    OrgRole, "organisation role", {
    Lead => "lead", "Lead";
    Partner => "partner", "Partner";
    Funder => "funder", "Funder";
    Evaluator => "evaluator", "Evaluator";
});

vocabulary!(
    /// Which direction of a figure is an improvement.
    Better, "better", {
    Higher => "higher", "Higher is better";
    Lower => "lower", "Lower is better";
});

vocabulary!(
    /// Who reported a figure.
    ReportedBy, "reported_by", {
    SelfReported => "self", "Self-reported";
    Evaluation => "evaluation", "Evaluation";
    Regulator => "regulator", "Regulator";
    Commissioner => "commissioner", "Commissioner";
});

vocabulary!(
    /// The state of a programme.
    ProgrammeStatus, "programme status", {
    Planned => "planned", "Planned";
    Running => "running", "Running";
    Closed => "closed", "Closed";
});

vocabulary!(
    /// The state of an organisation.
    OrgStatus, "organisation status", {
    Active => "active", "Active";
    Closed => "closed", "Closed";
    Merged => "merged", "Merged";
});

vocabulary!(
    /// The format of a module's material.
    MaterialFormat, "material format", {
    Pdf => "pdf", "PDF";
    Docx => "docx", "Word document";
    Pptx => "pptx", "PowerPoint slides";
    Xlsx => "xlsx", "Excel workbook";
    Video => "video", "Video";
    Link => "link", "Link";
});

vocabulary!(
    /// The kind of an outcome measure (§4 of the content model).
    OutcomeKind, "outcome kind", {
    RatingDistribution => "rating-distribution", "Rating distribution";
    RatingChange => "rating-change", "Rating change";
    Count => "count", "Count";
    Share => "share", "Share";
    RelativeChange => "relative-change", "Relative change";
    Measure => "measure", "Measure";
    Score => "score", "Score";
    Money => "money", "Money";
});

vocabulary!(
    /// The type of a dataset column.
    ColumnType, "column type", {
    Text => "string", "Text";
    Int => "int", "Whole number";
    Number => "number", "Number";
    Period => "period", "Period";
    CqcRating => "cqc-rating", "CQC rating";
});

vocabulary!(
    /// The site menu a general page is listed in.
    Menu, "menu", {
    Header => "header", "Header";
    Footer => "footer", "Footer";
});

/// The metrics every site knows; a site adds its own in `casebook.yaml` (`metrics:`), and
/// `custom:<slug>` is always allowed.
pub const METRICS: &[(&str, &str)] = &[
    ("cqc-overall-rating", "CQC overall rating"),
    ("cqc-key-question-rating", "CQC key question rating"),
    (
        "homes-rated-good-or-outstanding",
        "Homes rated Good or Outstanding",
    ),
    ("cqc-enforcement-actions", "CQC enforcement actions"),
    ("registered-manager-turnover", "Registered manager turnover"),
    ("staff-turnover", "Staff turnover"),
    ("participants-completed", "Participants who completed"),
    ("participant-recommend", "Participants who would recommend"),
    ("participant-satisfaction", "Participant satisfaction"),
    ("hospital-admissions", "Hospital admissions"),
    ("hospital-length-of-stay", "Hospital length of stay"),
    ("ambulance-conveyances", "Ambulance conveyances"),
    ("uti-incidence", "Urinary tract infections"),
    ("antibiotic-prescriptions", "Antibiotic prescriptions"),
    ("pressure-ulcers", "Pressure ulcers"),
    ("falls", "Falls"),
    ("delayed-transfers-of-care", "Delayed transfers of care"),
    ("cost-saving", "Cost saving"),
    ("survey-agreement", "Survey agreement"),
];

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The characters compared with a vocabulary's labels are those of `normalise_key`:
        /// separators in runs, at either end, beside white space and other letters.
        #[test]
        fn normalised_chars_are_normalise_key(value in "[ _\\-aZé\tİx]{0,12}") {
            proptest::prop_assert_eq!(normalised_chars(&value).collect::<String>(), normalise_key(&value));
            proptest::prop_assert!(normalises_to(&value, &normalise_key(&value)));
        }
    }

    #[test]
    fn matching_ignores_case_and_separators() {
        assert_eq!(
            CqcRating::parse("Requires Improvement"),
            Some(CqcRating::RequiresImprovement)
        );
        assert_eq!(
            CqcRating::parse("requires_improvement"),
            Some(CqcRating::RequiresImprovement)
        );
        assert_eq!(
            NhsRegion::parse("North East and Yorkshire"),
            Some(NhsRegion::NorthEastAndYorkshire)
        );
        assert_eq!(Licence::parse("OGL-UK-3.0"), Some(Licence::OglUk3));
        assert_eq!(NhsRegion::parse("north-east"), None);
    }

    #[test]
    fn suggestions_find_typos() {
        assert_eq!(
            did_you_mean("Requires Improvment", CqcRating::keys()),
            Some("requires-improvement")
        );
        assert_eq!(
            did_you_mean("sumary", ["summary", "title"]),
            Some("summary")
        );
        assert_eq!(did_you_mean("zzz", ["summary", "title"]), None);
    }
}
