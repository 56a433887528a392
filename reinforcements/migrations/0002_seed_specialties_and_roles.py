from django.db import migrations

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
]
GROUPS = ["coordinators", "viewers"]


def seed(apps, schema_editor):
    Specialty = apps.get_model("reinforcements", "Specialty")
    for code, name_en, name_fr, is_canine in SPECIALTIES:
        Specialty.objects.update_or_create(
            code=code, defaults={"name_en": name_en, "name_fr": name_fr, "is_canine": is_canine}
        )
    Group = apps.get_model("auth", "Group")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("reinforcements", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
