"""Page-level cleanup of an extracted body: what no single paragraph betrays on its own.

Three passes over the blocks trafilatura (or another strategy) kept, in order:

* ``drop_headline``: the headline (and a byline, a lone date, a kicker) repeated at the top
  of the body is removed, so the title is shown exactly once;
* ``cut_tail``: a short block that opens an end-of-article section ("Related articles",
  "Das könnte Sie auch interessieren", "À lire aussi", "Comments", a paywall prompt) in the
  second half of the body ends the article: it and everything after it go;
* ``drop_metadata_lines``: blocks that are only a date, a time, a category label, an image
  credit, a figure's caption or a loading placeholder, and blocks where the outlet talks
  to its reader (a promotion, an appeal, a disclosure, a pointer to a link:
  ``appeals.py``) are metadata or furniture, not article text.

All patterns are anchored on whole (short) blocks, in the languages Broadsheet's default
sources use; a long paragraph is never dropped for what it starts with.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from broadsheet.extract.appeals import is_link_pointer, is_reader_appeal
from broadsheet.extract.blocks import Block
from broadsheet.extract.canonical import normalize_for_hash

# A block that opens an end-of-article section is short...
MAX_MARKER_CHARS = 90
# ...and comes after at least this share of the body's text.
TAIL_START_SHARE = 0.4
MIN_TEXT_BEFORE_TAIL = 300
MAX_METADATA_LINE_CHARS = 120
# After an inline marker, a paragraph this long means the article goes on.
RESUME_CHARS = 400

_END = (
    # English
    r"related( articles?| stories| posts?| content| coverage| topics| reading| news| links)?",
    r"(read|see|watch) (more|also|next|this next)( on this( topic| story)?| about this)?",
    r"more (from|on|in|about) .{1,40}",
    r"more (stories|articles|news|to read|to explore)( from .{1,40})?",
    r"(you|we think you) (may|might|could|will) (also )?(like|enjoy|be interested in)"
    r"( this| these)?",
    r"recommended( for you| articles| stories| reading| videos?)?",
    r"(most|the most) (popular|read|viewed|shared|commented)( articles| stories| now| this week)?",
    r"(popular|trending)( now| stories| articles| on .{1,30})?",
    r"(latest|top) (news|stories|articles|headlines)",
    r"(\d+ )?(comments?|responses?|replies)( \(\d+\))?",
    r"(media |press )?contacts?( us)?|sources?|references|tags|topics",
    r"(leave|post|add|write) a (comment|reply)( cancel reply)?",
    r"join the (conversation|discussion)",
    r"about the authors?",
    r"while you('| a)re here.{0,3}",
    r"(look at|see) other dictionaries",
    r"(previous|next) (post|article|story)",
    r"also (read|see|on .{1,30})",
    r"don'?t miss",
    r"in other news",
    r"(subscribe|sign up|register) (to|for) (continue|read|unlock|access|our|the) .{0,60}",
    # German
    r"(das|dies|diese[rs]?)( thema| artikel| beitrag)? (könnte|könnten) (dich|sie|euch)"
    r" (auch|ebenfalls|außerdem) interessieren",
    r"(auch|ebenfalls) interessant",
    r"(lesen|sehen|hören) sie (auch|mehr|weiter)",
    r"siehe auch",
    r"(mehr|weiteres) (zum|zu diesem) thema( auf .{1,30})?",
    r"weitere (themen|artikel|beiträge|nachrichten|meldungen|news|videos|tourentipps|"
    r"rezepte|links)( zum thema| (aus|in|zu|zum|zur|von|über|rund um) .{1,30})?",
    r"mehr (themen|artikel|beiträge|nachrichten|news)( .{1,30})?",
    r"(auch|mehr) (auf|bei) [\w.-]{2,30}",
    r"(meist)?kommentierte (artikel|beiträge)",
    # (WordPress's reply form heading carries its "cancel reply" link in every language)
    r"(schreibe|schreiben sie|hinterlasse|hinterlassen sie) (einen|ein) (kommentar|antwort)"
    r"( antworten abbrechen)?",
    r"original ?publikation(en)?|originalveröffentlichung|original publication",
    r"(ähnliche|empfohlene|verwandte|passende|beliebte|neueste) (beiträge|artikel|themen|"
    r"nachrichten|rezepte)",
    r"(keine |\d+ )?kommentare?( \(\d+\))?( insgesamt:? \d+)?",
    r"(presse)?kontakt|ansprechpartner(in)?( zum thema| für die presse)?|zusatzinformationen|"
    r"quellen(angaben)?|weitere informationen( (zum|zur|zu|über) .{1,50})?|"
    r"über diese (reihe|serie)|themen|schlagworte",
    r"(\#\d+ )?kommentar von .{1,60}",
    r"kommentare? (schreiben|verfassen|hinzufügen|werden geladen.*)",
    r"(meistgelesen|meist ?gelesen|meistkommentiert|meist-diskutiert|top-?artikel)\w*",
    r"(über|zum|zur) (den |die )?autor(in|en)?",
    r"vorschau auf den nächsten artikel",
    r"(das|diese) (könnte|dürfte) (dich|sie) auch interessieren",
    r"(zum )?weiterlesen",
    r"empfehlungen( der redaktion)?",
    r"schon gelesen",
    r"lesen sie (auch )?(die folgenden|diese) (beiträge|artikel)",
    r"top-?themen( bei .{1,30})?",
    r"weitere aktuelle (themen|artikel|nachrichten)( .{1,40})?",
    r"beiträge aus dem forum",
    # French
    r"(à |a )?lire (aussi|également|ensuite)",
    r"(à |a )?voir (aussi|également)",
    r"sur le même (sujet|thème)",
    r"dans la même rubrique",
    r"(vous )?(aimerez|pourriez aimer|aimeriez) (aussi|également).{0,30}",
    r"(articles?|contenus?) (similaires|liés|associés|recommandés)",
    r"(les )?plus (lus|partagés|commentés)",
    r"(\d+ )?commentaires?",
    r"laisser un commentaire( annuler la réponse)?",
    r"pour (lire|accéder|continuer) .{0,80}",
    # Spanish / Portuguese / Italian
    r"(te|le|les) (puede|podría) (interesar|gustar)",
    r"(también )?(te|le) (puede|podría) interesar",
    r"(lea|lee|leia|leggi) (también|también:|tambem|também|anche|mais)",
    r"(noticias|artículos|notícias|artigos|articoli|notizie) (relacionad[oa]s|correlat[ie]|"
    r"recomendad[oa]s|simili)",
    r"(lo )?más (leído|visto|leídas)|mais lidas|(i )?più letti",
    r"(notas|noticias|contenido|artículos) relacionad[oa]s?",
    r"más (sobre|noticias|información) .{0,40}",
    r"(\d+ )?(comentarios|comentários|commenti)",
    r"temas|etiquetas|contacto|fuentes",
    r"potrebbe interessarti( anche)?",
    r"deja (una|un) (respuesta|comentario)( cancelar (la )?respuesta)?",
    r"lascia un commento( annulla risposta)?",
    # Polish / Dutch / Scandinavian / Finnish
    r"(czytaj|zobacz) (też|także|również|więcej)",
    r"(polecamy|podobne artykuły|najczęściej czytane|komentarze)",
    r"(lees|bekijk) (ook|meer)|gerelateerde (artikelen|berichten)|(\d+ )?reacties",
    r"(läs|les) (också|også|mer)|relaterade artiklar|relaterte artikler",
    r"lue (aiheesta )?(lisää|myös)",
)
_END_RE = re.compile(
    r"^[\s#*•·»>|:.\-–—\[(]*(?:" + "|".join(_END) + r")[\s:.…!?»>\-–—)\]]*$",
    re.IGNORECASE | re.UNICODE,
)

_MONTHS = (
    r"jan(uary|uar|vier|eiro)?|feb(ruary|ruar|rero)?|févr(ier)?|mar(ch|s|zo|ço)?|märz|"
    r"apr(il|ile)?|avr(il)?|abr(il)?|may(o)?|mai|maggio|jun(e|i|io|ho)?|juin|giugno|"
    r"jul(y|i|io|ho)?|juil(let)?|luglio|aug(ust)?|août|ago(sto)?|sep(t|tember|tembre|"
    r"tiembre|tembro)?|set(tembre)?|o[ck]t(ober|obre|ubre)?|nov(ember|embre|iembre|embro)?|"
    r"de[cz](ember|embre|iembre|embro)?|déc(embre)?|dic(iembre|embre)?|"
    r"stycz\w*|lut\w*|mar\w*|kwie\w*|maj\w*|czer\w*|lip\w*|sierp\w*|wrze\w*|paźdz\w*|"
    r"listop\w*|grud\w*"
)
_WEEKDAYS = (
    r"mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|"
    r"vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo"
)
_DATE_PREFIX = (
    r"(published|posted|updated|last updated|last modified|modified|date|veröffentlicht|"
    r"erschienen|aktualisiert|zuletzt aktualisiert|letzte änderung|stand|datum|publié|"
    r"mis à jour|publicado|actualizado|pubblicato|aggiornato|opublikowano)( on| am| le| el| il)?"
)
_DATE_ONLY = re.compile(
    rf"^({_DATE_PREFIX}\s*:?\s*)?(({_WEEKDAYS})\.?,?\s+)?"
    r"(\d{1,2}[./-]\s?\d{1,2}[./-]\s?\d{2,4}|\d{4}-\d{2}-\d{2}|"
    rf"\d{{1,2}}\.?\s+({_MONTHS})\.?,?\s+\d{{4}}|({_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}|"
    rf"\d{{1,2}}\s+de\s+({_MONTHS})\s+de\s+\d{{4}}|({_MONTHS})\s+\d{{1,2}}|\d{{1,2}}:\d{{2}})"
    r"(\s*(,|-|–|um|at|à|a las|\|)?\s*\d{1,2}[:.h]\d{2}(\s*(uhr|am|pm|h))?)?"
    r"(\s*\|\s*[\w .-]{1,30})?\s*\.?$",
    re.IGNORECASE | re.UNICODE,
)
_METADATA_LINE = re.compile(
    r"^("
    r"(kategorie|category|categories|rubrik|ressort|catégorie|categoría|tags?|schlagwörter|"
    r"schlagworte|stichwörter|themen|mots-clés|etiquetas)\s*:.{0,100}"
    r"|(foto|fotos|photo|photos|bild|bilder|image|images|credit|credits|crédits?( photos?)?|"
    r"bildquelle|titelbild|beitragsbild|headerbild|quelle bild|copyright bild|"
    r"image illustrative|illustration)\s*:.{0,100}"
    r"|\(?(credit|photo|foto|bild|image)s?\s*:[^)]{0,100}\)?"
    r"|image illustrative|illustration"
    r"|bild (anzeigen|schließen|vergrößern)(\s+bild (anzeigen|schließen|vergrößern))*"
    r"|(wird|werden) geladen.{0,5}|loading.{0,5}|chargement.{0,5}|cargando.{0,5}"
    r"|(\*|\()?(anzeige|werbung|advertorial|sponsored|publicidad)\b.{0,140}"
    r"|.{0,60}\b(enthält|contains) (affiliate|werbe)[- ]?links?\b.{0,80}"
    r"|(weiter|mehr) (lesen|erfahren)|read more|lire la suite|leer más|\.{3} ?weiter.{0,60}"
    r"|(\d+|eins|zwei) von \d+"
    r"|inhaltsverzeichnis|table of contents|contents|sommaire|índice|spis treści"
    r"|(das )?video (ist )?(verfügbar|abrufbar) bis .{1,30}|video available until .{1,30}"
    r"|(bild|foto|photo|copyright|quelle foto|bildnachweis)\s*:\s*.{1,160}|fot\.\s.{1,160}"
    r"|.{0,160}(\s|^)(©|\(c\)|\((foto|photo|fot\.|bild|image|credit)s?:?[^)]{1,80}\)\.?)"
    r"[^.!?]{0,80}"
    r")$",
    re.IGNORECASE | re.UNICODE | re.DOTALL,
)


# "Read also: <another headline>" inside the body: the label and its link go.
_CROSS_LINK = re.compile(
    r"^[\s>»•*\-–—]*(read (also|more|next)|see also|also read|related|more on this|watch|"
    r"(lesen|sehen) sie (auch|hier|mehr)|auch lesen|mehr (dazu|zum thema)|siehe auch|"
    r"(à )?lire (aussi|également)|voir aussi|"
    r"lea( también| más)?|lee (también|más)|le puede interesar|te puede interesar|"
    r"puedes ver|vea también|ver también|mira|mire|leia (também|mais)|veja (também|mais)|"
    r"leggi (anche)?|czytaj (też|także|również|więcej)|zobacz (też|także|również)|"
    r"dowiedz się więcej|lees ook|lue (myös|lisää))\s*[:»>|\-–—]\s*.{3,200}$",
    re.IGNORECASE | re.UNICODE | re.DOTALL,
)
# Calls to action: subscribe, follow, download the app, donate, log in. A block of at
# most CTA_MAX_CHARS with two or more of these is a promotion box, not reporting.
CTA_MAX_CHARS = 320
_CTA = re.compile(
    r"\b(subscrib\w*|newsletters?|sign(ing)? up|log ?in|follow (us|(\w+ ){1,3}on)|"
    r"download (the|our)|apps? (for|on) (ios|android)|telegram|whatsapp|instagram|facebook|twitter|"
    r"donat\w+|support (us|our)|inbox|e-?mail (address|alerts?)|paywall|logged in|"
    r"eingeloggt|kommentare? (zu )?schreiben|"
    r"abonn\w*|anmeld\w*|registrier\w*|folge[nt]? (sie |du )?uns|posteingang|"
    r"unterstütz\w* (uns|unsere)|spende\w*|herunterladen|"
    r"suscr\w*|síguenos|siguenos|únete|unete|regístrate|canal de \w+|"
    r"inscri\w*|suivez-nous|téléchargez|"
    r"subskrypc\w*|zapraszamy|obserwuj)\b",
    re.IGNORECASE | re.UNICODE,
)


# A disclosure of paid links or a rights notice: furniture wherever it stands, when both
# of its halves are there ("commission" and "links"; "copyright" and "reprint").
NOTICE_MAX_CHARS = 400
_DISCLOSURE = (
    re.compile(r"\b(affiliate|provision|(earn|receive)s? (a )?(small )?commission|compensat\w*|"
               r"werbepartner\w*|vergütung|"
               r"comisión)\b", re.I),
    re.compile(r"\b(links?|verlinkung\w*|anbieter\w*|enlaces?|click|klick\w*|partners?|"
               r"advertis\w*)\b", re.I),
    re.compile(r"\b(we|our|us|wir|uns|unsere?|this (post|article|page)|diese[rs]? (artikel|"
               r"beitrag|seite)|(es )?handelt (es )?sich um)\b", re.I),
)  # fmt: skip
_RIGHTS = (  # a notice opens with the sign or names itself; an article about copyright does not
    re.compile(r"^\W{0,3}(©|\(c\)|copyright)|\b(copyrighted property|urheberrechtlich geschützt|"
               r"chroniony prawem autorskim|all rights reserved|alle rechte vorbehalten|"
               r"derechos reservados|droits réservés)", re.I),
    re.compile(r"\b(reprint\w*|permission|all rights reserved|alle rechte vorbehalten|"
               r"nachdruck\w*|vervielfältigung|reproduc\w*|chroniony|prohibida|réservés|"
               r"reservados)\b", re.I),
)  # fmt: skip
# A short block at the very end that talks to the reader about the outlet (subscribe,
# the newsletter, the app, support us) rather than about the story.
TAIL_PROMO_MAX_CHARS = 200


def _both(patterns: tuple[re.Pattern[str], ...], text: str) -> bool:
    return len(text) <= NOTICE_MAX_CHARS and all(p.search(text) for p in patterns)


def is_notice(text: str) -> bool:
    """A paid-links disclosure or a copyright / reprint notice."""
    return _both(_DISCLOSURE, text) or _both(_RIGHTS, text)


def is_cross_link(text: str) -> bool:
    return len(text) <= 220 and _CROSS_LINK.match(text) is not None


# One phrase is enough in a short block when it is the outlet selling itself: its own
# newsletter, a plea to subscribe, a box titled "<Outlet> Newsletter".
OWN_PROMO_MAX_CHARS = 200
_OWN_PROMO = re.compile(
    r"\b(our|unser(em|en|e)?|notre|nuestro|nasz\w*) \w*newsletter\b|^[\w .&'-]{1,40} newsletter$|"
    r"\bplease subscribe\b|\bsubscribe (now|today)\b|\bsign up to get\b|"
    r"\bjetzt (abonnieren|anmelden)\b|\babonnez-vous\b|\bsuscríbete\b",
    re.IGNORECASE,
)


# Platforms named together ("on Facebook and Twitter") are what a story about them says;
# with a verb of the outlet's ("Follow us on", "subscribe") they are a promotion box.
_PLATFORMS = frozenset({"telegram", "whatsapp", "instagram", "facebook", "twitter"})


def is_call_to_action(text: str) -> bool:
    if len(text) > CTA_MAX_CHARS:
        return False
    if len(text) <= OWN_PROMO_MAX_CHARS and _OWN_PROMO.search(text):
        return True
    hits = {m.group(0).lower() for m in _CTA.finditer(text)}
    return len(hits) >= 2 and bool(hits - _PLATFORMS)


def is_end_marker(text: str) -> bool:
    return len(text) <= MAX_MARKER_CHARS and _END_RE.match(text) is not None


def is_metadata_line(text: str) -> bool:
    text = text.strip()
    if len(text) > MAX_METADATA_LINE_CHARS:
        return False
    return _DATE_ONLY.match(text) is not None or _METADATA_LINE.match(text) is not None


# A label that points at one other article ("Read also:", "Lue myös:") is an inline box
# whose links trafilatura already dropped: after it, a paragraph of two sentences or more
# is the article going on, however short (a teaser is a headline or one sentence).
_INLINE_LABEL = re.compile(
    r"^[\s#*•·»>|:.\-–—\[(]*(?:(read|see) also|also read|(lesen|sehen) sie (auch|hier)|"
    r"auch lesen|siehe auch|weiterlesen|(à |a )?lire (aussi|également)|voir aussi|"
    r"(lea|lee|leia|leggi) (también|tambem|também|anche)|(czytaj|zobacz) (też|także|również)|"
    r"lees ook|(läs|les) (också|også)|lue (aiheesta )?(lisää|myös))[\s:.…!?»>\-–—)\]]*$",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"[.!?…][\"'»”)]*\s+[\"'«„“(]*(\w)")


def is_prose(block: Block) -> bool:
    """A paragraph of two sentences or more (the second opening with a capital)."""
    if block.kind != "p" or block.text.rstrip()[-1:] not in ".!?…\"'»”)":
        return False
    return any(m.group(1).isupper() for m in _SENTENCE_BREAK.finditer(block.text))


def cut_tail(blocks: Sequence[Block]) -> list[Block]:
    """Drop an end-of-article section: a marker block and everything after it.

    When the article visibly goes on after the marker (a long paragraph follows, or prose
    after a "Read also" label), the marker was an inline box: only it and the short
    blocks under it go.
    """
    blocks = list(blocks)
    total = sum(len(b.text) for b in blocks)
    seen = 0
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if (
            seen >= MIN_TEXT_BEFORE_TAIL
            and seen >= TAIL_START_SHARE * total
            and is_end_marker(block.text)
        ):
            resume = next(
                (j for j in range(i + 1, len(blocks)) if len(blocks[j].text) >= RESUME_CHARS),
                None,
            )
            if resume is None and _INLINE_LABEL.match(block.text):
                resume = next((j for j in range(i + 1, len(blocks)) if is_prose(blocks[j])), None)
            if resume is None:
                return blocks[:i]
            del blocks[i:resume]
            continue
        seen += len(block.text)
        i += 1
    return trim_promo_tail(blocks)


def trim_promo_tail(blocks: list[Block]) -> list[Block]:
    """Drop short blocks at the very end that promote the outlet (one call-to-action word
    is enough there: "Subscribe now to our e-edition for the full story."; a platform's
    name alone is not: "He posted the video on Facebook.")."""
    while len(blocks) > 1:
        text = blocks[-1].text
        promo = any(m.group(0).lower() not in _PLATFORMS for m in _CTA.finditer(text))
        if len(text) > TAIL_PROMO_MAX_CHARS or not (promo or is_end_marker(text)):
            break
        blocks = blocks[:-1]
    return blocks


# A caption that names itself a figure ("Abbildung 4: …", "Figure 2: …", "Abb.: …"): the
# picture is not stored with the text, so its caption is not text either.
FIGURE_CAPTION_MAX_CHARS = 300
_FIGURE_CAPTION = re.compile(
    r"^(abbildung|abb\.|figure|fig\.|grafik|grafique|figura|rycina|ryc\.)\s*(\d{1,3}[a-z]?)?\s*:",
    re.IGNORECASE,
)


def is_figure_caption(text: str) -> bool:
    return (
        len(text) <= FIGURE_CAPTION_MAX_CHARS
        and "\n" not in text
        and _FIGURE_CAPTION.match(text) is not None
    )


def is_label_list(text: str) -> bool:
    """Two or more lines, each an end-of-article label ("Weitere Artikel zum Thema" /
    "Kommentierte Artikel"): the tabs of a navigation box whose links are gone."""
    lines = [line for line in text.split("\n") if line.strip()]
    return len(lines) >= 2 and all(is_end_marker(line) for line in lines)


def is_noise(text: str) -> bool:
    """A block that is metadata, a notice, a cross-link, a call to action, the outlet's
    appeal to its reader, a pointer to a link, a list of navigation labels or a figure's
    caption wherever it stands."""
    return (
        is_metadata_line(text)
        or is_cross_link(text)
        or is_call_to_action(text)
        or is_notice(text)
        or is_reader_appeal(text)
        or is_link_pointer(text)
        or is_label_list(text)
        or is_figure_caption(text)
    )


# The writer's short biography closing the article ("Jane Doe is a reporter at ..."): it is
# about the author, not the story. One of the last BIO_LAST blocks, at most BIO_MAX_CHARS,
# opening with the byline's full name (two words or more) and going on past it.
BIO_LAST = 3
BIO_MAX_CHARS = 700
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\by\b|\bet\b)\s*", re.IGNORECASE)


def _author_names(author: str | None) -> list[str]:
    names = _NAME_SPLIT.split(author or "")
    return [n.strip().lower() for n in names if len(n.split()) >= 2]


def is_author_bio(text: str, author: str | None) -> bool:
    if len(text) > BIO_MAX_CHARS:
        return False
    head = text.lower()
    return any(
        head.startswith(name) and len(head) > len(name) + 20 and not head[len(name)].isalnum()
        for name in _author_names(author)
    )


def drop_author_bio(blocks: Sequence[Block], author: str | None) -> list[Block]:
    """The body without the author's biography among its last blocks (never the first)."""
    blocks = list(blocks)
    if not _author_names(author):
        return blocks
    start = max(1, len(blocks) - BIO_LAST)
    return blocks[:start] + [b for b in blocks[start:] if not is_author_bio(b.text, author)]


def drop_metadata_lines(blocks: Sequence[Block]) -> list[Block]:
    return [b for b in blocks if not is_noise(b.text)]


def similar(a: str, b: str, threshold: float = 0.9) -> bool:
    a, b = normalize_for_hash(a), normalize_for_hash(b)
    if not a or not b:
        return False
    return a == b or SequenceMatcher(None, a, b, autojunk=False).ratio() >= threshold


def is_headline(text: str, title: str) -> bool:
    """The headline itself, or the headline with a kicker or a date glued to it."""
    if not title or len(text) > 2 * len(title) + 40:
        return False
    if similar(text, title):
        return True
    t, h = normalize_for_hash(text), normalize_for_hash(title)
    return len(h) >= 20 and h in t and len(t) <= len(h) + 40
