"""The Paris 2024 reference case that `manage.py seed_demo` loads (SPEC §9).

Plain data: the command turns it into objects through the lifecycle moves. Instants are
Paris wall-clock times.
"""

import datetime as dt
import zoneinfo

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(day: int, hour: int, month: int = 7) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, tzinfo=PARIS)


OPERATION = {
    "code": "paris-2024",
    "name": "Paris 2024 Olympic and Paralympic Games",
    "host_country": "FR",
    "starts_on": dt.date(2024, 7, 1),
    "ends_on": dt.date(2024, 9, 15),
    "timezone": "Europe/Paris",
}
# The operation's rules (SPEC §10): the defaults, but duty only warns, so that the Polish public-order
# line's twelve hours at the Stade de France after the night of the opening ceremony are placed and shown
# on the conflicts page (750 officer-hours in 24 h against 50 × 12).
OPERATION_RULES = {"modes": {"duty_exceeded": "warn"}}

# username -> (first name, last name, language, role, country of a liaison)
USERS = {
    "admin": ("Ada", "Admin", "en", "admin", None),
    "coordinator": ("Claire", "Morel", "en", "coordinator", None),
    "coordinateur": ("Julien", "Lefèvre", "fr", "coordinator", None),
    "viewer": ("Hugo", "Bernard", "en", "viewer", None),
    "liaison-pl": ("Anna", "Nowak", "en", "liaison", "PL"),
    "liaison-de": ("Jonas", "Becker", "en", "liaison", "DE"),
    "liaison-es": ("Lucía", "García", "en", "liaison", "ES"),
    "liaison-it": ("Marco", "Rossi", "en", "liaison", "IT"),
    "liaison-be": ("Sofie", "Peeters", "fr", "liaison", "BE"),
    "liaison-nl": ("Daan", "de Vries", "en", "liaison", "NL"),
    "liaison-gb": ("Oliver", "Hughes", "en", "liaison", "GB"),
    "liaison-pt": ("Inês", "Ferreira", "en", "liaison", "PT"),
    "liaison-is": ("Guðrún", "Jónsdóttir", "en", "liaison", "IS"),
    "liaison-kr": ("Ji-woo", "Kim", "en", "liaison", "KR"),
}
EMAIL_DOMAIN = "reinforcements.example.org"

# Interior requests: country, then officers per specialty. 46 countries, 2,185 officers.
SPECIALTY_COLUMNS = ("public_order", "community_patrol", "mounted", "river", "traffic_escort", "bomb_disposal")
INTERIOR_REQUESTS = [
    ("DE", 150, 30, 10, 0, 10, 5),
    ("ES", 140, 30, 10, 0, 10, 5),
    ("IT", 130, 25, 10, 5, 5, 5),
    ("BE", 100, 20, 0, 5, 5, 0),
    ("NL", 90, 20, 5, 5, 0, 0),
    ("GB", 100, 30, 0, 0, 0, 5),
    ("PT", 80, 20, 0, 0, 0, 0),
    ("PL", 50, 20, 0, 0, 0, 0),
    ("CH", 50, 10, 0, 0, 0, 0),
    ("AT", 50, 10, 0, 0, 0, 0),
    ("IE", 20, 10, 0, 0, 0, 0),
    ("LU", 10, 5, 0, 0, 0, 0),
    ("MC", 5, 5, 0, 0, 0, 0),
    ("SE", 30, 10, 0, 0, 0, 0),
    ("DK", 25, 10, 0, 0, 0, 0),
    ("FI", 20, 10, 0, 0, 0, 0),
    ("NO", 20, 10, 0, 0, 0, 0),
    ("EE", 10, 5, 0, 0, 0, 0),
    ("LV", 10, 5, 0, 0, 0, 0),
    ("LT", 10, 5, 0, 0, 0, 0),
    ("CZ", 30, 10, 0, 0, 0, 0),
    ("SK", 20, 5, 0, 0, 0, 0),
    ("HU", 25, 10, 0, 0, 0, 0),
    ("RO", 30, 10, 0, 0, 0, 0),
    ("BG", 20, 5, 0, 0, 0, 0),
    ("GR", 30, 10, 0, 0, 0, 0),
    ("CY", 10, 5, 0, 0, 0, 0),
    ("MT", 5, 5, 0, 0, 0, 0),
    ("HR", 20, 5, 0, 0, 0, 0),
    ("SI", 15, 5, 0, 0, 0, 0),
    ("US", 0, 40, 0, 0, 0, 10),
    ("CA", 0, 30, 0, 0, 0, 0),
    ("BR", 0, 30, 0, 0, 0, 0),
    ("MX", 0, 20, 0, 0, 0, 0),
    ("AR", 0, 15, 0, 0, 0, 0),
    ("MA", 40, 20, 0, 0, 0, 0),
    ("TN", 20, 10, 0, 0, 0, 0),
    ("SN", 10, 10, 0, 0, 0, 0),
    ("CI", 10, 10, 0, 0, 0, 0),
    ("JP", 0, 20, 0, 0, 0, 0),
    ("KR", 0, 20, 0, 0, 0, 0),
    ("AU", 0, 20, 0, 0, 0, 0),
    ("QA", 20, 10, 0, 0, 0, 0),
    ("AE", 20, 10, 0, 0, 0, 0),
    ("IN", 0, 20, 0, 0, 0, 0),
    ("IS", 0, 5, 0, 0, 0, 0),
]
INTERIOR_PERIOD = (dt.date(2024, 7, 15), dt.date(2024, 9, 10))
INTERIOR_RESPONSE_DUE = dt.date(2024, 3, 1)
INTERIOR_MESSAGE = (
    "France will host the Olympic Games (26 July - 11 August 2024) and the Paralympic Games "
    "(28 August - 8 September 2024). The Ministry of the Interior asks your police for the "
    "officers below, to reinforce public order and to help visitors from your country."
)
ACKNOWLEDGED = {"DE", "ES", "IT", "BE", "NL", "GB", "PT", "PL"}
# country -> reason given by its liaison
DECLINED = {
    "IS": "Our police force is fully committed to national duties this summer.",
    "KR": "We cannot release officers over this period; we will send liaison staff instead.",
}

DEFENCE_REQUEST = {
    "country": "PL",
    "lines": [("k9_explosives", 10)],
    "period": (dt.date(2024, 7, 15), dt.date(2024, 8, 15)),
    "response_due": dt.date(2024, 4, 15),
    "message": (
        "The Ministry of the Armed Forces asks the Polish Armed Forces for explosives-detection "
        "dog teams for the Olympic Games, the opening ceremony on the Seine first."
    ),
    "internal_notes": "Kennels at the Vincennes barracks; vets from the 132e BCAT.",
}

# Poland's pledge of military dog teams (Żandarmeria Wojskowa).
# handler, dog, breed, certification expires on, accepted by the decision
K9_PLEDGE = {
    "commander_name": "ppłk Andrzej Nowicki",
    "commander_contact": "+48 22 000 01 00, k9.paris@example.org",
    "notes": "Eight teams of the Military Gendarmerie, explosives detection, with their own vehicle.",
    "available": (dt.date(2024, 7, 20), dt.date(2024, 8, 14)),
    "teams": [
        ("sierż. Tomasz Kowalczyk", "Bruno", "Belgian Malinois", dt.date(2025, 3, 31), True),
        ("st. kpr. Agnieszka Wiśniewska", "Saba", "German Shepherd", dt.date(2025, 6, 30), True),
        ("kpr. Paweł Zieliński", "Figa", "Labrador Retriever", dt.date(2025, 1, 31), True),
        ("sierż. Katarzyna Lewandowska", "Atos", "Belgian Malinois", dt.date(2024, 12, 31), True),
        ("plut. Marcin Wójcik", "Kora", "German Shepherd", dt.date(2025, 5, 31), True),
        ("st. szer. Michał Kamiński", "Nuka", "Labrador Retriever", dt.date(2025, 2, 28), True),
        ("kpr. Magdalena Szymańska", "Tosca", "Belgian Malinois", dt.date(2025, 4, 30), True),
        # Certified until 5 August only: not accepted, the Games run to 11 August.
        ("szer. Krzysztof Dąbrowski", "Fado", "German Shepherd", dt.date(2024, 8, 5), False),
    ],
    "decision_note": "Seven teams accepted; Fado's certification ends before the Games do.",
}
# Border readiness of those teams (SPEC §3): dog -> rabies vaccination date. Tosca's is not recorded yet,
# so she shows as not ready (and cannot be placed) until Poland's liaison records it.
K9_RABIES = {
    "Bruno": dt.date(2024, 3, 12), "Saba": dt.date(2024, 2, 20), "Figa": dt.date(2024, 4, 2),
    "Atos": dt.date(2024, 1, 30), "Kora": dt.date(2024, 5, 6), "Nuka": dt.date(2024, 3, 28),
    "Tosca": None, "Fado": dt.date(2024, 4, 15),
}  # fmt: skip
K9_NOT_READY = "Tosca"
# One amendment awaiting the ministry (SPEC §4): Bruno is ill and Poland substitutes Max. Accepted, it would
# cancel Bruno's ceremony sweep. (The renewed certification runs past the day the demo is seeded: a date
# already past is refused.)
K9_AMENDMENT = {
    "dog": "Bruno",
    "note": "Bruno is ill (vet's certificate attached to the email). Max, same handler, replaces him.",
    "changes": {
        "dog_name": "Max", "dog_breed": "Belgian Malinois", "microchip": "616093000000099",
        "pet_passport": "PL-000099-K9", "rabies_vaccinated_on": dt.date(2024, 4, 20),
        "certification_expires_on": dt.date(2029, 6, 30),
    },
}  # fmt: skip

# Interior pledges: country -> pledge, its lines (specialty, offered, accepted, languages), and what happens.
INTERIOR_PLEDGES = {
    "PL": {
        "commander_name": "insp. Piotr Malinowski",
        "commander_contact": "+48 22 000 02 00, paris2024@example.org",
        "available": (dt.date(2024, 7, 20), dt.date(2024, 8, 14)),
        "lines": [("public_order", 50, 50, ["pl", "en"]), ("community_patrol", 20, 20, ["pl", "en", "fr"])],
        "outcome": "decide",
        "note": "Accepted in full, thank you.",
    },
    "DE": {
        "commander_name": "PD Stefan Hoffmann",
        "commander_contact": "+49 30 000 03 00, paris2024@example.org",
        "available": (dt.date(2024, 7, 20), dt.date(2024, 8, 12)),
        "lines": [
            ("public_order", 150, 120, ["de", "en"]),
            ("community_patrol", 30, 30, ["de", "en", "fr"]),
            ("mounted", 10, 10, ["de"]),
        ],
        "outcome": "decide",
        "note": "120 of the 150 public order officers: the rest of the need is covered.",
    },
    "ES": {
        "commander_name": "Comisario Javier Martín",
        "commander_contact": "+34 91 000 04 00, paris2024@example.org",
        "available": (dt.date(2024, 7, 18), dt.date(2024, 8, 12)),
        "lines": [("public_order", 140, 140, ["es", "en"]), ("community_patrol", 30, 30, ["es", "fr", "en"])],
        "outcome": "decide",
        "note": "Accepted in full.",
    },
    "IT": {
        "commander_name": "Primo dirigente Luca Bianchi",
        "commander_contact": "+39 06 000 05 00, paris2024@example.org",
        "available": (dt.date(2024, 7, 20), dt.date(2024, 8, 12)),
        "lines": [("public_order", 130, 0, ["it", "en"]), ("mounted", 10, 0, ["it"])],
        "outcome": "request_changes",
        "note": "Please give the mounted unit's arrival date: stabling must be booked.",
    },
    "BE": {
        "commander_name": "Commissaire Marc Dubois",
        "commander_contact": "+32 2 000 06 00, paris2024@example.org",
        "available": (dt.date(2024, 7, 22), dt.date(2024, 8, 12)),
        "lines": [("public_order", 100, 0, ["fr", "nl"]), ("community_patrol", 20, 0, ["fr", "nl", "en"])],
        "outcome": "submit",
    },
    "NL": {
        "commander_name": "Commissaris Eva Jansen",
        "commander_contact": "+31 70 000 07 00, paris2024@example.org",
        "available": (dt.date(2024, 7, 22), dt.date(2024, 8, 12)),
        "lines": [("public_order", 90, 0, ["nl", "en"]), ("river", 5, 0, ["nl", "en"])],
        "outcome": "submit",
    },
}

# code, name, kind, address, latitude, longitude
VENUES = [
    ("stade-de-france", "Stade de France", "stadium", "93200 Saint-Denis", "48.924459", "2.360164"),
    ("parc-des-princes", "Parc des Princes", "stadium", "24 rue du Commandant-Guilbaud, 75016 Paris", "48.841389", "2.253056"),
    ("roland-garros", "Stade Roland-Garros", "stadium", "2 avenue Gordon-Bennett, 75016 Paris", "48.846667", "2.249722"),
    ("bercy-arena", "Bercy Arena", "arena", "8 boulevard de Bercy, 75012 Paris", "48.838611", "2.378611"),
    ("seine-austerlitz", "Seine: Pont d'Austerlitz to Pont de Sully", "river_segment", "Quai Saint-Bernard, 75005 Paris", "48.846944", "2.364167"),
    ("seine-cite", "Seine: Île de la Cité to Pont des Arts", "river_segment", "Quai des Orfèvres, 75001 Paris", "48.856667", "2.341111"),
    ("seine-concorde", "Seine: Pont Royal to Pont de l'Alma", "river_segment", "Port de la Concorde, 75008 Paris", "48.864167", "2.315556"),
    ("seine-iena", "Seine: Pont d'Iéna and Trocadéro", "river_segment", "Pont d'Iéna, 75007 Paris", "48.860833", "2.292778"),
    ("fan-zone-trocadero", "Champions Park, Trocadéro", "fan_zone", "Place du Trocadéro, 75016 Paris", "48.862500", "2.287500"),
    ("fan-zone-villette", "Parc des Nations, La Villette", "fan_zone", "211 avenue Jean-Jaurès, 75019 Paris", "48.893611", "2.390556"),
    ("fan-zone-hotel-de-ville", "Terrasse des Jeux, Hôtel de Ville", "fan_zone", "Place de l'Hôtel-de-Ville, 75004 Paris", "48.856389", "2.352222"),
    ("gare-du-nord", "Gare du Nord", "transport_hub", "18 rue de Dunkerque, 75010 Paris", "48.880931", "2.355323"),
    ("chatelet-les-halles", "Châtelet-Les Halles", "transport_hub", "Place Marguerite-de-Navarre, 75001 Paris", "48.861900", "2.346900"),
    ("cdg-airport", "Paris-Charles de Gaulle Airport", "transport_hub", "95700 Roissy-en-France", "49.009722", "2.547778"),
    ("olympic-village", "Olympic and Paralympic Village", "village", "93200 Saint-Denis", "48.914722", "2.332222"),
]  # fmt: skip

# Opening ceremony on the Seine, 26 July: embankments from 14:00 until 01:00 the next day.
CEREMONY = (at(26, 14), at(27, 1))
# venue, specialty, start, end, quantity
# What the fan zones' visitor-assistance needs ask (SPEC §3, §10 `language_mismatch`): someone who speaks
# one of these. Poland's community patrol (pl, en, fr) covers the Trocadéro.
NEED_LANGUAGES = {
    ("fan-zone-trocadero", "community_patrol"): ["en", "es"],
    ("fan-zone-hotel-de-ville", "community_patrol"): ["en", "es", "pt"],
    ("fan-zone-villette", "community_patrol"): ["en", "es", "pt"],
}
NEEDS = [
    *[
        (seg, "public_order", *CEREMONY, 60)
        for seg in ("seine-austerlitz", "seine-cite", "seine-concorde", "seine-iena")
    ],
    *[(seg, "river", *CEREMONY, 10) for seg in ("seine-austerlitz", "seine-cite", "seine-concorde", "seine-iena")],
    *[
        (seg, "k9_explosives", *CEREMONY, 2)
        for seg in ("seine-austerlitz", "seine-cite", "seine-concorde", "seine-iena")
    ],
    ("fan-zone-trocadero", "community_patrol", at(27, 12), at(27, 23), 30),
    ("fan-zone-trocadero", "mounted", at(26, 16), at(27, 0), 10),
    ("fan-zone-hotel-de-ville", "community_patrol", at(27, 12), at(27, 23), 20),
    ("fan-zone-villette", "community_patrol", at(27, 12), at(27, 23), 20),
    ("stade-de-france", "public_order", at(27, 10), at(27, 22), 100),
    ("stade-de-france", "k9_explosives", at(27, 10), at(27, 22), 3),
    ("stade-de-france", "public_order", at(2, 8, 8), at(2, 23, 8), 120),
    ("parc-des-princes", "public_order", at(24, 15), at(24, 23), 60),
    ("roland-garros", "public_order", at(27, 9), at(27, 21), 30),
    ("bercy-arena", "public_order", at(27, 9), at(27, 21), 40),
    ("gare-du-nord", "k9_explosives", at(26, 6), at(26, 13), 2),
    ("gare-du-nord", "community_patrol", at(26, 6), at(26, 22), 15),
    ("chatelet-les-halles", "community_patrol", at(26, 8), at(26, 22), 10),
    ("cdg-airport", "k9_explosives", at(25, 6), at(25, 18), 2),
    ("olympic-village", "public_order", at(20, 0), at(12, 0, 8), 40),
]

# Officer assignments: country, specialty, venue, start, end, quantity, role, confirmed by the liaison
LINE_ASSIGNMENTS = [
    ("PL", "public_order", "seine-iena", *CEREMONY, 30, "Embankment, opening ceremony", True),
    ("PL", "public_order", "seine-concorde", *CEREMONY, 20, "Embankment, opening ceremony", False),
    ("PL", "public_order", "stade-de-france", at(27, 10), at(27, 22), 50, "Spectator screening", False),
    ("PL", "community_patrol", "fan-zone-trocadero", at(27, 12), at(27, 23), 20, "Visitor assistance", True),
    ("DE", "public_order", "parc-des-princes", at(24, 15), at(24, 23), 60, "Football, stands", True),
    ("DE", "public_order", "seine-cite", *CEREMONY, 60, "Embankment, opening ceremony", False),
    ("DE", "mounted", "fan-zone-trocadero", at(26, 16), at(27, 0), 10, "Crowd flow", False),
    ("ES", "public_order", "bercy-arena", at(27, 9), at(27, 21), 40, "Entrances", False),
    ("ES", "community_patrol", "gare-du-nord", at(26, 6), at(26, 22), 15, "Visitor assistance", True),
]
# K9 assignments: dog, venue, start, end, role, confirmed by the liaison
K9_ASSIGNMENTS = [
    ("Bruno", "seine-iena", *CEREMONY, "Quays sweep before the parade", True),
    ("Saba", "seine-iena", *CEREMONY, "Quays sweep before the parade", True),
    ("Figa", "seine-concorde", *CEREMONY, "Quays sweep before the parade", True),
    ("Atos", "seine-cite", *CEREMONY, "Quays sweep before the parade", False),
    ("Kora", "gare-du-nord", at(26, 6), at(26, 13), "Left-luggage checks", False),
    # Not Bruno, who swept the quays until 01:00 (a rest of 9 hours breaks the rest rule, SPEC §10), nor
    # Tosca, not ready for the border (SPEC §3).
    ("Kora", "stade-de-france", at(27, 10), at(27, 22), "Vehicle checkpoint", False),
    ("Nuka", "stade-de-france", at(27, 10), at(27, 22), "Vehicle checkpoint", False),
]
