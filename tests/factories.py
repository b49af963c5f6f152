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
