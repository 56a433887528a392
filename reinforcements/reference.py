"""Reference data every installation has: specialties (SPEC §3) and the staff role groups.

Used by the data migration and by the tests that flush the database (transactional tests).
"""

SPECIALTIES = [
    ("public_order", "Public order", "Maintien de l'ordre", False),
    (
        "community_patrol",
        "Community patrol (multilingual, spectator assistance)",
        "Patrouille de proximité (multilingue, aide aux spectateurs)",
        False,
    ),
    ("mounted", "Mounted police", "Police montée", False),
    ("river", "River and maritime police", "Police fluviale et maritime", False),
    ("traffic_escort", "Traffic and escort", "Circulation et escorte", False),
    ("bomb_disposal", "Bomb disposal", "Déminage", False),
    ("k9_explosives", "K9 explosives detection", "Équipe cynophile détection d'explosifs", True),
    ("k9_narcotics", "K9 narcotics detection", "Équipe cynophile détection de stupéfiants", True),
    ("k9_patrol", "K9 patrol", "Équipe cynophile de patrouille", True),
    ("k9_search_rescue", "K9 search and rescue", "Équipe cynophile de recherche et sauvetage", True),
]
GROUPS = ["coordinators", "viewers"]


def ensure_reference_data(Specialty, Group) -> None:
    for code, name_en, name_fr, is_canine in SPECIALTIES:
        Specialty.objects.update_or_create(
            code=code, defaults={"name_en": name_en, "name_fr": name_fr, "is_canine": is_canine}
        )
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
