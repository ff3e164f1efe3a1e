"""Author-year citations and an author-year reference list for sphinxcontrib-bibtex.

sphinxcontrib-bibtex's ``author_year`` referencing style uses square brackets, and its default
reference list labels entries alpha-style ("HS81"). Finance writing cites "Ho and Stoll (1981)"
and "(Ho and Stoll, 1981)". This registers

- ``author_year_round``: ``author_year`` with round brackets, and semicolons between the works
  of one parenthetical citation (``bibtex_reference_style``);
- ``author_year_list``: pybtex's ``plain`` formatting (sorted by author, year, title) with each
  entry labelled by its author-year citation text, e.g. "Ho and Stoll 1981"
  (``bibtex_default_style``).

Both names are set in ``_config.yml``.
"""

import dataclasses
from collections import Counter

import pybtex.plugin
import sphinxcontrib.bibtex.plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle as AuthorYearTitleSorting
from sphinxcontrib.bibtex.style.referencing import BracketStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle


def _round() -> BracketStyle:
    return BracketStyle(left="(", right=")")


def _round_semicolons() -> BracketStyle:
    """(Black and Scholes, 1973; Merton, 1973)."""
    return BracketStyle(left="(", right=")", sep="; ")


@dataclasses.dataclass
class RoundAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    """``author_year`` with round brackets for every citation role."""

    bracket_parenthetical: BracketStyle = dataclasses.field(default_factory=_round_semicolons)
    bracket_textual: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_author: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_label: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_year: BracketStyle = dataclasses.field(default_factory=_round)


def _last_names(person) -> str:
    return " ".join(name.render_as("text") for name in person.rich_last_names)


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels as the citations read: "Black and Scholes 1973", "Dim et al. 2024"."""

    def format_labels(self, sorted_entries):
        labels = [self.format_label(entry) for entry in sorted_entries]
        count, seen = Counter(labels), Counter()
        for label in labels:  # two works with one label become "… 2023a", "… 2023b"
            seen[label] += 1
            yield label if count[label] == 1 else label + "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]

    def format_label(self, entry):
        names = [_last_names(p) for p in entry.persons.get("author", [])]
        if not names:
            who = Text.from_latex(entry.fields.get("title", entry.key)).render_as("text")
        elif len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        return f"{who} {entry.fields.get('year', '')}".strip()


class PlainNameSorting(AuthorYearTitleSorting):
    """Author, year, title; a braced corporate author ("{SqueezeMetrics}") sorts by its letters."""

    def person_key(self, person):
        return super().person_key(person).replace("{", "").replace("}", "")


class AuthorYearListStyle(PlainStyle):
    """pybtex ``plain`` with author-year labels."""

    default_label_style = "author_year_label"
    default_sorting_style = "plain_name_sorting"


pybtex.plugin.register_plugin("pybtex.style.labels", "author_year_label", AuthorYearLabelStyle)
pybtex.plugin.register_plugin("pybtex.style.sorting", "plain_name_sorting", PlainNameSorting)
pybtex.plugin.register_plugin("pybtex.style.formatting", "author_year_list", AuthorYearListStyle)
sphinxcontrib.bibtex.plugin.register_plugin(
    "sphinxcontrib.bibtex.style.referencing", "author_year_round", RoundAuthorYearReferenceStyle)


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}
