"""Hand-written news for the stories tests (invented, no third-party text): two different
earthquakes, a port strike, and an agency text that several outlets republish."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

T0 = datetime(2024, 5, 13, 10, 0, tzinfo=UTC)

CHILE = [
    (
        "Magnitude 7.1 earthquake strikes northern Chile near Iquique",
        "A magnitude 7.1 earthquake struck off the coast of northern Chile near Iquique on "
        "Monday, the national seismology centre said. Buildings swayed in Iquique and Arica "
        "and residents moved to higher ground after the navy issued a tsunami warning. "
        "Chile's interior minister said there were no immediate reports of deaths.",
    ),
    (
        "Chile lifts tsunami warning after Iquique quake; damage light",
        "The Chilean navy lifted its tsunami warning early on Tuesday, hours after a "
        "magnitude 7.1 earthquake shook Iquique and Arica in northern Chile. The interior "
        "minister said damage was light: cracked walls in Iquique, a landslide on the coastal "
        "road to Arica, and power cuts that were repaired overnight.",
    ),
    (
        "Iquique residents spend night on hills after Chile earthquake",
        "Thousands of residents of Iquique spent the night on the hills above the city after "
        "Monday's magnitude 7.1 earthquake off northern Chile and the tsunami warning that "
        "followed. The navy lifted the warning before dawn and the interior minister said "
        "schools in Iquique and Arica would reopen on Wednesday.",
    ),
]

JAPAN = [
    (
        "Magnitude 6.4 earthquake shakes Hokkaido; trains halted in Sapporo",
        "A magnitude 6.4 earthquake shook Hokkaido in northern Japan on Thursday, the Japan "
        "Meteorological Agency said, and no tsunami was expected. Bullet trains and the "
        "Sapporo subway stopped for safety checks, and the Tomari nuclear plant reported no "
        "abnormalities.",
    ),
    (
        "Hokkaido quake: Sapporo subway resumes, Tomari plant safe",
        "Sapporo's subway resumed service on Thursday afternoon after a magnitude 6.4 "
        "earthquake in Hokkaido, and Hokkaido Electric said its Tomari nuclear plant was "
        "safe. The Japan Meteorological Agency warned of aftershocks in the coming week.",
    ),
    (
        "Aftershocks rattle Hokkaido a day after magnitude 6.4 earthquake",
        "Several aftershocks rattled Hokkaido on Friday, a day after the magnitude 6.4 "
        "earthquake that halted trains in Sapporo. The Japan Meteorological Agency said the "
        "largest measured 4.8; Tomari nuclear plant and Sapporo's subway were unaffected.",
    ),
]

STRIKE = (
    "Port workers end three-day strike after pay deal",
    "Dock workers at the Harbour City container terminal voted on Tuesday to end a "
    "three-day strike that had left more than forty ships waiting at anchor. The agreement "
    "raises pay by six percent over two years and limits night shifts to four a week.",
)

WIRE = (
    "Central bank raises interest rate to 4.5 percent",
    "FRANKFURT (AFP) - The central bank raised its main interest rate by a quarter point to "
    "4.5 percent on Thursday, its third increase this year, saying inflation remained too "
    "high. The bank's president told reporters that further increases could not be ruled "
    "out if energy prices kept rising through the winter. Economists had expected the move "
    "after inflation reached 5.2 percent in April, the highest level in two decades. "
    "Markets reacted calmly: the euro rose slightly against the dollar and bond yields "
    "edged higher in early afternoon trading.",
)


def wire_copy(outlet: str) -> tuple[str, str]:
    """The wire text as another outlet runs it: new headline, dateline trimmed, boilerplate."""
    title, text = WIRE
    body = text.split(" - ", 1)[1]
    return (
        f"{outlet}: rates go up again",
        body + f"\n\nSign up for the {outlet} newsletter for the day's top stories.",
    )


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)
