"""``docgen account``: a real county's administrator makes units and accounts; the account signs in."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import sign_in
from django.test import Client

from docgen.cli import main
from docgen.service.county.models import Member


def test_an_account_is_made_in_its_unit_and_signs_in(db, workspace: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(main, ["account", "罗晓梅", "--unit", "云溪镇人民政府", "--kind", "township",
                                "--township", "云溪镇"])
    assert made.exit_code == 0, made.output
    password = made.output.strip().rsplit("：", 1)[1]
    member = Member.objects.select_related("unit").get(user__username="罗晓梅")
    assert (member.unit.county, member.unit.kind, member.unit.township) == ("青石县", "township", "云溪镇")
    sign_in(Client(), "罗晓梅", password)
    refused = runner.invoke(main, ["account", "张三", "--unit", "云溪镇中心小学", "--kind", "school"])
    assert refused.exit_code == 2 and "要写明所属乡镇" in refused.output
    assert not Member.objects.filter(user__username="张三").exists()
