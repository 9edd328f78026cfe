#!/usr/bin/env python3
"""Checks for benches/build.sh: is a generated corpus fresh, and did a build write everything?

    check_output.py fresh MANIFEST GEN_CORPUS_PY
        exit 0 when MANIFEST was written by the current generator (same generator_version and
        source_hash), 1 when it is stale or unreadable.

    check_output.py check MANIFEST OUTPUT_DIR [--regions-from FIELD]
        check a built site against the corpus manifest, as shared/bench/README.md asks:
          - every case study has OUTPUT/case-studies/<slug>/index.html containing its probe
            sentence (as is, HTML-escaped, or after undoing entities and typographic quotes);
          - every page in other_pages exists (OUTPUT/<section>/<slug>/index.html);
          - the case-study list has exactly list_pages pager pages
            (/case-studies/, /case-studies/page/2/ … /case-studies/page/<list_pages>/);
          - every taxonomy term page exists with at least ceil(count / paginate) pager pages
            and links, over them, to at least `count` distinct case studies (more pages are
            allowed: term pages may also list programmes or cohorts).
        The manifest's region terms are ONS regions (the corpus's `ons_region`). With
        --regions-from nhs_region, the expected /regions/ terms and counts are instead read from
        the `nhs_region` of the corpus's casebook case studies (beside MANIFEST).
        Prints the number of HTML pages in OUTPUT on stdout and exits 0 when all is there;
        otherwise lists what is missing on stderr and exits 1.

Only the Python 3 standard library is used.
"""

import html
import importlib.util
import json
import math
import os
import re
import sys

MAX_LISTED = 15  # problems listed per kind before "... and N more"


def load_manifest(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def cmd_fresh(manifest_path, gen_path):
    try:
        manifest = load_manifest(manifest_path)
    except (OSError, ValueError):
        return 1
    sys.dont_write_bytecode = True  # leave no __pycache__ in shared/
    spec = importlib.util.spec_from_file_location("gen_corpus", gen_path)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    fresh = (manifest.get("generator_version") == gen.GENERATOR_VERSION
             and manifest.get("source_hash") == gen.source_hash())
    return 0 if fresh else 1


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                         "\u00a0": " ", "\u2013": "-", "\u2014": "-"})


def _normalise(text):
    return re.sub(r"\s+", " ", html.unescape(text).translate(_QUOTES))


def escaped_forms(probe):
    """The probe as a page may hold it: raw and with the usual HTML escapes."""
    forms = {probe, html.escape(probe, quote=False), html.escape(probe, quote=True)}
    for f in list(forms):
        forms.add(f.replace("&#x27;", "&#39;"))
        forms.add(f.replace("&#x27;", "&apos;"))
        forms.add(f.replace("&quot;", "&#34;"))
    return forms


def contains_probe(page, probe):
    if any(f in page for f in escaped_forms(probe)):
        return True
    # Slow path: entities undone, typographic quotes and dashes straightened, tags dropped,
    # whitespace collapsed.
    text = re.sub(r"<[^>]*>", "", page)
    return _normalise(probe) in _normalise(text)


def count_html(out):
    n = 0
    for _root, _dirs, files in os.walk(out):
        n += sum(1 for f in files if f.endswith(".html"))
    return n


class Problems:
    def __init__(self):
        self.kinds = {}

    def add(self, kind, detail):
        self.kinds.setdefault(kind, []).append(detail)

    def __bool__(self):
        return bool(self.kinds)

    def report(self, out):
        lines = []
        for kind, details in self.kinds.items():
            lines.append(f"  {kind}: {len(details)}")
            for d in details[:MAX_LISTED]:
                lines.append(f"    - {d}")
            if len(details) > MAX_LISTED:
                lines.append(f"    ... and {len(details) - MAX_LISTED} more")
        return f"output {out} does not match the manifest:\n" + "\n".join(lines)


def page_file(out, url_path):
    return os.path.join(out, *[p for p in url_path.split("/") if p], "index.html")


def check_pager(out, base, pages, problems, kind):
    """The list at /base/ must have exactly `pages` pager pages (/base/page/K/)."""
    if not os.path.isfile(page_file(out, base)):
        problems.add(f"{kind}: missing page", f"/{base}/")
        return
    for k in range(2, pages + 1):
        if not os.path.isfile(page_file(out, f"{base}/page/{k}")):
            problems.add(f"{kind}: missing pager page", f"/{base}/page/{k}/ (expected {pages} pages)")
            return
    if os.path.isfile(page_file(out, f"{base}/page/{pages + 1}")):
        problems.add(f"{kind}: extra pager page", f"/{base}/page/{pages + 1}/ (expected {pages} pages)")


_CASE_LINK = re.compile(r'href="[^"]*?/case-studies/([^/"#?]+)/?(?:[#?][^"]*)?"')


def check_term(out, base, count, paginate, section, problems, kind):
    """A term page at /base/ must have at least ceil(count / paginate) pager pages, and link,
    over all its pager pages, to at least `count` distinct case studies. More pager pages are
    allowed: a generator may list other content types (programmes, cohorts) on term pages."""
    if not os.path.isfile(page_file(out, base)):
        problems.add(f"{kind}: missing page", f"/{base}/")
        return
    need = max(1, math.ceil(count / paginate))
    files = [page_file(out, base)]
    k = 2
    while os.path.isfile(page_file(out, f"{base}/page/{k}")):
        files.append(page_file(out, f"{base}/page/{k}"))
        k += 1
    if len(files) < need:
        problems.add(f"{kind}: missing pager page",
                     f"/{base}/page/{len(files) + 1}/ (expected {need} pages for {count} case studies)")
        return
    slugs = set()
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            slugs.update(s for s in _CASE_LINK.findall(fh.read()) if s != "page")
    if len(slugs) < count:
        problems.add(f"{kind}: case studies not listed",
                     f"/{base}/ links to {len(slugs)} distinct case studies over {len(files)} pages, "
                     f"expected {count}")


def region_counts(manifest_path, field):
    """Case studies per value of front-matter `field` in the corpus's casebook tree."""
    folder = os.path.join(os.path.dirname(os.path.abspath(manifest_path)),
                          "casebook", "content", "case-studies")
    pattern = re.compile(rf"^{re.escape(field)}:[ \t]*([A-Za-z0-9-]+)[ \t]*$", re.M)
    counts = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".md"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            text = fh.read()
        front = text.split("\n---", 2)[0] if text.startswith("---") else ""
        for value in pattern.findall(front)[:1]:
            counts[value] = counts.get(value, 0) + 1
    return counts


def cmd_check(manifest_path, out, regions_from=None):
    m = load_manifest(manifest_path)
    if regions_from:
        m.setdefault("taxonomies", {})["regions"] = region_counts(manifest_path, regions_from)
    problems = Problems()
    if not os.path.isdir(out):
        print(f"output {out} does not exist", file=sys.stderr)
        return 1
    section = m.get("section", "case-studies")
    paginate = int(m.get("paginate", 25))

    pages = m["pages"]
    if len(pages) != m["n"]:
        problems.add("manifest", f"{len(pages)} pages listed for n = {m['n']}")
    for p in pages:
        f = page_file(out, f"{section}/{p['slug']}")
        try:
            with open(f, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError:
            problems.add("missing case-study page", f"/{section}/{p['slug']}/")
            continue
        probe = p.get("probe")
        if probe and not contains_probe(text, probe):
            problems.add("case-study page without its probe sentence",
                         f"/{section}/{p['slug']}/: {probe!r}")

    for sec, slugs in m.get("other_pages", {}).items():
        for slug in slugs:
            if not os.path.isfile(page_file(out, f"{sec}/{slug}")):
                problems.add(f"missing {sec} page", f"/{sec}/{slug}/")

    check_pager(out, section, int(m["list_pages"]), problems, "case-study list")

    for tax, terms in m.get("taxonomies", {}).items():
        for term, count in terms.items():
            check_term(out, f"{tax}/{term}", count, paginate, section, problems, f"{tax} term")

    if problems:
        print(problems.report(out), file=sys.stderr)
        return 1
    print(count_html(out))
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == "fresh":
        return cmd_fresh(argv[2], argv[3])
    if len(argv) == 4 and argv[1] == "check":
        return cmd_check(argv[2], argv[3])
    if len(argv) == 6 and argv[1] == "check" and argv[4] == "--regions-from":
        return cmd_check(argv[2], argv[3], argv[5])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
