"""The docs stay in their place: the generated reference matches the code's declarations,
the README stays a newcomer's page."""

from pathlib import Path

from gridmodel.describe import reference
from gridmodel.model.techs import TECHNOLOGIES

ROOT = Path(__file__).resolve().parents[1]


def test_the_reference_tables_match_the_declarations():
    """docs/reference-tables.md is `gridmodel describe`'s output: a column, key, output or
    cause added, renamed or re-ranged in the code without `make docs` fails here."""
    assert (ROOT / "docs" / "reference-tables.md").read_text(encoding="utf-8") == \
        reference(TECHNOLOGIES), "docs/reference-tables.md is stale: run `make docs`"


def test_every_declared_column_and_key_is_in_the_reference():
    text = reference(TECHNOLOGIES)
    for tech in TECHNOLOGIES:
        for column in tech.SPEC.columns:
            assert f"| `{column}` |" in text, (tech.NAME, column)
        for output in tech.OUTPUTS:
            assert f"`{output.var}`" in text
    assert "| `horizon.lookahead_h` |" in text and "| `model.commitment` |" in text


def test_the_readme_is_short_and_points_to_the_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 300
    for doc in ("reference.md", "methods.md", "jilin.md", "performance.md", "developing.md"):
        assert f"docs/{doc}" in readme and (ROOT / "docs" / doc).is_file()
