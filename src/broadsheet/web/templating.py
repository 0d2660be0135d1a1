"""The pages' Jinja environment, made once per app, and what keeps rendering cheap.

- The templates are the package's: read and compiled once (``auto_reload=False``; they
  change only with a release). ``make_templates(reload=True)`` checks their files on
  every use, for someone editing them while the site runs.
- ``_()``, ``gettext``, ``ngettext``, ``pgettext`` (and so ``{% trans %}``) keep Jinja's
  "newstyle" meaning (the translation is Markup, its variables are escaped, ``%`` is
  applied even without variables) without Jinja's two context calls per string; a string
  without variables is translated and formatted once per language.
- Every printed value loses the bidi controls it carries (``finalize``).
- ``teaser_head(a)`` is ``_teaser_head.html`` for article ``a``, rendered once per
  version of what it shows and then reused (the list pages show the same teasers to
  every reader; rendering them was most of a list page's work).
"""

from __future__ import annotations

from pathlib import Path
from types import FunctionType
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2.compiler import CodeGenerator, Frame
from jinja2.nodes import Expr
from jinja2.runtime import Context
from markupsafe import Markup, _escape_inner

from broadsheet.web import i18n, pages
from broadsheet.web.page_cache import Kept

TEMPLATES = Path(__file__).parent / "templates"

_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_BIDI_CONTROLS = dict.fromkeys(_BIDI)
_BIDI_CHARS = tuple(map(chr, _BIDI))


def without_bidi_controls(value: object) -> object:
    """Every value a template prints loses the bidi embeddings, overrides and isolates it
    carries: stored text from before ingest dropped them (or from anywhere else) cannot
    reverse the page around it. Markup stays Markup. (Called for every printed value: an
    ASCII string is passed at once, and nine substring searches cost a quarter of one
    regular-expression search over a long non-ASCII string.)"""
    if isinstance(value, str) and not value.isascii():
        for char in _BIDI_CHARS:
            if char in value:
                cleaned = str.translate(value, _BIDI_CONTROLS)
                return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


class Rendered:
    """HTML this environment rendered (so every value in it was printed through
    ``without_bidi_controls`` already): printed as it is (``__html__``), and not a string,
    so ``finalize`` does not search it again and nothing can be glued to it unescaped."""

    __slots__ = ("html",)

    def __init__(self, html: str) -> None:
        self.html = html

    def __html__(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


# --- attribute lookups -----------------------------------------------------------------------
_DICT_ATTRIBUTES = frozenset(dir(dict))


class PageContext(Context):
    """Jinja's context with a faster call of a plain function (``_("…")``, ``absdate(…)``,
    ``reltime(…)``: ~320 calls a story page): Jinja asks the callable and its ``__call__``
    whether they want the context, with two failing ``hasattr`` each time (~1.5 µs a call).
    A plain function wants it only if it carries ``jinja_pass_arg`` (``pass_context`` and
    its kin set it in the function's ``__dict__``); the rest goes Jinja's way."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's)
        if type(__obj) is not FunctionType or "jinja_pass_arg" in __obj.__dict__:
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


def printed(value: object) -> str:
    """What ``{{ value }}`` prints: Jinja's ``escape(finalize(value))`` as a plain string.
    Jinja makes a ``Markup`` of every printed value (~1,000 a story page, ~1 µs each) only
    to join it into the page: the same characters, without the ``Markup``. (markupsafe's
    ``escape``, step by step: a ``str`` escaped, else its ``__html__``, else ``str()`` of it
    escaped.)"""
    if type(value) is str:  # most values: ``without_bidi_controls`` inlined
        return _escape_inner(value if value.isascii() else str(without_bidi_controls(value)))
    value = without_bidi_controls(value)
    if hasattr(value, "__html__"):
        return value.__html__()  # type: ignore[no-any-return]
    return _escape_inner(str(value))


class PageCodeGenerator(CodeGenerator):
    """Jinja's compiler, printing a value with ``printed`` instead of ``escape(finalize(…))``
    where the template autoescapes (all ours do; an ``{% autoescape %}`` block keeps Jinja's
    way). A printed value is only ever joined into the output (the page, a macro's or a
    ``{% set %}`` block's text, which Jinja makes ``Markup`` of as before)."""

    def _printed_here(self, frame: Frame, finalize: Any) -> bool:
        return bool(
            frame.eval_ctx.autoescape
            and not frame.eval_ctx.volatile
            and finalize.src == "environment.finalize("
        )

    def _output_child_pre(self, node: Expr, frame: Frame, finalize: Any) -> None:
        if self._printed_here(frame, finalize):
            self.write("environment.printed(")
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: Expr, frame: Frame, finalize: Any) -> None:
        if self._printed_here(frame, finalize):
            self.write(")")
        else:
            super()._output_child_post(node, frame, finalize)


class PageEnvironment(Environment):
    """Jinja's environment with a faster ``a.b`` on a plain dict (stored digests, folded
    story items, events are dicts): Jinja tries the attribute first and takes the key
    after catching the AttributeError, some 1.5 µs a lookup; a story page made ~400 such
    lookups. The same result: a dict has no attribute but its type's (``dir(dict)``), so
    for any other name the attribute lookup could only fail."""

    context_class = PageContext
    code_generator_class = PageCodeGenerator
    printed = staticmethod(printed)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        try:  # Jinja's own lookup (Environment.getattr), without a super() call
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


# --- translations in templates -------------------------------------------------------------
PLAIN_KEPT = 8192  # (language, message) pairs kept translated; the templates have ~1,000

_plain: dict[tuple[str, str], Markup] = {}


def gettext(message: str, **variables: Any) -> Markup:
    """``_("...")`` in a template: Jinja's newstyle gettext under autoescape (all our
    templates autoescape), its result for a message without variables kept per language."""
    lang = i18n.current_language()
    if variables:
        return Markup(i18n.catalog(lang).gettext(message)) % variables
    key = (lang, message)
    found = _plain.get(key)
    if found is None:
        found = Markup(i18n.catalog(lang).gettext(message)) % {}
        if len(_plain) < PLAIN_KEPT:  # messages are the templates' (and a few names)
            _plain[key] = found
    return found


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> Markup:
    variables.setdefault("num", num)
    return Markup(i18n.catalog(i18n.current_language()).ngettext(singular, plural, num)) % variables


def pgettext(context: str, message: str, **variables: Any) -> Markup:
    variables.setdefault("context", context)
    return Markup(i18n.catalog(i18n.current_language()).pgettext(context, message)) % variables


# --- teasers -------------------------------------------------------------------------------
TEASER_FIELDS = ("id", "source_id", "source_name", "source_has_icon", "title", "language", "lead")
TEASERS_KEPT = 4096  # teaser heads kept per app (a few hundred bytes each)


def teaser_head(env: Environment, kept: Kept[Rendered]) -> Any:
    """The ``teaser_head(a)`` of the templates: ``_teaser_head.html`` rendered for article
    teaser ``a``, kept under every field the template shows (``TEASER_FIELDS``), so an
    article whose title, outlet or lead changes gets a new one. It prints no interface
    string and no time, so it is the same for every reader and language."""

    def head(a: Any) -> Rendered:
        key = tuple(getattr(a, name) for name in TEASER_FIELDS)
        found = kept.get(key)
        if found is None:
            found = Rendered(env.get_template("_teaser_head.html").render(a=a))
            kept.put(key, found)
        return found

    return head


def make_templates(reload: bool = False) -> Environment:
    """The Jinja environment: autoescaped; ``|safe`` appears once, on sanitized bodies."""
    env = PageEnvironment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
        finalize=without_bidi_controls,
        auto_reload=reload,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, pgettext=i18n.pgettext, newstyle=True
    )
    # the same meaning, cheaper (see the module's docstring); ``_`` called Jinja's gettext
    env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext, pgettext=pgettext)
    env.globals["languages"] = i18n.LANGUAGES
    env.globals["site_name"] = "Broadsheet"
    env.globals["teaser_head"] = teaser_head(env, Kept(TEASERS_KEPT))
    env.filters["iso_datetime"] = i18n.iso_datetime
    env.filters["number"] = i18n.format_number
    env.filters.update(pages.FILTERS)
    return env
