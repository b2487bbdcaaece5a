"""The 24 cases of the demo county: every category, most complete, some with planted gaps.

Each story function returns its builder; the builder's ``gaps`` list the gaps a completeness check
must find in that case — and no others anywhere.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from docgen import idcard
from docgen.demo import county
from docgen.demo.builder import CaseBuilder, date, weekly

YX, TL = county.TOWNSHIPS
REFUSE4_AGREE = ["refused", "refused", "undecided", "undecided"]


@dataclass(frozen=True)
class Gap:
    """A gap planted on purpose: the case, the archive item, the rule that finds it and what is wrong, in words."""

    case_id: str
    item: str
    rule: str  # the checklist rule that must find it
    description: str


Story = Callable[[random.Random, set[str]], CaseBuilder]
STORIES: list[Story] = []


def story(func: Story) -> Story:
    STORIES.append(func)
    return func


def gap(b: CaseBuilder, rule: str, description: str) -> None:
    b.gaps.append(Gap(b.case_id, b.case["situation"]["category"], rule, description))


def returned(b: CaseBuilder, day: str, grade: int, class_no: int = 1) -> None:
    b.case["return_info"] = {"returned_on": day, "school": b.school, "grade": grade,
                             "class_name": f"{class_no}班", "head_teacher": dict(b.head_teacher)}


def close(b: CaseBuilder, day: str) -> None:
    b.case["situation"]["status"] = "closed_out"
    b.case["situation"]["closed_on"] = day


# ---- B4-1 劝返回原学校就读 -----------------------------------------------------------------------
def _b41(rng: random.Random, used: set[str], seq: int, school: str, grade: int, gender: str, born: str,
         village: str, dropout: str, reason: str, days: list[str], order_on: str, back_on: str,
         flags: tuple[str, ...] = ()) -> CaseBuilder:
    b = CaseBuilder(rng, used, seq=seq, category="B4-1", school=school, grade=grade, gender=gender, born=born,
                    village=village, dropout=dropout, reason=reason, status="returned", flags=flags)
    outcomes = [*([*REFUSE4_AGREE, "undecided"])[:len(days) - 1], "agreed_return"]
    b.persuade_series(days, outcomes)
    served = (date(order_on) + dt.timedelta(days=1)).isoformat()
    b.notice("return_order", order_on, seq, served=served)
    b.case["situation"]["step"] = "order"
    returned(b, back_on, grade, 2)
    b.ev("registry_certificate", back_on, "学籍证明（学校盖章）", "pdf")
    return b


@story
def case_001(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = _b41(rng, used, 1, YX.middle_school, 8, "male", "2008-05-12", "石桥村", "2022-09-05", "厌学，外出打零工",
             ["2022-09-08", "2022-09-13", "2022-09-19", "2022-09-26", "2022-10-10"], "2022-09-14", "2022-10-12")
    b.ev("school_photo", "2022-10-14", "复学后在校就读照片")
    return b


@story
def case_002(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = _b41(rng, used, 2, YX.primary_school, 6, "female", "2010-11-03", "柳湾村", "2022-09-13",
             "家庭困难，在家照看弟妹", ["2022-09-15", "2022-09-22", "2022-09-29", "2022-10-13", "2022-10-20"],
             "2022-09-23", "2022-10-24", flags=("registered_poor",))
    b.ev("school_photo", "2022-10-26", "复学后在校就读照片")
    return b


@story
def case_003(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = _b41(rng, used, 3, TL.middle_school, 7, "male", "2009-07-21", "枫坪村", "2022-10-10", "学习困难，厌学",
             ["2022-10-12", "2022-10-19", "2022-10-26", "2022-11-02"], "2022-10-20", "2022-11-07")
    b.ev("school_photo", "2022-11-09", "复学后在校就读照片")
    gap(b, "persuasion.five", "劝返记录只有4次，少于5次")
    return b


@story
def case_004(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = _b41(rng, used, 4, TL.primary_school, 5, "female", "2011-03-09", "桐林村", "2022-09-19",
             "父母外出务工，留守在家无人督促上学",
             ["2022-09-21", "2022-09-28", "2022-10-12", "2022-10-19", "2022-10-26"], "2022-09-29", "2022-10-31",
             flags=("left_behind",))
    b.ev("school_photo", "2022-11-02", "复学后在校就读照片", withheld=True)
    gap(b, "evidence.file", "在校就读照片登记在案，但文件未提交")
    return b


@story
def case_005(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = _b41(rng, used, 5, YX.middle_school, 9, "female", "2007-12-30", "龙潭社区", "2022-09-26", "早恋，不愿上学",
             ["2022-09-28", "2022-10-09", "2022-10-17", "2022-10-24", "2022-11-07"], "2022-10-10", "2022-11-09")
    b.ev("school_photo", "2022-11-11", "复学后在校就读照片")
    close(b, "2022-11-30")
    return b


# ---- B4-2 依法办理初中毕业（结业）证 ---------------------------------------------------------------
def _b42(rng: random.Random, used: set[str], seq: int, school: str, gender: str, born: str, village: str,
         dropout: str, days: list[str], outcomes: list[str], order_on: str, result: str,
         cert_on: str) -> CaseBuilder:
    b = CaseBuilder(rng, used, seq=seq, category="B4-2", school=school, grade=9, gender=gender, born=born,
                    village=village, dropout=dropout, reason="初三下学期辍学外出务工", status="closed_out")
    b.persuade_series(days, outcomes)
    b.notice("return_order", order_on, seq, served=(date(order_on) + dt.timedelta(days=1)).isoformat())
    b.case["situation"]["step"] = "order"
    b.case["situation"]["closed_on"] = cert_on
    exam = "2022-06-18"
    kind = "graduation" if result == "pass" else "completion"
    b.case["graduation"] = {"exam_date": exam, "result": result,
                            "certificate": {"kind": kind, "number": f"QSB2022{seq:04d}", "issued_on": cert_on}}
    b.ev("exam_photo", exam, "参加毕业考试照片")
    b.ev("exam_paper", exam, "毕业考试试卷（教务处存档）", "pdf")
    b.ev("certificate_copy", cert_on, "毕业（结业）证书复印件", "pdf")
    return b


@story
def case_006(rng: random.Random, used: set[str]) -> CaseBuilder:
    return _b42(rng, used, 6, YX.middle_school, "male", "2006-10-08", "石桥村", "2022-03-07",
                ["2022-03-10", "2022-03-21", "2022-04-06", "2022-04-20", "2022-05-09"],
                [*REFUSE4_AGREE, "agreed_exam"], "2022-03-22", "pass", "2022-07-05")


@story
def case_007(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = _b42(rng, used, 7, TL.middle_school, "female", "2007-01-15", "白岩村", "2022-03-14",
             ["2022-03-16", "2022-03-28", "2022-04-11", "2022-05-16", "2022-06-06"],
             ["refused", "refused", "undecided", "agreed_exam", "agreed_exam"], "2022-03-29", "fail", "2022-07-05")
    gap(b, "b4-2.not-in-exam-month", "最后一次劝返记录（2022-06-06）在考试月（2022年6月）")
    return b


@story
def case_008(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = _b42(rng, used, 8, YX.middle_school, "male", "2006-12-02", "柳湾村", "2022-03-21",
             ["2022-03-23", "2022-04-07", "2022-04-21", "2022-05-10", "2022-07-15"],
             ["refused", "undecided", "undecided", "agreed_exam", "agreed_exam"], "2022-04-08", "pass", "2022-07-05")
    gap(b, "b4-2.certificate-after-persuasion", "毕业证发证日期（2022-07-05）早于最后一次劝返（2022-07-15）")
    gap(b, "graduation-exam.before-agreement", "毕业考试（2022-06-18）早于最后一次劝返（2022-07-15）")
    return b


# ---- B4-3 县级扶贫工作领导小组核实同意（该措施已停止实施） ---------------------------------------
@story
def case_009(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = CaseBuilder(rng, used, seq=9, category="B4-3", school=TL.middle_school, grade=8, gender="male",
                    born="2008-02-17", village="枫坪村", dropout="2021-11-08",
                    reason="监护人已履行法定义务，学生本人拒不返校", status="dropped_out")
    for day in ("2021-11-15", "2021-12-06", "2022-01-10"):
        b.persuade(day, "refused", "joint_visit")
    b.notice("return_order", "2021-11-16", 9, served="2021-11-17")
    b.case["leading_group_approval"] = {
        "body": "青石县扶贫开发工作领导小组", "approved_on": "2022-02-20", "signatories": ["王建设", "李文华"],
        "measure": "suspension",
        "evidence": [b.ev("leading_group_approval", "2022-02-20", "领导小组核实同意签字表", "pdf")],
    }
    approvals = [(TL.middle_school, "school", "2022-02-23"), (county.EDUCATION_BUREAU, "bureau", "2022-02-25")]
    b.application("suspension", "2022-02-22", approvals, "suspension_form", ("2022-02-28", "2022-07-08"))
    b.persuade("2022-03-15", "refused")
    b.case["situation"]["step"] = "order"
    return b


# ---- B4-4 休学 ----------------------------------------------------------------------------------
def _b44(rng: random.Random, used: set[str], seq: int, school: str, grade: int, gender: str, born: str,
         village: str, dropout: str, reason: str, hospital: tuple[str, str], seen_on: str, applied: str,
         approved: str) -> CaseBuilder:
    b = CaseBuilder(rng, used, seq=seq, category="B4-4", school=school, grade=grade, gender=gender, born=born,
                    village=village, dropout=dropout, reason=reason, status="closed_out")
    b.case["diagnosis"] = {"hospital": hospital[0], "hospital_level": hospital[1], "date": seen_on,
                           "diagnosis": reason, "recommendation": "建议休学一学期，住院治疗",
                           "recommends_leave": True, "inpatient": True}
    b.ev("diagnosis_certificate", seen_on, "诊断证明（含休学建议）", "pdf")
    b.ev("inpatient_proof", seen_on, "住院证明", "pdf")
    b.ev("medical_receipt", seen_on, "住院收费单据", "pdf")
    b.application("suspension", applied, [(school, "school", approved), (county.EDUCATION_BUREAU, "bureau", approved)],
                  "suspension_form", (dropout, "2023-01-13"))
    b.case["situation"]["closed_on"] = approved
    return b


@story
def case_010(rng: random.Random, used: set[str]) -> CaseBuilder:
    return _b44(rng, used, 10, YX.primary_school, 4, "female", "2012-06-25", "龙潭社区", "2022-09-01",
                "急性淋巴细胞白血病", ("青州市中心医院", "city"), "2022-08-26", "2022-09-02", "2022-09-08")


@story
def case_011(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = _b44(rng, used, 11, TL.middle_school, 7, "male", "2009-09-30", "桐林村", "2022-10-17",
             "股骨骨折术后需卧床休养", ("桐林乡卫生院", "township"), "2022-10-14", "2022-10-18", "2022-10-28")
    gap(b, "b4-4.hospital-level", "诊断证明出自乡镇卫生院，不是县级以上医院")
    return b


# ---- B4-5 免（缓）学 ---------------------------------------------------------------------------
def _b45(rng: random.Random, used: set[str], seq: int, kind: str, school: str, grade: int, gender: str,
         born: str, village: str, dropout: str, grade_no: int, rehab_since: str, applied: str,
         steps: list[tuple[str, str, str]]) -> CaseBuilder:
    b = CaseBuilder(rng, used, seq=seq, category="B4-5", school=school, grade=grade, gender=gender, born=born,
                    village=village, dropout=dropout, reason="重度智力残疾，无法接受学校教育", status="closed_out",
                    flags=("disabled", "registered_poor"))
    id_number = b.case["student"]["id_number"]
    b.case["disability_certificate"] = {"kind": "intellectual", "grade": grade_no,
                                        "number": f"{id_number}5{grade_no}", "issued_on": "2019-05-10"}
    b.ev("disability_certificate", "2019-05-10", "残疾人证（智力残疾）", "pdf")
    b.case["rehabilitation"] = {"since": rehab_since, "institution": "青石县残疾人康复中心",
                                "outcome": "康复训练后学习能力无明显改善"}
    b.ev("guardian_application", applied, "监护人缓（免）学申请书", "pdf")
    b.application(kind, applied, steps, "deferral_form")
    b.ev("onsite_photo", applied, "学校和村（社区）现场认定照片")
    b.case["situation"]["closed_on"] = steps[-1][2]
    return b


@story
def case_012(rng: random.Random, used: set[str]) -> CaseBuilder:
    town = YX
    return _b45(rng, used, 12, "deferral", town.primary_school, 1, "male", "2015-04-11", "石桥村", "2021-09-01",
                1, "2019-06-01", "2021-09-03",
                [(town.primary_school, "school", "2021-09-06"), ("石桥村村民委员会", "village", "2021-09-06"),
                 (town.government, "township", "2021-09-10"), (county.EDUCATION_BUREAU, "bureau", "2021-09-15")])


@story
def case_013(rng: random.Random, used: set[str]) -> CaseBuilder:
    town = TL
    b = _b45(rng, used, 13, "exemption", town.primary_school, 2, "female", "2014-01-20", "白岩村", "2022-09-01",
             2, "2021-03-01", "2022-09-05",
             [(town.primary_school, "school", "2022-09-08"), ("白岩村村民委员会", "village", "2022-09-08"),
              (town.government, "township", "2022-09-14"), (county.EDUCATION_BUREAU, "bureau", "2022-09-20")])
    gap(b, "b4-5.exemption-rehabilitation", "办理免学，但康复治疗自2021-03-01起不满2年")
    return b


# ---- B4-6 重度残疾儿童少年送教上门 --------------------------------------------------------------
HOME_SUBJECTS = ("生活适应", "康复训练", "沟通与交往", "生活语文", "生活数学")


def _b46(rng: random.Random, used: set[str], seq: int, school: str, grade: int, gender: str, born: str,
         village: str, reason: str, kind: str, weekday: int, skip: tuple[dt.date, ...] = ()) -> CaseBuilder:
    b = CaseBuilder(rng, used, seq=seq, category="B4-6", school=school, grade=grade, gender=gender, born=born,
                    village=village, dropout="2022-09-01", reason=reason, status="closed_out",
                    flags=("disabled", "registered_poor"))
    id_number = b.case["student"]["id_number"]
    digit = {"physical": "4", "multiple": "7"}[kind]
    b.case["disability_certificate"] = {"kind": kind, "grade": 1, "number": f"{id_number}{digit}1",
                                        "issued_on": "2020-04-15"}
    b.case["situation"]["closed_on"] = "2022-09-05"
    for kind_, description in (
        ("student_info_sheet", "学生基本信息表"), ("disability_certificate", "残疾人证"),
        ("poverty_proof", "建档立卡证明"), ("consent_form", "送教上门家长同意书"),
        ("assessment_form", "学生能力评估表"),
        ("teaching_plan", "送教上门教学训练方案（课程计划、授课内容、时间、地点、课表）"),
    ):
        b.ev(kind_, "2022-09-05", description, "pdf")
    male, *women = county.TEACHERS[school]
    days = weekly(date("2022-09-05"), date("2023-01-13"), (weekday,), skip)
    b.teaching("home_teaching", "2022-09-05", days, hours=2, subject_cycle=HOME_SUBJECTS,
               teachers=[male, women[0]], per_session=("teaching_record", "teaching_photo"))
    b.ev("statistics_table", "2023-01-13", "送教上门情况统计表", "pdf")
    b.ev("audio_video", "2022-10-12", "送教上门音频记录", "wav")
    return b


@story
def case_014(rng: random.Random, used: set[str]) -> CaseBuilder:
    return _b46(rng, used, 14, YX.primary_school, 3, "male", "2013-08-08", "柳湾村", "重度肢体残疾，无法到校就读",
                "physical", 2)


@story
def case_015(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = _b46(rng, used, 15, TL.primary_school, 4, "female", "2012-10-10", "桐林村", "重度多重残疾，无法到校就读",
             "multiple", 1, skip=(date("2022-11-15"),))
    gap(b, "b4-6.weekly", "送教上门漏了一周：2022-11-14 至 2022-11-20 当周没有送教记录")
    return b


@story
def case_016(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = _b46(rng, used, 16, YX.middle_school, 7, "male", "2010-03-03", "石桥村", "脑性瘫痪，重度肢体残疾",
             "physical", 3)
    session = next(s for s in b.case["home_teaching"]["sessions"] if s["date"] == "2022-10-20")
    session["teachers"] = [{"name": n, "gender": g} for n, g in county.TEACHERS[YX.middle_school][1:]]
    gap(b, "b4-6.two-teachers", "2022-10-20 送教上门的两名教师均为女性，没有男教师同行")
    return b


# ---- B4-7 随父母外出打工、举家外迁 -------------------------------------------------------------
def _b47(rng: random.Random, used: set[str], seq: int, school: str, grade: int, gender: str, born: str,
         village: str, dropout: str, inflow: tuple[str, str, str], days: list[str], order_on: str,
         letter_on: str, reply_on: str | None) -> CaseBuilder:
    b = CaseBuilder(rng, used, seq=seq, category="B4-7", school=school, grade=grade, gender=gender, born=born,
                    village=village, dropout=dropout, reason=f"随父母到{inflow[1]}务工", status="dropped_out",
                    flags=("migrant",))
    b.case["inflow_place"] = {"province": inflow[0], "city": inflow[1], "county": inflow[2], "moved_on": dropout}
    outcomes = ["refused", "undecided", "undecided", "undecided", "agreed_return" if reply_on else "undecided"]
    for day, outcome, method in zip(days, outcomes, ("phone", "video", "phone", "video", "phone"), strict=True):
        b.persuade(day, outcome, method, place="电话/视频联系在外家长")
    b.case["notices"] = []
    b.notice("return_order", order_on, seq, served=(date(order_on) + dt.timedelta(days=5)).isoformat())
    b.case["notices"][0]["service_method"] = "post"
    b.case["situation"]["step"] = "order"
    government = f"{inflow[2]}人民政府"
    b.letter("inflow_government", government, letter_on, seq, "商请协助劝返适龄少年入学并复函", reply_on)
    return b


@story
def case_017(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = _b47(rng, used, 17, YX.middle_school, 8, "female", "2008-09-14", "龙潭社区", "2022-09-01",
             ("广东省", "东莞市", "长安镇"), ["2022-09-05", "2022-09-13", "2022-09-21", "2022-10-08", "2022-10-17"],
             "2022-09-14", "2022-09-20", "2022-10-11")
    close(b, "2022-10-20")
    return b


@story
def case_018(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = _b47(rng, used, 18, TL.middle_school, 9, "male", "2007-06-06", "枫坪村", "2022-09-05",
             ("浙江省", "金华市", "义乌市"), ["2022-09-08", "2022-09-19", "2022-09-30", "2022-10-14", "2022-10-28"],
             "2022-09-20", "2022-09-28", None)
    gap(b, "b4-7.reply", "2022-09-28 致义乌市人民政府的函没有流入地政府复函")
    del b.case["situation"]["reported_on"]  # never reported in writing: the due list and the audit say so
    gap(b, "written-report.missing", "离校超过一个星期，没有书面报告乡镇人民政府和教育局")
    return b


@story
def case_019(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = _b47(rng, used, 19, TL.primary_school, 6, "female", "2011-01-25", "白岩村", "2022-09-01",
             ("福建省", "厦门市", "集美区"), ["2022-09-06", "2022-09-14", "2022-09-23", "2022-10-10", "2022-10-18"],
             "2022-09-15", "2022-09-22", "2022-10-14")
    close(b, "2022-10-25")
    return b


# ---- B4-8 极度厌学、严重破坏学校秩序、连续反复辍学 -------------------------------------------------
REMOTE_SUBJECTS = ("语文", "数学", "英语", "道德与法治", "物理", "历史")


def _b48(rng: random.Random, used: set[str], seq: int, school: str, grade: int, gender: str, born: str,
         village: str, dropout: str, reason: str, days: list[str], order_on: str,
         skip: tuple[dt.date, ...] = ()) -> CaseBuilder:
    b = CaseBuilder(rng, used, seq=seq, category="B4-8", school=school, grade=grade, gender=gender, born=born,
                    village=village, dropout=dropout, reason=reason, status="dropped_out")
    b.persuade_series(days, [*REFUSE4_AGREE, "agreed_remote"])
    b.notice("return_order", order_on, seq, served=(date(order_on) + dt.timedelta(days=1)).isoformat())
    b.case["situation"]["step"] = "order"
    last = date(days[-1])
    meeting_on = (last + dt.timedelta(days=2)).isoformat()
    b.case["meetings"] = [{"date": meeting_on, "topic": "研判对该生采取远程送教",
                           "decision": "同意由学校安排专门教师远程送教，每周2次",
                           "evidence": [b.ev("meeting_minutes", meeting_on, "远程送教研判会议纪要", "pdf")]}]
    applied = (last + dt.timedelta(days=3)).isoformat()
    approved = (last + dt.timedelta(days=8)).isoformat()
    b.application("remote_teaching", applied, [(county.EDUCATION_BUREAU, "bureau", approved)], "request")
    b.case["applications"][-1]["evidence"].append(b.ev("approval_document", approved, "关于远程送教的批复", "pdf"))
    b.ev("teaching_plan", approved, "远程送教方案（课程计划、学科内容、时间安排、课表、人员、工具）", "pdf")
    start = (last + dt.timedelta(days=13)).isoformat()
    male = county.TEACHERS[school][0]
    days_taught = weekly(date(start), date("2023-01-13"), (1, 3), skip)
    b.teaching("remote_teaching", start, days_taught, hours=1, subject_cycle=REMOTE_SUBJECTS,
               teachers=[male], tool="QQ", per_session=("session_cover", "lesson_plan", "screenshot"))
    return b


@story
def case_020(rng: random.Random, used: set[str]) -> CaseBuilder:
    return _b48(rng, used, 20, YX.middle_school, 9, "male", "2007-04-18", "柳湾村", "2022-09-13",
                "极度厌学，多次反复辍学", ["2022-09-15", "2022-09-27", "2022-10-11", "2022-10-25", "2022-11-08"],
                "2022-09-28")


@story
def case_021(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = _b48(rng, used, 21, TL.middle_school, 8, "female", "2008-11-11", "桐林村", "2022-09-19",
             "厌学，沉迷网络，严重扰乱课堂秩序", ["2022-09-21", "2022-10-09", "2022-10-19", "2022-11-01", "2022-11-15"],
             "2022-10-10", skip=(date("2022-12-15"),))
    gap(b, "b4-8.twice-weekly", "远程送教 2022-12-12 至 2022-12-18 当周只有1次，少于每周2次")
    return b


# ---- B4-9 因家庭思想观念而辍学 ------------------------------------------------------------------
def _b49(rng: random.Random, used: set[str], seq: int, school: str, grade: int, gender: str, born: str,
         village: str, dropout: str, reason: str, days: list[str], order_on: str, penalty_on: str,
         letters_on: str, police_reply: str | None, fine: int = 0) -> CaseBuilder:
    b = CaseBuilder(rng, used, seq=seq, category="B4-9", school=school, grade=grade, gender=gender, born=born,
                    village=village, dropout=dropout, reason=reason, status="dropped_out")
    b.persuade_series(days, ["refused"] * 5)
    b.notice("return_order", order_on, seq, served=(date(order_on) + dt.timedelta(days=1)).isoformat())
    told_on = date(penalty_on) - dt.timedelta(days=11)
    b.notice("penalty_notice", told_on.isoformat(), seq, deadline_days=None, issuer=county.EDUCATION_BUREAU,
             served=(told_on + dt.timedelta(days=1)).isoformat())
    b.case["notices"][-1]["doc_no"] = f"青教罚告〔{penalty_on[:4]}〕{seq}号"
    b.notice("penalty_decision", penalty_on, seq, deadline_days=15, issuer=county.EDUCATION_BUREAU,
             served=(date(penalty_on) + dt.timedelta(days=1)).isoformat())
    b.case["notices"][-1]["doc_no"] = f"青教罚决〔{penalty_on[:4]}〕{seq}号"
    b.case["notices"][-1]["evidence"].append(b.ev("penalty_decision", penalty_on, "行政处罚决定书", "pdf"))
    _penalty(b, order_on, fine=fine)
    b.case["situation"]["step"] = "penalty"
    reply = (date(letters_on) + dt.timedelta(days=14)).isoformat()
    b.letter("labour_bureau", "青石县人力资源和社会保障局", letters_on, seq * 10 + 1,
             "商请查处违法招用未满16周岁未成年人并复函", reply)
    b.letter("police", "青石县公安局", letters_on, seq * 10 + 2, "商请协助落实监护人送子女入学责任并复函", police_reply)
    return b


PROVINCIAL_ACT = "《湘南省义务教育条例》"  # the demo province's (fictional) regulation that names the penalty


def _penalty(b: CaseBuilder, order_on: str, *, fine: int) -> None:
    """The county's record of the penalty proceeding: what the advance notice and the decision say."""
    father = b.case["guardians"][0]
    born = f"19{b.rng.randint(75, 88)}0{b.rng.randint(1, 9)}{b.rng.randint(10, 28)}"
    father["id_number"] = idcard.with_check_digit(f"{county.DIVISION_CODE}{born}{b.rng.randint(10, 99)}1")
    place = b.case["hukou_place"]
    student = b.case["student"]
    order = next(n for n in b.case["notices"] if n["kind"] == "return_order")
    b.case["penalty"] = {
        "organ": county.EDUCATION_BUREAU,
        "party": {"name": father["name"], "id_number": father["id_number"],
                  "address": f"{place['county']}{place['township']}{place['village']}{place['group']}"},
        "facts": (f"当事人之子女{student['name']}系适龄儿童少年，"
                  f"自{b.dropout.year}年{b.dropout.month}月{b.dropout.day}日起辍学。经学校、乡镇和村多次上门劝返，{order['issuer']}于{order_on[:4]}年{int(order_on[5:7])}月"
                  f"{int(order_on[8:])}日作出《限期复学通知书》并依法送达，责令限期送子女复学，"
                  "当事人逾期仍未送子女返校"),
        "proofs": ["劝返工作记录表5份及现场照片", "《限期复学通知书》及送达回证",
                   f"{student['school']}出具的学生缺勤证明"],
        "violated": "《中华人民共和国义务教育法》第五条第二款",
        "basis": f"《中华人民共和国义务教育法》第五十八条、{PROVINCIAL_ACT}第四十五条",
        "penalty_type": "fine" if fine else "warning",
        "penalty_content": f"罚款人民币{fine}元" if fine else "警告",
        "statement_days": 3,
        "statement": "当事人在规定期限内未提出陈述、申辩",
        "review_body": "青石县人民政府",
        "court": "青石县人民法院",
    }
    if fine:
        b.case["penalty"]["performance"] = "自收到本决定书之日起十五日内，到青石县财政局指定的代收银行缴纳罚款"


@story
def case_022(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = _b49(rng, used, 22, YX.primary_school, 5, "female", "2011-07-07", "石桥村", "2022-09-01",
             "家长认为女孩读书无用，留家务农", ["2022-09-05", "2022-09-09", "2022-09-16", "2022-09-23", "2022-10-12"],
             "2022-09-13", "2022-10-25", "2022-10-26", "2022-11-08")
    b.case["legal_actions"] = [{
        "kind": "circuit_court", "date": "2022-11-20", "authority": "青石县人民法院云溪人民法庭",
        "doc_no": "（2022）湘9921民初1208号", "summary": "巡回审理，责令监护人于2022年11月28日前送子女返校",
        "evidence": [b.ev("court_material", "2022-11-20", "巡回法庭庭审笔录及判决书", "pdf")],
    }]
    b.case["situation"]["step"] = "litigation"
    b.case["situation"]["status"] = "returned"
    returned(b, "2022-11-28", 5)
    return b


@story
def case_023(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = _b49(rng, used, 23, TL.middle_school, 7, "male", "2009-12-12", "白岩村", "2022-09-05",
             "家庭宗教观念影响，家长拒绝送学", ["2022-09-07", "2022-09-14", "2022-09-21", "2022-09-28", "2022-10-12"],
             "2022-09-15", "2022-10-28", "2022-10-31", None, fine=500)
    gap(b, "b4-9.replies", "2022-10-31 致青石县公安局的函没有复函")
    # The fine went unpaid: once the time to pay had passed the bureau reminded the father (行政强制法 Art. 54),
    # and when the six months for review and litigation were over it applied to the court within three months
    # (Art. 53) — 2023, the first day the procedure allows plus a few.
    b.case["notices"].append({"kind": "enforcement_reminder", "issuer": county.EDUCATION_BUREAU,
                              "issued_on": "2022-11-14", "served_on": "2022-11-15", "service_method": "direct"})
    b.case["notices"].append({"kind": "enforcement_application", "issuer": county.EDUCATION_BUREAU,
                              "issued_on": "2023-05-04"})
    b.case["situation"]["step"] = "litigation"
    return b


# ---- 送读工读学校 --------------------------------------------------------------------------------
@story
def case_024(rng: random.Random, used: set[str]) -> CaseBuilder:
    b = CaseBuilder(rng, used, seq=24, category="work_study", school=YX.middle_school, grade=8, gender="male",
                    born="2008-08-20", village="龙潭社区", dropout="2022-10-08", reason="严重违纪，多次打架，极度厌学",
                    status="closed_out")
    b.persuade_series(["2022-10-10", "2022-10-17", "2022-10-24"], ["refused", "undecided", "agreed_procedure"])
    b.application("work_study", "2022-10-28", [(YX.government, "township", "2022-11-01"),
                                              (county.EDUCATION_BUREAU, "bureau", "2022-11-04")],
                  "work_study_forms")
    b.ev("work_study_forms", "2022-10-28", "入校健康体检表", "pdf")
    b.ev("work_study_forms", "2022-11-04", "入学审批表", "pdf")
    b.case["situation"]["closed_on"] = "2022-11-07"
    return b
