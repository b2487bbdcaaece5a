"""The fictional demo county 青石县: its townships, villages, schools, staff and school terms.

Everything here is invented. ID numbers use the made-up division code 439921 and are valid by the
GB 11643 check digit only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PROVINCE = "湘南省"
CITY = "青州市"
COUNTY = "青石县"
DIVISION_CODE = "439921"
EDUCATION_BUREAU = "青石县教育局"


@dataclass(frozen=True)
class Township:
    name: str
    government: str
    doc_prefix: str  # 发文机关代字 of the township government, e.g. 云政
    villages: tuple[str, ...]
    primary_school: str
    middle_school: str
    officer: tuple[str, str]  # 社事办 officer: name, role


TOWNSHIPS = (
    Township(
        name="云溪镇", government="云溪镇人民政府", doc_prefix="云政",
        villages=("石桥村", "柳湾村", "龙潭社区"),
        primary_school="云溪镇中心小学", middle_school="云溪镇初级中学",
        officer=("罗晓梅", "社事办主任"),
    ),
    Township(
        name="桐林乡", government="桐林乡人民政府", doc_prefix="桐政",
        villages=("桐林村", "枫坪村", "白岩村"),
        primary_school="桐林乡中心小学", middle_school="桐林乡初级中学",
        officer=("杨国栋", "社事办干事"),
    ),
)

# Teachers who go on home visits, with gender (送教上门 needs at least one man per visit, seed 001).
TEACHERS = {
    "云溪镇中心小学": (("周建军", "male"), ("刘芳", "female"), ("陈静", "female")),
    "云溪镇初级中学": (("黄志强", "male"), ("吴丽", "female"), ("赵敏", "female")),
    "桐林乡中心小学": (("孙伟", "male"), ("何秀英", "female"), ("郭燕", "female")),
    "桐林乡初级中学": (("马德明", "male"), ("林娟", "female"), ("高晓红", "female")),
}

HEAD_TEACHER_PHONES = {
    "云溪镇中心小学": "0739-6231001", "云溪镇初级中学": "0739-6232002",
    "桐林乡中心小学": "0739-6341003", "桐林乡初级中学": "0739-6342004",
}

VILLAGE_HEADS = {
    "石桥村": "彭永福", "柳湾村": "邓红霞", "龙潭社区": "曾德华",
    "桐林村": "唐春生", "枫坪村": "谢冬梅", "白岩村": "蒋光明",
}

# Each issuing unit's 签发人 (its head, who signs what it sends upwards), the person a letter names to call back
# and the unit's phone: the workspace settings a county writes once (docgen-workspace.yaml, units).
UNITS = {
    EDUCATION_BUREAU: {"signer": "周国平", "contact": "何建新", "phone": "0739-6210001"},
    "云溪镇人民政府": {"signer": "张建华", "contact": "罗晓梅", "phone": "0739-6230100"},
    "桐林乡人民政府": {"signer": "唐振华", "contact": "杨国栋", "phone": "0739-6340100"},
    "云溪镇中心小学": {"signer": "胡文军", "contact": "刘芳", "phone": "0739-6231000"},
    "云溪镇初级中学": {"signer": "宋立新", "contact": "吴丽", "phone": "0739-6232000"},
    "桐林乡中心小学": {"signer": "冯志明", "contact": "何秀英", "phone": "0739-6341000"},
    "桐林乡初级中学": {"signer": "彭光辉", "contact": "林娟", "phone": "0739-6342000"},
}
# The demo province's (fictional) 较大数额罚款 for a citizen: a proposed fine from this sum on offers a hearing.
HEARING_FINE = 2000

# The demo county's own (fictional) documents, each adopting the requirements of one local document of the sources
# register (checklists/sources.yaml): what the demo's audit, due list and archive cite as its basis. A real county
# lists its own in docgen-workspace.yaml (adopted_documents).
ADOPTED = {
    "xianyi-2022-56": {"issuer": EDUCATION_BUREAU, "title": "关于印发《青石县进一步加强控辍保学工作实施方案》的通知",
                       "doc_no": "青教发〔2022〕31号", "date": "2022-08-10"},
    "tanghe-2022-95": {"issuer": EDUCATION_BUREAU, "title": "关于开展义务教育控辍保学专项行动“回头看”工作的通知",
                       "doc_no": "青教发〔2022〕35号", "date": "2022-08-26"},
    "qingtongxia-2018-49": {"issuer": f"{COUNTY}人民政府办公室",
                            "title": "关于进一步加强控辍保学工作 全面提高义务教育巩固水平的实施方案",
                            "doc_no": "青政办发〔2022〕18号", "date": "2022-06-15"},
    "county-2022-0924": {"issuer": EDUCATION_BUREAU, "title": "关于进一步加强义务教育阶段控辍保学工作的通知",
                         "doc_no": "青教发〔2022〕40号", "date": "2022-09-24"},
    "district-2022-plan": {"issuer": EDUCATION_BUREAU, "title": "2022年义务教育阶段控辍保学工作方案",
                           "doc_no": "青教发〔2022〕12号", "date": "2022-03-01"},
}

# School terms of the demo years; holidays inside a term are weeks with no teaching.
TERMS = (
    ("2021-2022学年第二学期", dt.date(2022, 2, 14), dt.date(2022, 7, 8)),
    ("2022-2023学年第一学期", dt.date(2022, 9, 1), dt.date(2023, 1, 13)),
)
HOLIDAYS = ((dt.date(2022, 10, 1), dt.date(2022, 10, 7)),)


def township_of(school: str) -> Township:
    """The township a school belongs to."""
    for town in TOWNSHIPS:
        if school in (town.primary_school, town.middle_school):
            return town
    raise KeyError(school)
