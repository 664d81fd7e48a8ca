import pytest

from consult import services

from ..factories import member_of

QUESTION = "夜泣きがひどくて、毎晩2時間おきに起きます。どうしたらよいでしょうか。"


@pytest.fixture
def counsellor(town_a):
    return member_of(town_a, "counsellor")


@pytest.fixture
def lead(town_a):
    return member_of(town_a, "counsellor_lead")


@pytest.fixture
def network(town_a):
    return member_of(town_a, "child_network")


@pytest.fixture
def make_case():
    """``make_case(town, question=…, **fields)``: a consultation as a parent would send it."""

    def make(town, question=QUESTION, passphrase="ひまわり畑で会いましょう", **fields):
        values = {
            "category": "parenting",
            "child_age": "0",
            "reply_channel": "check",
            **fields,
        }
        return services.submit(town.site, question=question, passphrase=passphrase, **values)

    return make
