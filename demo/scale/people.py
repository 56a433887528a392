"""Staff and liaisons (reused when they exist), and the operation."""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from core.roles import COORDINATORS, VIEWERS
from demo.scale.sizes import FRENCH_SPEAKING
from reinforcements.models import LiaisonProfile, Operation, User


def seed_users(s):
    """Five coordinators, a viewer, one liaison per country (two for the ten biggest)."""
    p = s.code
    wanted = [(f"{p}-coordinator-{i}", COORDINATORS, None, "en" if i % 2 else "fr") for i in range(1, 6)]
    wanted.append((f"{p}-viewer", VIEWERS, None, "en"))
    for i, cc in enumerate(s.countries):
        lang = "fr" if cc in FRENCH_SPEAKING else "en"
        wanted.append((f"{p}-liaison-{cc.lower()}", None, cc, lang))
        if i < 10:
            wanted.append((f"{p}-liaison-{cc.lower()}-2", None, cc, lang))
    existing = dict(User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", "id"))
    new = [w for w in wanted if w[0] not in existing]
    ids = s.copier.ids(User, len(new))
    password = make_password(s.password)
    groups = dict(Group.objects.values_list("name", "id"))
    s.copier.copy(
        User,
        [{"id": pk, "password": password, "is_superuser": False, "username": u, "first_name": "", "last_name": "",
          "email": f"{u}@example.org", "is_staff": False, "is_active": True, "date_joined": s.created, "language": lang}
         for pk, (u, _g, _c, lang) in zip(ids, new, strict=True)],
        label="users",
    )  # fmt: skip
    s.copier.copy(
        User.groups.through,
        [{"user_id": pk, "group_id": groups[g]} for pk, (_u, g, _c, _l) in zip(ids, new, strict=True) if g],
        label="group memberships",
    )
    profile_ids = s.copier.ids(LiaisonProfile, sum(1 for w in new if w[2]))
    users = [(pk, c) for pk, (_u, _g, c, _l) in zip(ids, new, strict=True) if c]
    profiles = [{"id": pid, "user_id": uid, "country": c, "phone": "+00 0 00 00 00 00"}
                for pid, (uid, c) in zip(profile_ids, users, strict=True)]  # fmt: skip
    s.copier.copy_with_history(
        LiaisonProfile,
        profiles,
        [{**row, "history_date": s.created, "history_type": "+"} for row in profiles],
        label="liaison profiles",
    )
    existing.update({w[0]: pk for pk, w in zip(ids, new, strict=True)})
    s.coordinators = [existing[w[0]] for w in wanted if w[1] == COORDINATORS]
    s.liaisons: dict[str, list[tuple[int, str]]] = {}
    for u, _g, c, lang in wanted:
        if c:
            s.liaisons.setdefault(c, []).append((existing[u], lang))
    s.coordinator_langs = [(existing[w[0]], w[3]) for w in wanted if w[1] == COORDINATORS]


def seed_operation(s):
    (s.operation_id,) = s.copier.ids(Operation, 1)
    row = {"id": s.operation_id, "code": s.code, "name": f"Games at scale ({s.code})", "host_country": "FR",
           "starts_on": s.op_starts, "ends_on": s.op_ends, "timezone": "Europe/Paris"}  # fmt: skip
    s.copier.copy_with_history(
        Operation,
        [row],
        [{**row, "history_date": s.created, "history_type": "+", "history_user_id": s.coordinators[0]}],
        label="operation",
    )
