"""The demo county's keeping units and what each holds for A3B1–A3B3, with three planted gaps."""

from __future__ import annotations

from typing import Any

from docgen.demo import county

# A3B1: documents from every level, highest first, oldest first (seed 004).
COMMON_DOCUMENTS = [
    ("国务院办公厅关于进一步加强控辍保学提高义务教育巩固水平的通知", "国务院办公厅", "国办发〔2017〕72号",
     "national", "2017-07-28"),
    ("中华人民共和国义务教育法（2018年修正）", "全国人民代表大会常务委员会", "", "national", "2018-12-29"),
    ("湘南省人民政府办公厅关于进一步加强控辍保学工作的通知", "湘南省人民政府办公厅", "湘南政办发〔2021〕12号",
     "province", "2021-03-10"),
    ("青州市教育局关于做好2022年控辍保学工作的通知", "青州市教育局", "青市教〔2022〕8号", "city", "2022-02-20"),
    ("青石县教育局关于进一步加强义务教育阶段控辍保学工作的通知", "青石县教育局", "青教〔2022〕95号",
     "county", "2022-09-15"),
]
MECHANISM = {
    "B2-1": "控辍保学工作领导小组名单", "B2-2": "控辍保学工作方案（细化到人头）", "B2-3": "建卡等贫困学生关爱帮扶机制",
    "B2-4": "控辍保学工作会议记录", "B2-5": "宣传专栏、宣传单、海报、标语照片", "B2-6": "控辍保学工作简报",
    "B2-7": "疫情期间控辍保学工作预案",
}
LEDGERS = {"B3-1": "就读情况统计表", "B3-2": "县外就读情况统计表及学籍证明", "B3-3": "建卡贫困学生就读情况统计表"}


def _documents(town: county.Township, own: tuple[str, str, str] | None) -> list[dict[str, Any]]:
    plan = (f"{town.name}控辍保学实施方案", town.government, f"{town.doc_prefix}发〔2022〕56号", "township",
            "2022-08-05")
    docs = [*COMMON_DOCUMENTS, plan]
    if own:
        docs.append((own[0], own[1], "", "school", own[2]))
    return [{"title": t, **({"issuer": i} if i else {}), **({"doc_no": n} if n else {}), "level": lv, "date": d,
             "file": f"A3B1/{k:02d}_{t}.pdf"} for k, (t, i, n, lv, d) in enumerate(docs, 1)]


def _unit(name: str, kind: str, town: county.Township, villages: list[str], with_docs: bool,
          own_doc: tuple[str, str, str] | None = None) -> dict[str, Any]:
    unit: dict[str, Any] = {"name": name, "kind": kind, "township": town.name}
    if villages:
        unit["villages"] = villages
    if with_docs:
        unit["documents"] = _documents(town, own_doc)
        unit["items"] = {code: [f"A3B2/{code}_{title}.pdf"] for code, title in MECHANISM.items()}
    district = {"village": [name], "middle": ["本校"]}.get(kind, villages)
    codes = ("B3-1", "B3-3") if kind == "middle" else tuple(LEDGERS)
    unit["ledgers"] = {code: {v: f"A3B3/{code}_{v}_{LEDGERS[code]}.pdf" for v in district} for code in codes}
    return unit


def demo_units() -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The institutions file of the demo county and the institution-level gaps planted in it."""
    units = []
    for town in county.TOWNSHIPS:
        villages = list(town.villages)
        units.append(_unit(town.government, "township", town, villages, True))
        units.append(_unit(town.primary_school, "primary", town, villages, True,
                           (f"{town.primary_school}控辍保学工作方案", town.primary_school, "2022-08-30")))
        units.append(_unit(town.middle_school, "middle", town, [], True,
                           (f"{town.middle_school}控辍保学工作方案", town.middle_school, "2022-08-30")))
        units.extend(_unit(v, "village", town, [], False) for v in villages)
    by_name = {u["name"]: u for u in units}
    gaps = []

    tl_primary = by_name[county.TOWNSHIPS[1].primary_school]["documents"]
    tl_primary[2], tl_primary[4] = tl_primary[4], tl_primary[2]  # county notice filed before the province's
    gaps.append({"unit": county.TOWNSHIPS[1].primary_school, "item": "A3B1", "rule": "a3b1.order",
                 "description": "县级文件排在省级文件之前"})
    del by_name[county.TOWNSHIPS[0].middle_school]["items"]["B2-7"]
    gaps.append({"unit": county.TOWNSHIPS[0].middle_school, "item": "B2-7", "rule": "a3b2.present",
                 "description": "缺少疫情期间控辍保学工作预案"})
    del by_name[county.TOWNSHIPS[1].government]["ledgers"]["B3-2"]["白岩村"]
    gaps.append({"unit": county.TOWNSHIPS[1].government, "item": "B3-2", "rule": "a3b3.village-ledger",
                 "description": "缺少白岩村的县外就读情况统计表"})
    return {"schema_version": 1, "units": units}, gaps


def unit_files(unit: dict[str, Any]) -> list[tuple[str, str]]:
    """(file, what it is) for every file a unit's entry names."""
    files = [(d["file"], d["title"]) for d in unit.get("documents", [])]
    files += [(f, f"{code} {MECHANISM[code]}") for code, names in unit.get("items", {}).items() for f in names]
    files += [(f, f"{code} {village} {LEDGERS[code]}") for code, by_village in unit.get("ledgers", {}).items()
              for village, f in by_village.items()]
    return files
