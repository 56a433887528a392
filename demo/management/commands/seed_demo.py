"""Load the Paris 2024 reference case (SPEC §9), through the lifecycle moves.

Every status is reached by the moves in the `transitions` modules, so the demo has the
history and the notifications a real run would have. Running it again changes nothing:
the demo users are ensured, and the operation, once there, is left as it is.
"""

import os

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.history import save_by
from core.roles import COORDINATORS, VIEWERS
from demo import data
from deployments.models import Venue, VenueNeed
from deployments.transitions import confirm_assignment, create_assignment
from pledges.amendment_transitions import amend_pledge
from pledges.models import K9Team
from pledges.transitions import create_pledge, decide_pledge, request_changes, submit_pledge
from reinforcements.models import LiaisonProfile, Operation, ReinforcementRequest, Specialty, User
from reinforcements.reference import ensure_reference_data
from reinforcements.rules import validate_rules
from reinforcements.transitions import acknowledge_request, create_request, decline_request, send_request

DEFAULT_PASSWORD = "demo-pass-2024"


class Command(BaseCommand):
    help = "Load the Paris 2024 demo (operation paris-2024, requests, pledges, venues, assignments, demo users)."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Run even with DEBUG off (a demo server).")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["demo"]:
            raise CommandError("DEBUG is off: this looks like production. Add --demo to load the demo anyway.")
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        with transaction.atomic():
            ensure_reference_data(Specialty, Group)
            users = ensure_users(password)
            if Operation.objects.filter(code=data.OPERATION["code"]).exists():
                self.stdout.write(f"Demo operation {data.OPERATION['code']} already loaded; nothing to do.")
                return
            Scenario(users).play()
        self.stdout.write(self.style.SUCCESS(f"Loaded demo operation {data.OPERATION['code']}."))


def ensure_users(password: str) -> dict[str, User]:
    """Create the missing demo accounts. An account that already exists is never changed (no
    password reset): if it is not the demo's (wrong role or country), the command stops."""
    groups = {"coordinator": Group.objects.get(name=COORDINATORS), "viewer": Group.objects.get(name=VIEWERS)}
    users = {}
    for username, (first, last, language, role, country) in data.USERS.items():
        user = User.objects.filter(username=username).select_related("liaison_profile").first()
        if user is None:
            user = User(
                username=username, first_name=first, last_name=last, language=language,
                email=f"{username}@{data.EMAIL_DOMAIN}", is_staff=role == "admin", is_superuser=role == "admin",
            )  # fmt: skip
            user.set_password(password)
            user.save()
            if role in groups:
                user.groups.add(groups[role])
            if country:
                save_by(LiaisonProfile(user=user, country=country), user)
        elif not _is_as_described(user, role, country, groups):
            raise CommandError(f"An account named {username} exists and is not the demo's; left as it is. Stopping.")
        users[username] = user
    return users


def _is_as_described(user, role, country, groups) -> bool:
    if role == "admin":
        return user.is_superuser
    if role in groups:
        return user.groups.filter(pk=groups[role].pk).exists()
    profile = getattr(user, "liaison_profile", None)
    return profile is not None and profile.country == country


class Scenario:
    def __init__(self, users: dict[str, User]):
        self.users = users
        self.coordinator = users["coordinator"]
        self.specialties = {s.code: s for s in Specialty.objects.all()}
        self.venues: dict[str, Venue] = {}
        self.pledges = {}

    def liaison(self, country: str) -> User:
        return self.users[f"liaison-{country.lower()}"]

    def play(self) -> None:
        rules = validate_rules(data.OPERATION_RULES)
        self.operation = save_by(Operation(**data.OPERATION, rules=rules), self.coordinator)
        self.add_venues()
        self.send_interior_requests()
        self.send_defence_request()
        self.pledge_officers()
        self.pledge_k9_teams()
        self.assign()
        self.amend()

    def add_venues(self) -> None:
        for code, name, kind, address, lat, lng in data.VENUES:
            venue = Venue(
                operation=self.operation, code=code, name=name, kind=kind, address=address, latitude=lat, longitude=lng
            )
            venue.full_clean()
            self.venues[code] = save_by(venue, self.coordinator)
        for venue, specialty, starts_at, ends_at, quantity in data.NEEDS:
            need = VenueNeed(
                venue=self.venues[venue], specialty=self.specialties[specialty],
                starts_at=starts_at, ends_at=ends_at, quantity=quantity,
                languages=data.NEED_LANGUAGES.get((venue, specialty), []),
            )  # fmt: skip
            need.full_clean()
            save_by(need, self.coordinator)

    def send_interior_requests(self) -> None:
        start, end = data.INTERIOR_PERIOD
        for country, *quantities in data.INTERIOR_REQUESTS:
            lines = [
                (self.specialties[code], quantity)
                for code, quantity in zip(data.SPECIALTY_COLUMNS, quantities, strict=True)
                if quantity
            ]
            request = create_request(
                actor=self.coordinator, lines=lines, operation=self.operation, country=country,
                authority=ReinforcementRequest.Authority.INTERIOR, response_due=data.INTERIOR_RESPONSE_DUE,
                period_start=start, period_end=end, message=data.INTERIOR_MESSAGE,
            )  # fmt: skip
            send_request(request.pk, actor=self.coordinator)
            if country in data.ACKNOWLEDGED:
                acknowledge_request(request.pk, actor=self.liaison(country))
            elif country in data.DECLINED:
                decline_request(request.pk, actor=self.liaison(country), reason=data.DECLINED[country])

    def send_defence_request(self) -> None:
        spec = data.DEFENCE_REQUEST
        request = create_request(
            actor=self.coordinator, operation=self.operation, country=spec["country"],
            authority=ReinforcementRequest.Authority.DEFENCE,
            lines=[(self.specialties[code], quantity) for code, quantity in spec["lines"]],
            response_due=spec["response_due"], period_start=spec["period"][0], period_end=spec["period"][1],
            message=spec["message"], internal_notes=spec["internal_notes"],
        )  # fmt: skip
        send_request(request.pk, actor=self.coordinator)
        acknowledge_request(request.pk, actor=self.liaison(spec["country"]))
        self.defence_request = request

    def pledge_officers(self) -> None:
        for country, spec in data.INTERIOR_PLEDGES.items():
            liaison = self.liaison(country)
            request = ReinforcementRequest.objects.get(
                operation=self.operation, country=country, authority=ReinforcementRequest.Authority.INTERIOR
            )
            available_from, available_to = spec["available"]
            pledge = create_pledge(
                actor=liaison, request_id=request.pk,
                commander_name=spec["commander_name"], commander_contact=spec["commander_contact"],
                lines=[
                    {"specialty": self.specialties[code], "officers_offered": offered, "languages": languages,
                     "available_from": available_from, "available_to": available_to}
                    for code, offered, _accepted, languages in spec["lines"]
                ],
            )  # fmt: skip
            submit_pledge(pledge.pk, actor=liaison)
            if spec["outcome"] == "decide":
                accepted = {code: n for code, _offered, n, _languages in spec["lines"]}
                decide_pledge(
                    pledge.pk, actor=self.coordinator, decision_note=spec["note"],
                    lines={line.pk: accepted[line.specialty.code] for line in pledge.lines.select_related("specialty")},
                    k9_teams={},
                )  # fmt: skip
            elif spec["outcome"] == "request_changes":
                request_changes(pledge.pk, actor=self.coordinator, note=spec["note"])
            self.pledges[country] = pledge

    def pledge_k9_teams(self) -> None:
        spec = data.K9_PLEDGE
        liaison = self.liaison(data.DEFENCE_REQUEST["country"])
        available_from, available_to = spec["available"]
        pledge = create_pledge(
            actor=liaison, request_id=self.defence_request.pk,
            commander_name=spec["commander_name"], commander_contact=spec["commander_contact"], notes=spec["notes"],
            k9_teams=[
                {"handler_name": handler, "dog_name": dog, "dog_breed": breed,
                 "detection": K9Team.Detection.EXPLOSIVES, "certification_expires_on": expires,
                 "available_from": available_from, "available_to": available_to,
                 "microchip": f"616093{number:09d}", "pet_passport": f"PL-{number:06d}-K9",
                 "rabies_vaccinated_on": data.K9_RABIES[dog]}
                for number, (handler, dog, breed, expires, _accepted) in enumerate(spec["teams"], start=1)
            ],
        )  # fmt: skip
        submit_pledge(pledge.pk, actor=liaison)
        accepted = {dog: ok for _handler, dog, _breed, _expires, ok in spec["teams"]}
        decide_pledge(
            pledge.pk, actor=self.coordinator, decision_note=spec["decision_note"], lines={},
            k9_teams={team.pk: accepted[team.dog_name] for team in pledge.k9_teams.all()},
        )  # fmt: skip
        self.teams = {team.dog_name: team for team in pledge.k9_teams.all()}

    def amend(self) -> None:
        """Poland substitutes a dog: an amendment the coordinators find pending on the pledge's page."""
        spec = data.K9_AMENDMENT
        team = self.teams[spec["dog"]]
        amend_pledge(
            team.pledge_id, actor=self.liaison(data.DEFENCE_REQUEST["country"]), note=spec["note"],
            k9_teams=[{"id": team.pk, **spec["changes"]}],
        )  # fmt: skip

    def assign(self) -> None:
        for country, specialty, venue, starts_at, ends_at, quantity, role, confirmed in data.LINE_ASSIGNMENTS:
            line = self.pledges[country].lines.get(specialty__code=specialty)
            assignment = create_assignment(
                actor=self.coordinator, venue=self.venues[venue], starts_at=starts_at, ends_at=ends_at,
                role=role, pledge_line=line, quantity=quantity,
            )  # fmt: skip
            if confirmed:
                confirm_assignment(assignment.pk, actor=self.liaison(country))
        for dog, venue, starts_at, ends_at, role, confirmed in data.K9_ASSIGNMENTS:
            assignment = create_assignment(
                actor=self.coordinator, venue=self.venues[venue], starts_at=starts_at, ends_at=ends_at,
                role=role, k9_team=self.teams[dog],
            )  # fmt: skip
            if confirmed:
                confirm_assignment(assignment.pk, actor=self.liaison(data.DEFENCE_REQUEST["country"]))
