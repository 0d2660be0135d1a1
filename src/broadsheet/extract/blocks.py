"""Article bodies as blocks (paragraph, heading, list item, quote) and their rendering.

Blocks come from trafilatura's XML body or from a feed entry's HTML; they render to plain
text (paragraphs separated by blank lines) and to minimal sanitized HTML, so the two
always carry the same paragraphs.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from broadsheet.extract.sanitize import clean_paragraph, clean_text, sanitize_html
from broadsheet.models import FeedEntry

HEADINGS = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
_FEED_BLOCK_TAGS = ("p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
                    "pre", "tr", "section", "article", "figcaption", "dd", "dt")  # fmt: skip


@dataclass
class Block:
    kind: str  # p | h2 | h3 | h4 | li | blockquote
    text: str


def xml_blocks(body: etree._Element | None) -> list[Block]:
    """trafilatura's XML body (p, head, list/item, quote, ...) -> blocks."""
    blocks: list[Block] = []
    if body is None:
        return blocks
    for lb in body.iter("lb"):
        lb.tail = "\n" + (lb.tail or "")
    for el in body:
        tag = el.tag
        if tag == "list":
            items = (clean_paragraph("".join(item.itertext())) for item in el.iter("item"))
            blocks.extend(Block("li", text) for text in items if text)
            continue
        if tag == "table":
            text = _table_text(el)
            if text:
                blocks.append(Block("p", text))
            continue
        text = clean_paragraph("".join(el.itertext()))
        if not text:
            continue
        if tag == "head":
            blocks.append(Block(HEADINGS.get(str(el.get("rend", "h2")), "h2"), clean_text(text)))
        else:
            blocks.append(Block("blockquote" if tag == "quote" else "p", text))
    return blocks


def _table_text(table: etree._Element) -> str:
    """One line per row, cells separated by " | " (never glued together)."""
    rows: list[str] = []
    for row in table.iter("row", "tr"):
        cells = [clean_text("".join(c.itertext())) for c in row.iter("cell", "td", "th")]
        cells = [c for c in cells if c]
        if cells:
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def feed_blocks(entry: FeedEntry | None) -> list[Block]:
    """The feed's content (or summary), HTML or text, as paragraph blocks."""
    raw = entry and (entry.content or entry.summary)
    if not raw or not raw.strip():
        return []
    return fragment_blocks(raw)


def fragment_blocks(raw: str) -> list[Block]:
    """An HTML fragment (or plain text) as paragraph blocks."""
    if not raw or not raw.strip():
        return []
    try:
        root = lxml_html.fragment_fromstring(raw, create_parent="div")
    except (etree.ParserError, ValueError):
        return [Block("p", text) for text in [clean_paragraph(raw)] if text]
    return element_blocks(root)


def element_blocks(root: etree._Element) -> list[Block]:
    """Any HTML element's text as paragraph blocks (block-level elements split it)."""
    etree.strip_elements(root, "script", "style", "noscript", "template", "iframe", "svg",
                         "math", "form", "object", with_tail=False)  # fmt: skip
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for el in root.iter(*_FEED_BLOCK_TAGS):
        el.text = "\n\n" + (el.text or "")
        el.tail = "\n\n" + (el.tail or "")
    paragraphs = re.split(r"\n\s*\n", root.text_content())
    return [Block("p", text) for text in map(clean_paragraph, paragraphs) if text]


def render(blocks: list[Block]) -> tuple[str, str]:
    """Blocks -> (text with blank lines between paragraphs, minimal sanitized HTML)."""
    parts: list[str] = []
    in_list = False
    for block in blocks:
        if block.kind == "li" and not in_list:
            parts.append("<ul>")
        elif block.kind != "li" and in_list:
            parts.append("</ul>")
        in_list = block.kind == "li"
        inner = "<br>".join(html_lib.escape(line, quote=False) for line in block.text.split("\n"))
        tag = block.kind
        parts.append(f"<blockquote><p>{inner}</p></blockquote>" if tag == "blockquote"
                     else f"<{tag}>{inner}</{tag}>")  # fmt: skip
    if in_list:
        parts.append("</ul>")
    text = "\n\n".join(block.text for block in blocks)
    return text, sanitize_html("".join(parts))


_STORED_KINDS = {
    "p": "p",
    "h2": "h2",
    "h3": "h3",
    "h4": "h4",
    "li": "li",
    "blockquote": "blockquote",
}


def html_blocks(body_html: str) -> list[Block]:
    """The blocks back from HTML that :func:`render` made (to re-clean a stored body)."""
    if not body_html or not body_html.strip():
        return []
    root = lxml_html.fragment_fromstring(body_html, create_parent="div")
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    blocks: list[Block] = []
    for el in root.iter(*_STORED_KINDS):
        if el.tag == "p" and el.getparent() is not None and el.getparent().tag == "blockquote":
            continue
        text = clean_paragraph(el.text_content())
        if text:
            kind = _STORED_KINDS[el.tag]
            blocks.append(Block(kind, clean_text(text) if kind in HEADINGS else text))
    return blocks
