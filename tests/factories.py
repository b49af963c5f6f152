import factory
from factory.django import DjangoModelFactory

from cases.models import Association, Membership, Organisation, Person, Role, User


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"测试侨联{n}")
    kind = Organisation.Kind.FEDERATION
    level = Organisation.Level.CITY
    number_prefix = factory.Sequence(lambda n: f"测{n}侨维")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def roles(user, create, extracted, **kwargs):
        """roles=[(organisation, role), …]"""
        for organisation, role in extracted or []:
            Membership.objects.create(user=user, organisation=organisation, role=role)
        user.save()


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    name_zh = factory.Sequence(lambda n: f"谭测试{n}")
    name_latin = factory.Sequence(lambda n: f"Tham Test {n}")
    identity = "foreign_chinese"
    nationality = "MY"
    residence_country = "MY"
    time_zone = "Asia/Kuala_Lumpur"


class AssociationFactory(DjangoModelFactory):
    class Meta:
        model = Association

    name = factory.Sequence(lambda n: f"测试宗亲会{n}")
    country = "MY"


def officer_of(organisation: Organisation, username: str, role: str = Role.CASE_OFFICER) -> User:
    return UserFactory(username=username, roles=[(organisation, role)])


def adviser_of(
    committee: Organisation,
    username: str,
    *,
    expertise: tuple[str, ...] = (),
    linked: tuple[Organisation, ...] = (),
    employer: str = "广东某律师事务所",
) -> User:
    """A member of the committee's 法顾委: a legal-adviser login with an adviser's profile
    (areas of expertise by code, linked grassroots units)."""
    from workflows.review.models import Adviser, ExpertiseArea

    user = UserFactory(
        username=username,
        display_name=username,
        email=f"{username}@example.org",
        roles=[(committee, Role.LEGAL_ADVISER)],
    )
    adviser, _created = Adviser.objects.get_or_create(
        user=user,
        defaults={"committee": committee, "employer_kind": "law_firm", "employer": employer},
    )
    adviser.expertise.set(ExpertiseArea.objects.filter(code__in=expertise))
    adviser.linked_units.set(linked)
    return user


def opinion_data(route: str = "coordination", **fields) -> dict:
    """A complete opinion, as the review screen sends it."""
    return {
        "facts": "祖坟位于义容镇某村山地，宗亲会持有1950年代照片。",
        "issues": "墓地是否被占用；迁移是否经批准。",
        "laws": [],
        "analysis": "依《民法典》相邻关系规定，应协商解决。",
        "route": route,
        "risk": "medium",
        "risk_notes": "宗亲会情绪激烈，协商不成可能引发信访，应先稳定情绪、固定证据。",
        "questions": "",
        **fields,
    }
