"""The sizes of a seeded Games, and the names, places and proportions its rows are drawn from."""

import dataclasses
import datetime as dt
import math


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Big contributors first: the country weights fall with the position (Zipf-like).
COUNTRIES = _words(
    "DE IT ES PL GB BE NL PT AT CH SE DK NO FI IE GR CZ RO HU SK SI HR BG LT LV EE LU MT CY US CA MX BR AR CL CO "
    "PE UY MA TN DZ SN CI CM EG ZA NG KE GH ET JP KR CN IN AU NZ SG MY TH ID PH VN IL TR AE QA SA JO LB UA MD GE "
    "AM AZ KZ UZ RS BA ME MK AL IS LI MC AD SM TW PK BD LK NP MN KH LA BO EC PY CR PA GT HN SV NI DO JM HT TT BS "
    "BB KW BH OM IQ MR ML BF BJ TG GN GA CG CD AO MZ ZM ZW BW NA MG MU RW UG TZ BI DJ SO GM GW SL LR CV ST KM SC "
    "FJ PG WS TO VU SB KI TV NR PW FM MH BT MV BN TL"
)
FRENCH_SPEAKING = set(_words("BE CH LU CA MA TN DZ SN CI CM MC ML BF BJ TG GN GA CG CD MG HT DJ RW BI MR KM SC"))
NATIVE_LANGUAGE = dict(
    pair.split(":")
    for pair in _words(
        "DE:de IT:it ES:es PL:pl PT:pt NL:nl AT:de CH:de BE:nl SE:sv DK:da NO:no FI:fi GR:el CZ:cs RO:ro HU:hu "
        "SK:sk SI:sl HR:hr BG:bg LT:lt LV:lv EE:et LU:fr MT:mt MX:es BR:pt AR:es CL:es CO:es JP:ja KR:ko CN:zh"
    )
)
OFFICER_SPECIALTIES = ("public_order", "community_patrol", "mounted", "river", "traffic_escort", "bomb_disposal")
DETECTION_WEIGHTS = {"explosives": 60, "narcotics": 15, "patrol": 20, "search_rescue": 5}
# What each kind of venue needs; a K9 team of detection D works where k9_D is needed.
VENUE_SPECIALTIES = {
    "stadium": ("public_order", "community_patrol", "traffic_escort", "bomb_disposal", "k9_explosives"),
    "arena": ("public_order", "community_patrol", "bomb_disposal", "k9_explosives"),
    "river_segment": ("river", "public_order", "community_patrol", "k9_explosives"),
    "fan_zone": ("community_patrol", "public_order", "mounted", "k9_patrol"),
    "transport_hub": ("community_patrol", "traffic_escort", "k9_explosives", "k9_narcotics"),
    "village": ("public_order", "community_patrol", "k9_patrol", "k9_narcotics"),
    "other": ("public_order", "mounted", "traffic_escort"),
}
VENUE_KINDS = ("stadium",) * 3 + ("arena",) * 3 + ("river_segment",) * 2 + ("fan_zone",) * 2 + (
    "transport_hub", "transport_hub", "village", "other",
)  # fmt: skip
KNOWN_VENUES = [
    ("Stade de France", "stadium"), ("Parc des Princes", "stadium"), ("Bercy Arena", "arena"),
    ("Roland-Garros", "stadium"), ("Champ-de-Mars Arena", "arena"), ("Grand Palais", "arena"),
    ("Invalides", "other"), ("Pont d'Iéna", "river_segment"), ("Concorde", "fan_zone"),
    ("Trocadéro", "fan_zone"), ("Seine: Austerlitz to Notre-Dame", "river_segment"),
    ("Seine: Notre-Dame to Pont Neuf", "river_segment"), ("Seine: Louvre to Concorde", "river_segment"),
    ("Seine: Alexandre III to Iéna", "river_segment"), ("Athletes' Village", "village"),
    ("Gare du Nord", "transport_hub"), ("Gare de Lyon", "transport_hub"), ("Châtelet-Les Halles", "transport_hub"),
    ("South Paris Arena", "arena"), ("Porte de La Chapelle Arena", "arena"), ("Aquatics Centre", "arena"),
    ("Paris La Défense Arena", "arena"), ("Le Bourget", "other"), ("Vaires-sur-Marne", "river_segment"),
    ("Château de Versailles", "other"), ("Hôtel de Ville", "fan_zone"), ("Parc de La Villette", "fan_zone"),
    ("Pierre Mauroy Stadium", "stadium"), ("Orange Vélodrome", "stadium"), ("Marseille Marina", "river_segment"),
]  # fmt: skip
ROLES = ("Perimeter", "Crowd control", "Checkpoint", "Patrol", "Spectator assistance", "Escort", "Search")
DOG_NAMES = ("Rex", "Luna", "Max", "Bella", "Rocky", "Nala", "Thor", "Kira", "Odin", "Maya", "Zeus", "Lola", "Ares")
BREEDS = ("Belgian Malinois", "German Shepherd", "Labrador Retriever", "Springer Spaniel", "Dutch Shepherd")
SURNAMES = _words("Nowak Müller Rossi García Silva Jansen Peeters Novák Nagy Horvat Berg Smith Kowalski Weber Costa")
# Shift patterns (start hour, length in hours): a squad keeps one, so its own shifts never overlap.
EIGHT_HOURS = ((6, 8), (14, 8), (22, 8))
TWELVE_HOURS = ((8, 12), (20, 12))
GAMES_DAYS = 42  # six weeks


@dataclasses.dataclass(frozen=True)
class Sizes:
    countries: int = 150
    venues: int = 100
    officers: int = 50_000
    k9_teams: int = 2_000
    assignments: int = 250_000
    needs: int = 3_000
    notifications: int = 50_000
    seed: int = 2024
    first_day: dt.date = dt.date(2024, 7, 15)


def split(total: int, weights: list[float], *, minimum: int = 0) -> list[int]:
    """Split an integer total in proportion to weights (largest remainders), each at least `minimum`."""
    n = len(weights)
    if n == 0:
        return []
    base = minimum * n
    if base > total:
        raise ValueError(f"cannot give {minimum} to each of {n} parts of {total}")
    rest = total - base
    s = sum(weights)
    raw = [rest * w / s for w in weights]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(n), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: rest - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]
