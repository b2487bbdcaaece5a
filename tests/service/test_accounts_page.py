"""The county bureau manages units and accounts in the browser: a new account (and unit) signs in with the
password shown once; a password reset; nobody else sees the page; every change is logged (never a password)."""

from __future__ import annotations

from conftest import client_of, sign_in
from django.test import Client

from docgen.service.county.models import AuditEvent, Member

NEW = {"username": "周老师", "unit": "云溪镇石桥小学", "kind": "school", "township": "云溪镇", "new_unit": "on"}


def test_the_bureau_adds_an_account_in_a_new_unit_and_resets_a_password(accounts: dict[str, str]) -> None:
    bureau = client_of(accounts, "青石县教育局")
    page = bureau.post("/accounts/", NEW)
    made = page.context["made"]
    assert made[:2] == ("周老师", "云溪镇石桥小学") and made[2] in page.content.decode()
    member = Member.objects.select_related("unit").get(user__username="周老师")
    assert (member.unit.county, member.unit.kind, member.unit.township) == ("青石县", "school", "云溪镇")
    sign_in(Client(), "周老师", made[2])
    asked = bureau.post("/accounts/周老师/reset/")  # first what it will do: the old password stops working
    assert "原密码立即失效" in asked.content.decode() and "made" not in asked.context
    sign_in(Client(), "周老师", made[2])  # still the old one
    confirm = {"confirmed": "1", "token": asked.context["token"]}
    reset = bureau.post("/accounts/周老师/reset/", confirm).context["made"]
    assert reset[2] != made[2]
    sign_in(Client(), "周老师", reset[2])
    again = bureau.post("/accounts/周老师/reset/", confirm, follow=True)  # the page sent again (a reload)
    assert "密码已经重设过了" in again.content.decode() and again.context.get("made") is None
    sign_in(Client(), "周老师", reset[2])  # the password shown still works
    events = list(AuditEvent.objects.filter(action="管理账号").order_by("id"))
    assert [e.target for e in events] == ["周老师", "周老师"]
    assert not any(made[2] in str(e.detail) or reset[2] in str(e.detail) for e in events)


def test_a_unit_not_in_the_list_is_made_only_when_asked_with_a_warning_of_a_close_name(
        accounts: dict[str, str]) -> None:
    from docgen.service.county.models import Unit

    bureau = client_of(accounts, "青石县教育局")
    units = Unit.objects.count()
    typo = bureau.post("/accounts/", NEW | {"unit": "云溪中心小学", "new_unit": ""}).context["form"]
    assert "本县还没有单位“云溪中心小学”。相近的单位：云溪镇中心小学" in typo.errors["unit"][0]
    assert Unit.objects.count() == units and not Member.objects.filter(user__username="周老师").exists()
    made = bureau.post("/accounts/", NEW | {"unit": "云溪中心小学"}, follow=True)
    assert made.context["made"][1] == "云溪中心小学" and Unit.objects.count() == units + 1
    assert "本县已有相近的单位：云溪镇中心小学" in made.content.decode()
    existing = bureau.post("/accounts/", NEW | {"username": "吴老师", "unit": "云溪镇中心小学", "new_unit": ""})
    assert existing.context["made"][1] == "云溪镇中心小学" and Unit.objects.count() == units + 1


def test_adding_an_account_under_a_name_taken_never_moves_that_account(accounts: dict[str, str]) -> None:
    bureau = client_of(accounts, "青石县教育局")
    first = bureau.post("/accounts/", NEW).context["made"]
    again = bureau.post("/accounts/", NEW | {"unit": "桐林乡中心小学", "township": "桐林乡", "new_unit": ""})
    assert "made" not in again.context or again.context["made"] is None
    assert "本县已有账号“周老师”（云溪镇石桥小学），请换一个用户名" in again.context["form"].errors["username"][0]
    assert Member.objects.get(user__username="周老师").unit.name == "云溪镇石桥小学"
    sign_in(Client(), "周老师", first[2])  # the password shown first still works


def test_the_bureau_resets_its_own_password_and_stays_signed_in(accounts: dict[str, str]) -> None:
    bureau = client_of(accounts, "青石县教育局")
    page = bureau.post("/accounts/青石县教育局/reset/").content.decode()
    assert "这是您自己正在使用的账号" in page
    token = bureau.post("/accounts/青石县教育局/reset/").context["token"]
    made = bureau.post("/accounts/青石县教育局/reset/", {"confirmed": "1", "token": token}).context["made"]
    assert bureau.get("/accounts/").status_code == 200  # still signed in
    sign_in(Client(), "青石县教育局", made[2])


def test_a_wrong_account_is_refused_in_chinese(accounts: dict[str, str]) -> None:
    bureau = client_of(accounts, "青石县教育局")
    missing = bureau.post("/accounts/", NEW | {"township": ""}).context["form"]
    assert "学校要写明所属乡镇" in missing.non_field_errors()[0]
    clash = bureau.post("/accounts/", NEW | {"unit": "云溪镇中心小学", "kind": "auditor"}).context["form"]
    assert "已经登记为学校" in clash.non_field_errors()[0]
    slash = bureau.post("/accounts/", NEW | {"unit": "云溪镇/石桥小学"}).context["form"]  # never a path, anywhere
    assert "不能有 / 或 \\" in slash.non_field_errors()[0]
    named = bureau.post("/accounts/", NEW | {"username": "周/老师"}).context["form"]
    assert "用户名只能含文字、数字" in named.non_field_errors()[0]
    assert not Member.objects.filter(user__username="周老师").exists()


def test_only_the_bureau_manages_accounts(accounts: dict[str, str]) -> None:
    for name in ("青石县人民政府教育督导室", "云溪镇", "桐林乡中心小学"):
        client = client_of(accounts, name)
        assert client.get("/accounts/").status_code == 404
        assert client.post("/accounts/", NEW).status_code == 404
        assert client.post("/accounts/云溪镇/reset/").status_code == 404
        assert client.post("/accounts/云溪镇/reset/", {"confirmed": "1"}).status_code == 404
    assert not Member.objects.filter(user__username="周老师").exists()
