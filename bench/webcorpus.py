"""Real text for the web benchmark's synthetic articles, read at run time from the data sets.

``load(datasets)`` reads (nothing is copied anywhere; everything stays in memory):
- summarization-cnndm/: 125 CNN / Daily Mail stories (English);
- news-clustering-ecbplus/: 982 ECB+ news documents (English);
- ner-conll2003/: 3,250 Reuters sentences (English), and their gold names (PER, ORG, LOC,
  MISC), which become the benchmark's entity names;
- trafilatura-eval/: 990 web pages, mostly German, also EN/FR/PL and others: the text of
  their ``<p>`` elements, the language detected by the understanding stage's detector;
- news-html-newspaper4k/txt/: 28 article texts in many scripts (Arabic, Chinese, Thai...).

``load_jsonl(path)`` reads an invented corpus in the same shape (one document a line:
``{"lang": "en", "title": "...", "sentences": ["...", ...]}``), for the tests.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“‘(]?[A-ZÀ-ÖØ-Þ0-9])|(?<=[。！？])")
_SPACES = re.compile(r"\s+")
_CAPITALISED = re.compile(r"\b[A-Z][a-zà-ÿ]+(?:\s+[A-Z][a-zà-ÿ]+){0,2}")
_JUNK = re.compile(r"[{}<>]|https?://")  # style sheets, markup, links
MIN_SENTENCE, MAX_SENTENCE = 25, 600


@dataclass
class Doc:
    lang: str
    title: str
    sentences: list[str]


@dataclass
class Corpus:
    docs: list[Doc]
    names: list[tuple[str, str]] = field(default_factory=list)  # (spaCy-style label, name)

    def languages(self) -> Counter[str]:
        return Counter(d.lang for d in self.docs)


def sentences(text: str) -> list[str]:
    out = []
    for para in re.split(r"\n\s*\n|\n", text):
        for s in _SENTENCE_END.split(_SPACES.sub(" ", para).strip()):
            s = s.strip()
            if MIN_SENTENCE <= len(s) <= MAX_SENTENCE and not _JUNK.search(s):
                out.append(s)
    return out


def _doc(lang: str, title: str, text: str) -> Doc | None:
    found = sentences(text)
    title = _SPACES.sub(" ", title).strip()
    if not title and found:
        title = found.pop(0)
    if len(found) < 2 or not title:
        return None
    return Doc(lang, title[:200], found)


def _cnndm(root: Path) -> list[Doc]:
    docs = []
    for path in sorted(root.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            text = d.get("article") or ""
            if (doc := _doc("en", "", text)) is not None:
                docs.append(doc)
    return docs


def _ecb(root: Path) -> list[Doc]:
    docs = []
    with open(root / "gold_clusters.tsv", encoding="utf-8") as f:
        reader = csv.reader(f, delimiter="\t")
        next(reader)
        for path, *_rest in reader:
            d = json.loads((root / path).read_text(encoding="utf-8"))
            if (doc := _doc("en", d.get("title") or "", d.get("text") or "")) is not None:
                docs.append(doc)
    return docs


_CONLL_LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "GPE", "MISC": "NORP"}


def _conll(root: Path) -> tuple[list[Doc], list[tuple[str, str]]]:
    docs: list[Doc] = []
    names: dict[tuple[str, str], None] = {}
    lines: list[str] = []
    words: list[str] = []
    span: list[str] = []
    label = ""

    def close_span() -> None:
        nonlocal span
        if span:
            names[(_CONLL_LABELS[label], " ".join(span))] = None
        span = []

    def close_doc() -> None:
        if len(lines) > 2:
            title, *rest = lines
            docs.append(Doc("en", title.title() if title.isupper() else title, rest))
        lines.clear()

    for path in sorted(root.glob("*.txt")):
        for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
            parts = raw.split()
            if not parts:  # end of a sentence
                close_span()
                text = _detok(words)
                if MIN_SENTENCE <= len(text) <= MAX_SENTENCE:
                    lines.append(text)
                words = []
                continue
            if parts[0] == "-DOCSTART-":
                close_doc()
                continue
            words.append(parts[0])
            tag = parts[-1]
            if tag.startswith("B-") or (tag.startswith("I-") and tag[2:] != label):
                close_span()
                label = tag[2:]
                span = [parts[0]]
            elif tag.startswith("I-"):
                span.append(parts[0])
            else:
                close_span()
        close_doc()
    return docs, list(names)


def _detok(words: list[str]) -> str:
    text = " ".join(words)
    return re.sub(r" ([.,;:!?%)'])|([($]) ", r"\1\2", text)


def _trafilatura(root: Path) -> list[Doc]:
    from lxml import html as lxml_html

    from broadsheet.understand.language import detect_language

    evaldata = json.loads((root / "evaldata.json").read_text(encoding="utf-8"))
    docs = []
    for entry in evaldata.values():
        path = next(
            (p for p in (root / "html" / d / f"{entry['file']}.gz" for d in ("eval", "cache"))
             if p.exists()),
            None,
        )  # fmt: skip
        if path is None:
            continue
        raw = gzip.decompress(path.read_bytes())
        try:
            raw.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
        try:
            tree = lxml_html.fromstring(raw, parser=lxml_html.HTMLParser(encoding=encoding))
        except (ValueError, OSError):  # lxml's parser errors are ValueError subclasses
            continue
        paragraphs = [" ".join(p.text_content().split()) for p in tree.iter("p")]
        text = "\n".join(p for p in paragraphs if len(p) >= 60)
        title = entry.get("title") or (tree.findtext(".//title") or "")
        lang = detect_language(text).code
        if lang and (doc := _doc(lang, title, text)) is not None:
            docs.append(doc)
    return docs


def _newspaper4k(root: Path) -> list[Doc]:
    from broadsheet.understand.language import detect_language

    docs = []
    for path in sorted((root / "txt").glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        lang = detect_language(text).code
        if lang and (doc := _doc(lang, "", text)) is not None:
            docs.append(doc)
    return docs


def load(datasets: Path) -> Corpus:
    """Every document the data sets under ``datasets`` hold (missing folders are skipped)."""
    docs: list[Doc] = []
    names: list[tuple[str, str]] = []
    readers = {
        "summarization-cnndm": _cnndm,
        "news-clustering-ecbplus": _ecb,
        "trafilatura-eval": _trafilatura,
        "news-html-newspaper4k": _newspaper4k,
    }
    for folder, read in readers.items():
        if (datasets / folder).is_dir():
            docs.extend(read(datasets / folder))
    if (datasets / "ner-conll2003").is_dir():
        more, names = _conll(datasets / "ner-conll2003")
        docs.extend(more)
    return Corpus(docs, names or guess_names(docs))


def load_jsonl(path: Path) -> Corpus:
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            docs.append(Doc(d["lang"], d["title"], list(d["sentences"])))
    return Corpus(docs, guess_names(docs))


def guess_names(docs: list[Doc]) -> list[tuple[str, str]]:
    """Capitalised runs of words as stand-in names, when no gold names are at hand."""
    found: Counter[str] = Counter()
    for d in docs:
        for s in d.sentences:
            found.update(m.group(0) for m in _CAPITALISED.finditer(s) if m.start() > 0)
    labels = ("PERSON", "ORG", "GPE", "NORP")
    return [(labels[i % 4], name) for i, (name, _n) in enumerate(found.most_common(5000))]
