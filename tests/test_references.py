"""The bibliography: every entry is cited by a lesson or a book page, and every citation resolves.

The book builds with ``-W``, so a citation of a missing key already fails the build; what the build
does not catch is an entry nobody cites (sphinxcontrib-bibtex quietly leaves it out of the list).
"""

import json
import re
from pathlib import Path

from gexlib.course import student

ROOT = Path(__file__).resolve().parent.parent
BIB = ROOT / "book" / "references.bib"
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
ENTRY = re.compile(r"^@(\w+)\{([^,\s]+),", re.MULTILINE)


def bib_entries():
    return {key: kind.lower() for kind, key in ENTRY.findall(BIB.read_text(encoding="utf-8"))}


def cited_keys():
    """Map each cited key to the files citing it (markdown cells of lessons, book pages)."""
    texts = {}
    for path in sorted(student.NOTEBOOKS_DIR.glob(student.LESSON_GLOB)):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        texts[path.name] = "\n".join(student._text(c) for c in cells if c["cell_type"] == "markdown")
    for path in sorted((ROOT / "book").glob("*.md")):
        texts[path.name] = path.read_text(encoding="utf-8")
    cited = {}
    for name, text in texts.items():
        for group in CITE.findall(text):
            for key in group.split(","):
                cited.setdefault(key.strip(), set()).add(name)
    return cited


def test_every_citation_has_an_entry():
    missing = {key: sorted(files) for key, files in cited_keys().items() if key not in bib_entries()}
    assert not missing, f"cited but not in {BIB.name}: {missing}"


def test_every_entry_is_cited_somewhere():
    unused = sorted(set(bib_entries()) - set(cited_keys()))
    assert not unused, f"entries in {BIB.name} that no lesson or page cites: {unused}"


def test_the_works_the_course_relies_on_are_listed():
    keys = set(bib_entries())
    for key in ("hostoll1981", "garleanu2009", "ni2005", "avellaneda2003", "baltussen2021", "dim2024",
                "squeezemetrics2017", "xu2023", "todorov2024", "egebjerg2024"):
        assert key in keys, key


def test_citation_pattern_reads_grouped_keys():
    assert CITE.findall("see {cite:p}`black1973,merton1973` and {cite:t}`ni2005`") == [
        "black1973,merton1973", "ni2005"]
