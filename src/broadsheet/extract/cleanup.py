"""Page-level cleanup of an extracted body: what no single paragraph betrays on its own.

Three passes over the blocks trafilatura (or another strategy) kept, in order:

* ``drop_headline``: the headline (and a byline, a lone date, a kicker) repeated at the top
  of the body is removed, so the title is shown exactly once;
* ``cut_tail``: a short block that opens an end-of-article section ("Related articles",
  "Das könnte Sie auch interessieren", "À lire aussi", "Comments", a paywall prompt) in the
  second half of the body ends the article: it and everything after it go;
* ``drop_metadata_lines``: blocks that are only a date, a time, a category label, an image
  credit or a loading placeholder are metadata or furniture, not article text.

All patterns are anchored on whole (short) blocks, in the languages Broadsheet's default
sources use; a long paragraph is never dropped for what it starts with.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

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
    r"(leave|post|add|write) a (comment|reply)",
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
    r"(mehr|weiteres) (zum|zu diesem) thema( auf .{1,30})?",
    r"weitere (themen|artikel|beiträge|nachrichten|meldungen|news|videos|tourentipps|"
    r"rezepte|links)( zum thema| (aus|in|zu|zum|zur|von|über|rund um) .{1,30})?",
    r"mehr (themen|artikel|beiträge|nachrichten|news)( .{1,30})?",
    r"(auch|mehr) (auf|bei) [\w.-]{2,30}",
    r"(meist)?kommentierte (artikel|beiträge)",
    r"(schreibe|schreiben sie|hinterlasse|hinterlassen sie) (einen|ein) (kommentar|antwort)",
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
    r"zum weiterlesen",
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
    r"\b(subscrib\w*|newsletters?|sign(ing)? up|log ?in|follow (us|\w+ on)|download (the|our)|"
    r"apps? (for|on) (ios|android)|telegram|whatsapp|instagram|facebook|twitter|"
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
    re.compile(r"\b(links?|verlinkung\w*|anbieter\w*|enlaces?|click|klick\w*)\b", re.I),
    re.compile(r"\b(we|our|us|wir|uns|unsere?|this (post|article|page)|diese[rs]? (artikel|"
               r"beitrag|seite))\b", re.I),
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
    r"\b(our|unser(em|en|e)?|notre|nuestro|nasz\w*) newsletter\b|^[\w .&'-]{1,40} newsletter$|"
    r"\bplease subscribe\b|\bsubscribe (now|today)\b|\bsign up to get\b|"
    r"\bjetzt (abonnieren|anmelden)\b|\babonnez-vous\b|\bsuscríbete\b",
    re.IGNORECASE,
)


def is_call_to_action(text: str) -> bool:
    if len(text) > CTA_MAX_CHARS:
        return False
    if len(text) <= OWN_PROMO_MAX_CHARS and _OWN_PROMO.search(text):
        return True
    hits = {m.group(0).lower() for m in _CTA.finditer(text)}
    return len(hits) >= 2


def is_end_marker(text: str) -> bool:
    return len(text) <= MAX_MARKER_CHARS and _END_RE.match(text) is not None


def is_metadata_line(text: str) -> bool:
    text = text.strip()
    if len(text) > MAX_METADATA_LINE_CHARS:
        return False
    return _DATE_ONLY.match(text) is not None or _METADATA_LINE.match(text) is not None


def cut_tail(blocks: Sequence[Block]) -> list[Block]:
    """Drop an end-of-article section: a marker block and everything after it.

    When the article visibly goes on after the marker (a long paragraph follows), the
    marker was an inline "Read also" box: only it and the short blocks under it go.
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
            if resume is None:
                return blocks[:i]
            del blocks[i:resume]
            continue
        seen += len(block.text)
        i += 1
    return trim_promo_tail(blocks)


def trim_promo_tail(blocks: list[Block]) -> list[Block]:
    """Drop short blocks at the very end that promote the outlet (one call-to-action word
    is enough there: "Subscribe now to our e-edition for the full story.")."""
    while len(blocks) > 1:
        text = blocks[-1].text
        if len(text) > TAIL_PROMO_MAX_CHARS or not (_CTA.search(text) or is_end_marker(text)):
            break
        blocks = blocks[:-1]
    return blocks


def is_noise(text: str) -> bool:
    """A block that is metadata, a notice, a cross-link or a call to action wherever it
    stands."""
    return (
        is_metadata_line(text) or is_cross_link(text) or is_call_to_action(text) or is_notice(text)
    )


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
