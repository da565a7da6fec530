"""The report's table rows built in Python give the bytes the template loop gave."""

from __future__ import annotations

import jinja2
from markupsafe import Markup

from twin.report.tables import Cell, Table, rows_html

# the loop the run page's table macro used before rows_html
LOOP = """{% for row in t.rows %}
<tr>{% for c in row %}<td{% if c.css %} class="{{ c.css }}"{% endif %}\
{% if c.title %} title="{{ c.title }}"{% endif %}>{{ c.text }}</td>{% endfor %}</tr>
{% endfor %}
"""


def test_rows_html_equals_the_template_loop_escaping_included() -> None:
    table = Table(["a", "b", "c"])
    table.rows = [
        [Cell("S01", "key"), Cell("1,234 ± 5", "num wrap", "s"), Cell("")],
        [Cell("<b>&'\"</b>", 'x"y', "a<b"), Cell(Markup("<i>kept</i>")), Cell("–", "", "t'")],
        [Cell("S02", "key"), Cell("97.1 % (84.6–100 %)", "num wrap", "%"), Cell("1", "num")],
    ]
    environment = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    expected = environment.from_string(LOOP).render(t=table)
    assert str(rows_html(table)) == expected
    assert "&lt;b&gt;&amp;&#39;&#34;&lt;/b&gt;" in expected and "<i>kept</i>" in expected


def test_no_rows_no_html() -> None:
    assert str(rows_html(Table(["a"]))) == ""
