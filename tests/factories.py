import datetime as dt
import zoneinfo

import factory
from django.contrib.auth.models import Group

from accounts.models import secret_hash
from deployments.models import Assignment, Venue, VenueNeed
from notifications.models import Webhook
from pledges.models import K9Team, Pledge, PledgeLine
from reinforcements.models import LiaisonProfile, Operation, ReinforcementRequest, RequestLine, Specialty, User

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(day: int, hour: int = 0, month: int = 7) -> dt.datetime:
    """An instant of the test operation (July 2024, Paris time)."""
    return dt.datetime(2024, month, day, hour, tzinfo=PARIS)


def specialty(code: str) -> Specialty:
    return Specialty.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


class CoordinatorFactory(UserFactory):
    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        self.groups.add(Group.objects.get(name="coordinators"))


class ViewerFactory(UserFactory):
    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        self.groups.add(Group.objects.get(name="viewers"))


class LiaisonFactory(UserFactory):
    class Params:
        country = "PL"

    profile = factory.RelatedFactory(
        "tests.factories.LiaisonProfileFactory", factory_related_name="user", country=factory.SelfAttribute("..country")
    )


class LiaisonProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LiaisonProfile

    country = "PL"


class OperationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operation
        django_get_or_create = ("code",)

    code = "paris-2024"
    name = "Paris 2024"
    host_country = "FR"
    starts_on = dt.date(2024, 7, 1)
    ends_on = dt.date(2024, 9, 15)


class RequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReinforcementRequest

    operation = factory.SubFactory(OperationFactory)
    country = "PL"
    authority = "interior"
    status = "sent"
    response_due = dt.date(2024, 3, 1)
    period_start = dt.date(2024, 7, 10)
    period_end = dt.date(2024, 8, 20)
    message = "Please send officers."
    internal_notes = "Ask twice if needed."
    sent_at = factory.LazyAttribute(lambda r: None if r.status == "draft" else dt.datetime(2024, 1, 15, tzinfo=PARIS))


class RequestLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestLine

    request = factory.SubFactory(RequestFactory)
    specialty = factory.LazyFunction(lambda: specialty("public_order"))
    quantity = 20


class PledgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pledge

    request = factory.SubFactory(RequestFactory)
    status = "draft"
    commander_name = "Insp. Anna Nowak"
    commander_contact = "+48 22 000 00 00"


class PledgeLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PledgeLine

    pledge = factory.SubFactory(PledgeFactory)
    specialty = factory.LazyFunction(lambda: specialty("public_order"))
    officers_offered = 10
    officers_accepted = 0
    available_from = dt.date(2024, 7, 10)
    available_to = dt.date(2024, 8, 20)
    languages = ["pl", "en"]


class K9TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = K9Team

    pledge = factory.SubFactory(PledgeFactory)
    handler_name = factory.Sequence(lambda n: f"Handler {n}")
    dog_name = factory.Sequence(lambda n: f"Dog {n}")
    dog_breed = "Malinois"
    detection = "explosives"
    certification_expires_on = dt.date(2025, 6, 30)
    available_from = dt.date(2024, 7, 10)
    available_to = dt.date(2024, 8, 20)
    accepted = False
    # Ready for the border by default: vaccinated well over 21 days before the operation starts.
    microchip = factory.Sequence(lambda n: f"{616093900000000 + n:015d}")
    pet_passport = factory.Sequence(lambda n: f"PL-{n:08d}")
    rabies_vaccinated_on = dt.date(2024, 5, 1)
    echinococcus_treated_on = None


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    operation = factory.SubFactory(OperationFactory)
    code = factory.Sequence(lambda n: f"venue-{n}")
    name = factory.Sequence(lambda n: f"Venue {n}")
    kind = "stadium"


class VenueNeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VenueNeed

    venue = factory.SubFactory(VenueFactory)
    specialty = factory.LazyFunction(lambda: specialty("public_order"))
    starts_at = factory.LazyFunction(lambda: at(26, 8))
    ends_at = factory.LazyFunction(lambda: at(26, 20))
    quantity = 10


def accepted_line(officers=10, **kwargs) -> PledgeLine:
    """A line of an accepted pledge, with all its officers accepted."""
    return PledgeLineFactory(pledge__status="accepted", officers_offered=officers, officers_accepted=officers, **kwargs)


def accepted_team(**kwargs) -> K9Team:
    return K9TeamFactory(pledge__status="accepted", accepted=True, **kwargs)


class AssignmentFactory(factory.django.DjangoModelFactory):
    """Writes straight to the table: use deployments.transitions to test the rules."""

    class Meta:
        model = Assignment

    pledge_line = factory.LazyFunction(accepted_line)
    pledge = factory.LazyAttribute(lambda a: (a.pledge_line or a.k9_team).pledge)
    quantity = 2
    k9_team = None
    venue = factory.LazyAttribute(lambda a: VenueFactory(operation=a.pledge.request.operation))
    starts_at = factory.LazyFunction(lambda: at(26, 8))
    ends_at = factory.LazyFunction(lambda: at(26, 16))
    role = "Perimeter"
    status = "planned"


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation of a liaison officer; its secret is `secret` (the link's last part)."""

    class Meta:
        model = "accounts.Invitation"
        exclude = ["secret"]

    secret = factory.Sequence(lambda n: f"invitation-secret-{n}")
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    user = factory.SubFactory(
        UserFactory,
        email=factory.SelfAttribute("..email"),
        username=factory.SelfAttribute("..email"),
        password=factory.django.Password(None),
    )
    role = "liaison"
    country = "PL"
    language = "en"
    invited_by = factory.SubFactory(CoordinatorFactory)
    secret_hash = factory.LazyAttribute(lambda i: secret_hash(i.secret))


class WebhookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Webhook

    url = "https://hooks.example.org/reinforcements"
    events = factory.LazyFunction(lambda: ["*"])
    secret = factory.Sequence(lambda n: f"whsec_test_{n:04d}")
