"""The pages' Jinja environment: its cheaper translation callables mean what Jinja's own
newstyle ones mean, and a teaser's head is kept under every field it shows."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from jinja2 import Environment, nodes, pass_context, pass_environment, select_autoescape
from markupsafe import Markup

from broadsheet.models import ArticleTeaser
from broadsheet.web import i18n
from broadsheet.web.templating import TEASER_FIELDS, make_templates, without_bidi_controls
from tests.web.sample import NOW

SNIPPETS = [
    '{{ _("Latest news") }}',
    '{{ _("Sign in") }}|{{ _("Sign in") }}',  # kept: the same twice
    '{{ _("100%% of %(what)s", what=thing) }}',  # escaped variable, %% formatted
    '{{ _("50%% off") }}',  # formatted even without variables
    "{{ _(thing) }}",  # a message that is a value (escaped as Markup would be)
    '{{ _("by %(outlet)s", outlet=thing) }}',
    "{% trans count=n %}{{ count }} comment{% pluralize %}{{ count }} comments{% endtrans %}",
    "{% trans %}Add a feed with <code>{{ thing }}</code>.{% endtrans %}",
    "{% trans count=n, failing=n %}{{ failing }} of {{ count }} source{% pluralize %}{{ failing }} of {{ count }} sources{% endtrans %}",  # noqa: E501
    '{{ pgettext("furniture removal", "on") }} {{ pgettext("furniture removal", "off") }}',
    '{{ ngettext("%(num)s outlet", "%(num)s outlets", n) }}',
]


def _stock() -> Environment:
    """Jinja's own newstyle gettext over the same catalogs, as the app had before."""
    env = Environment(
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, pgettext=i18n.pgettext, newstyle=True
    )
    return env


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_translations_mean_what_jinjas_newstyle_gettext_means(lang: str) -> None:
    ours, stock = make_templates(), _stock()
    for snippet in SNIPPETS:
        for values in ({"thing": "<b>A & B</b>", "n": 1}, {"thing": "Le Monde", "n": 7}):
            with i18n.language(lang):
                expected = stock.from_string(snippet).render(**values)
                got = ours.from_string(snippet).render(**values)
            assert got == expected, snippet
    with i18n.language("fr"):  # a translated message really is translated
        assert make_templates().from_string('{{ _("Latest news") }}').render() != "Latest news"


def _teaser(**changes: object) -> ArticleTeaser:
    base = ArticleTeaser(
        id=7,
        source_id=3,
        source_name="Le Monde",
        source_has_icon=False,
        title="A headline",
        sort_at=NOW,
        fetched_at=NOW,
        language="fr",
        lead="The first paragraph.\n\nThe second.",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_teaser_head_is_made_once_and_again_when_what_it_shows_changes() -> None:
    head = make_templates().globals["teaser_head"]
    first = str(head(_teaser()))
    assert "A headline" in first and "The first paragraph." in first and "Le Monde" in first
    assert head(_teaser(comments=4, sort_at=NOW.replace(year=2020))) is head(_teaser())  # kept
    changed = {  # field: (new value, what the head then shows)
        "title": ("Another headline", "Another headline"),
        "source_name": ("Libération", "Libération"),
        "source_has_icon": (True, 'src="/icons/3"'),
        "language": ("de", 'lang="de"'),
        "lead": ("Another lead.", "Another lead."),
        "source_id": (4, 'href="/sources/4"'),
        "id": (8, 'href="/articles/8"'),
    }
    assert set(changed) == set(TEASER_FIELDS)
    for field, (value, shown) in changed.items():
        assert shown not in first, field
        assert shown in str(head(_teaser(**{field: value}))), field


def test_the_teaser_head_template_shows_only_the_fields_it_is_kept_under() -> None:
    """What ``_teaser_head.html`` reads of its article ``a`` (attributes, and ``a|blurb``,
    which reads ``lead``) is in ``TEASER_FIELDS``: a field it showed but was not kept
    under would show stale text after the article changed."""
    env = make_templates()
    source = env.loader.get_source(env, "_teaser_head.html")[0]  # type: ignore[union-attr]
    tree = env.parse(source)
    read = {
        node.attr
        for node in tree.find_all(nodes.Getattr)
        if isinstance(node.node, nodes.Name) and node.node.name == "a"
    }
    whole = {
        node.name
        for node in tree.find_all(nodes.Filter)
        if isinstance(node.node, nodes.Name) and node.node.name == "a"
    }
    assert read and read <= set(TEASER_FIELDS)
    assert whole == {"blurb"}  # blurb(a) of a teaser reads a.lead, a kept field
    names = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"} - {"a", "line"}
    assert not names, f"the teaser head reads {names}: it would differ between readers"


def test_every_printed_value_loses_its_bidi_controls() -> None:
    env = make_templates()
    for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]:
        evil = f"Évil{chr(code)} News"
        page = env.from_string("{{ s }}|{{ m }}|{{ n }}").render(s=evil, m=Markup(evil), n=7)
        assert page == "Évil News|Évil News|7", hex(code)
    assert env.from_string("{{ s }}").render(s="plain <ascii>") == "plain &lt;ascii&gt;"


def _rendered(snippet: str, context: dict[str, Any]) -> str:
    return make_templates().from_string(snippet).render(**context)


def _jinjas(snippet: str, context: dict[str, Any], **options: Any) -> str:
    """What Jinja's own environment renders (autoescaped, as ours)."""
    return Environment(autoescape=True, **options).from_string(snippet).render(**context)


class _Both(dict):  # a dict subclass: Jinja's own lookup, attribute first
    colour = "attribute"


ATTRIBUTE_SNIPPETS = [
    "{{ d.name }}",  # a key
    "{{ d.missing is undefined }}",  # neither key nor attribute
    "{{ d.items is callable }}|{{ d.get('name') }}",  # keys named like dict's methods
    "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}",
    "{{ d.keys is callable }}|{{ d['keys'] }}|{{ d.__class__ is defined }}",
    "{{ sub.colour }}|{{ sub.name }}",
    "{{ obj.real }}|{{ obj.nothing is undefined }}",
]


@pytest.mark.parametrize("snippet", ATTRIBUTE_SNIPPETS)
def test_attribute_lookups_mean_what_jinjas_mean(snippet: str) -> None:
    """``a.b`` on a plain dict takes its key at once; a key named like one of dict's own
    attributes (``items``, ``get``) still gives the attribute, as in Jinja."""
    values = {"name": "Le Monde", "items": "a key", "get": "another", "keys": 3, "colour": "k"}
    context = {"d": values, "sub": _Both(values), "obj": 2.5}
    assert _rendered(snippet, context) == _jinjas(snippet, context)


@pass_context
def _page_name(context: Any, suffix: str = "") -> str:
    return str(context.get("name")) + suffix


@pass_environment
def _autoescaping(environment: Any) -> str:
    return "an environment" if isinstance(environment, Environment) else "not one"


class _Callable:
    @pass_context
    def __call__(self, context: Any) -> str:
        return "called with " + str(context.get("name"))


def _exhausted() -> str:
    raise StopIteration


CALL_SNIPPETS = [
    "{{ plain('<b>', n=2) }}",
    "{% for x in [1, 2] %}{{ plain(x) }}{% endfor %}",  # the loop's variables not passed on
    "{{ page_name(':') }}|{% for name in ['in a loop'] %}{{ page_name() }}{% endfor %}",
    "{{ autoescaping() }}|{{ obj() }}",
    "{{ exhausted() is undefined }}",
]


@pytest.mark.parametrize("snippet", CALL_SNIPPETS)
def test_calls_mean_what_jinjas_mean(snippet: str) -> None:
    """A plain function is called at once; one that asks for the context, the environment
    (or a callable object whose ``__call__`` asks) still gets it, as in Jinja."""
    context = {
        "plain": lambda x, n=1: f"{x}×{n}",
        "page_name": _page_name,
        "autoescaping": _autoescaping,
        "obj": _Callable(),
        "exhausted": _exhausted,
        "name": "Le Monde",
    }
    assert _rendered(snippet, context) == _jinjas(snippet, context)


class _Html:
    def __html__(self) -> str:
        return "<i>already safe</i>"


class _Text(str):  # a str subclass without __html__: escaped as its str()
    pass


PRINT_SNIPPETS = [
    "{{ s }}|{{ m }}|{{ n }}|{{ none }}|{{ h }}|{{ sub }}|{{ bidi }}",
    "{{ s|e }}|{{ s|safe }}|{{ s ~ m }}|{{ m ~ s }}|{{ s|upper }}",
    "{% macro b(x) %}<b>{{ x }}</b>{% endmacro %}{{ b(s) }}|{{ b(s)|length }}|{{ b(s)|e }}",
    "{% set t %}{{ s }}{{ m }}{% endset %}{{ t }}|{{ t|upper }}|{{ t|e }}",
    "{% macro w() %}[{{ caller() }}]{% endmacro %}{% call w() %}{{ s }}{% endcall %}",
    "{% autoescape false %}{{ s }}|{{ bidi }}{% endautoescape %}|{{ s }}",
    "{% for x in [s, m, n] %}{{ x }}{{ loop.index }}{% endfor %}",
]


@pytest.mark.parametrize("snippet", PRINT_SNIPPETS)
def test_printed_values_mean_what_jinjas_mean(snippet: str) -> None:
    """A printed value is escaped to a plain string, not a ``Markup`` (``printed``): the
    same characters as Jinja's ``escape(finalize(value))`` in every place a value is printed
    (the page, a macro, a ``{% set %}`` block, a caller, an ``{% autoescape %}`` block)."""
    context = {
        "s": '<a href="x">O\'Brien & co</a>',
        "m": Markup("<b>bold</b>"),
        "n": 3.5,
        "none": None,
        "h": _Html(),
        "sub": _Text("<sub>"),
        "bidi": "Év\u202eil <x>",
    }
    assert _rendered(snippet, context) == _jinjas(snippet, context, finalize=without_bidi_controls)
