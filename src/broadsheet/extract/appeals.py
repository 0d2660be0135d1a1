"""The outlet talking to its reader about itself, inside the body: not the story.

Four kinds, each seen on several sites of different countries in the evaluation pages
(never copied here):

* a membership or donation appeal ("Become a member", "Hazte miembro", "Werden Sie
  Mitglied", "Wesprzyj nas", "Unterstütze <Outlet> mit 2,50", "we need your support");
* an invitation to write to the editor ("Submit a letter to the editor");
* a pointer to a link ("Alles über Wanderschuhe findest du hier.", "Weitere Infos unter
  www.example.de.", "Hier das Tableau"): the body is stored without its links, so the
  sentence points at nothing (one that ends in a colon introduces what follows: kept);
* the outlet's own edition for sale ("im Abo, als E-Paper und ...", "never miss our top
  stories"); not "now at the kiosk" alone, which a news lead can say of a magazine.

One phrase is enough, but only in a block of at most ``APPEAL_MAX_CHARS``: an article
about a club's membership drive has longer paragraphs around the phrase, and a reporter
quoting an appeal writes a sentence about it.
"""

from __future__ import annotations

import re

APPEAL_MAX_CHARS = 600

# Imperatives and invitations open a sentence or a line ("Become a member", "Werden Sie
# Mitglied"): inside a sentence the same words are reported speech ("residents must
# become a member", "ich werde Mitglied").
_OPENS = r"(?:^|(?<=[.!?:…])\s+|\n)\W{0,3}"
_APPEAL = re.compile(
    _OPENS + r"("
    # membership and donations
    r"become a (member|subscriber|supporter|patron)|support (independent|our) journalism|"
    r"hazte (miembro|socio|suscriptor)|cancela cuando quieras|"
    r"werden sie (mitglied|abonnent\w*|unterstützer\w*)|werde (mitglied|abonnent\w*|"
    r"unterstützer\w*)|unterstütze (\w+ ){1,2}(bereits |schon |jetzt )?mit|"
    r"devenez (membre|abonné)|soutenez-nous|wesprzyj (nas|nasz\w*)|"
    # letters to the editor
    r"(submit|write|send) (us )?(a|your) letters? to the editor"
    r")\b"
    # said to the reader anywhere in the block
    r"|\b((brauchen|benötigen) wir (deine|eure|ihre) unterstützung|"
    r"(im abo|als e-?paper) (und|oder|erhältlich)|never miss (our|a|an)( \w+)? (stor|issue|"
    r"edition)\w*)\b",
    re.IGNORECASE,
)


def is_reader_appeal(text: str) -> bool:
    return len(text) <= APPEAL_MAX_CHARS and _APPEAL.search(text) is not None


# A pointer is short: one line, at most POINTER_MAX_CHARS.
POINTER_MAX_CHARS = 120
_POINTER = re.compile(
    r"^\W{0,3}(hier (geht('s| es) (zu|zum|zur)|finden sie|findest du|das|die|der|den|zum|zur|"
    r"können sie|kannst du)\b|(weitere|mehr) (infos?|informationen|details)( \w+)? (unter|auf|"
    r"gibt es|findest du|finden sie|bei)\b|click here\b|(more|further) (info|information|"
    r"details) (at|on|here)\b)[^:]*$"
    r"|\b((findest|findet) (du|ihr)|finden sie|gibt es|geht es|lesen sie)( \w+)? hier[.!]?$"
    r"|\b(click|read more|more) here[.!]?$",
    re.IGNORECASE,
)


def is_link_pointer(text: str) -> bool:
    return len(text) <= POINTER_MAX_CHARS and "\n" not in text and _POINTER.search(text) is not None
