"""Forms: each field's rules and its Chinese messages, shown beside the field."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django import forms

from docgen.roster.model import outside_school_year, school_year_of


class RevealForm(forms.Form):
    reason = forms.CharField(label="查看原因", min_length=4, max_length=200,
                             widget=forms.TextInput(attrs={"placeholder": "如：办理学籍转接，需核对身份证号"}),
                             error_messages={"required": "请写明为什么需要查看完整身份证号",
                                             "min_length": "原因至少写 4 个字，说清楚用途",
                                             "max_length": "原因不超过 200 个字"})


PERSON_EXAMPLE = "罗晓梅 云溪镇人民政府 社事办主任"


def _choices(*path: str) -> list[tuple[str, str]]:
    from docgen.cases.schema import case_field

    return [("", "请选择"), *case_field(list(path)).labels.items()]


# A ledger cell holds several people as 姓名/单位/职务；… : these characters would cut a person in two there.
SEPARATORS = re.compile(r"[/\\;；]")


def _people(text: str, read: Callable[[int, list[str]], dict[str, str]], empty: str) -> list[dict[str, str]]:
    """People typed one per line (parts separated by spaces, 、 or ，), each read by ``read(line number, parts)``.
    A name, unit or role holding / \\ ; or ； is refused: the ledger could not hold it."""
    people = []
    for n, line in enumerate(text.splitlines(), 1):
        parts = re.sub(r"[、，,]", " ", line).split()
        if not parts:
            continue
        bad = next((p for p in parts if SEPARATORS.search(p)), None)
        if bad is not None:
            mark = SEPARATORS.search(bad)[0]
            raise forms.ValidationError(f"第 {n} 行的“{bad}”含有“{mark}”：姓名、单位和职务中不能有 / \\ ; ；，"
                                        "请用空格分开各项")
        people.append(read(n, parts))
    if not people:
        raise forms.ValidationError(empty)
    return people


class ReasonMixin:
    """A form that corrects a record: it also asks why (the reason goes into the history and the audit log)."""

    optional: tuple[str, ...] = ()

    def __init__(self, *args, with_reason: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if with_reason:
            self.fields["reason"] = forms.CharField(
                label="修改原因", min_length=4, max_length=200,
                error_messages={"required": "请写明为什么修改这条记录", "min_length": "原因至少写 4 个字",
                                "max_length": "原因不超过 200 个字"})


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回原因", min_length=4, max_length=200,
                             widget=forms.TextInput(attrs={"placeholder": "如：重复录入，同一次劝返已有记录"}),
                             error_messages={"required": "请写明撤回原因", "min_length": "原因至少写 4 个字",
                                             "max_length": "原因不超过 200 个字"})


class PersuasionForm(ReasonMixin, forms.Form):
    """A 劝返记录 as the case schema describes it; the whole case is checked again when it is saved."""

    optional = ("place",)

    date = forms.DateField(label="劝返日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"required": "请填写劝返日期", "invalid": "日期格式应为 2022-09-15"})
    method = forms.ChoiceField(label="劝返方式", choices=_choices("persuasions", "[]", "method"),
                               error_messages={"required": "请选择劝返方式",
                                               "invalid_choice": "请从列表中选择劝返方式"})
    place = forms.CharField(label="地点", max_length=100, required=False)
    participants = forms.CharField(
        label="劝返人员",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": f"每行一人：姓名 单位 职务\n{PERSON_EXAMPLE}"}),
        error_messages={"required": "请填写参加劝返的人员，每行一人"})
    content = forms.CharField(label="劝返内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                              error_messages={"required": "请填写劝返内容"})
    outcome = forms.ChoiceField(label="劝返结果", choices=_choices("persuasions", "[]", "outcome"),
                                error_messages={"required": "请选择劝返结果",
                                                "invalid_choice": "请从列表中选择劝返结果"})

    def clean_participants(self) -> list[dict[str, str]]:
        def person(n: int, parts: list[str]) -> dict[str, str]:
            if len(parts) < 2:
                raise forms.ValidationError(f"第 {n} 行只有“{parts[0]}”：每行写 姓名 单位 职务，如 {PERSON_EXAMPLE}")
            read = {"name": parts[0], "unit": parts[1]}
            if len(parts) > 2:
                read["role"] = " ".join(parts[2:])
            return read

        return _people(self.cleaned_data["participants"], person, "请填写参加劝返的人员，每行一人")

    def as_record(self) -> dict:
        data = self.cleaned_data
        record = {"date": data["date"].isoformat(), "method": data["method"], "participants": data["participants"],
                  "content": data["content"], "outcome": data["outcome"]}
        if data.get("place"):
            record["place"] = data["place"]
        return record

    @staticmethod
    def initial_of(item: dict) -> dict:
        """The form filled with a stored record (people one per line)."""
        people = "\n".join(" ".join(p.get(k, "") for k in ("name", "unit", "role") if p.get(k))
                            for p in item.get("participants", []) if isinstance(p, dict))
        return {**{k: item.get(k) for k in ("date", "method", "place", "content", "outcome")}, "participants": people}


class ServiceForm(forms.Form):
    """送达: when and how a notice reached the family."""

    served_on = forms.DateField(label="送达日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                error_messages={"required": "请填写送达日期", "invalid": "日期格式应为 2022-09-16"})
    service_method = forms.ChoiceField(label="送达方式", choices=_choices("notices", "[]", "service_method"),
                                       error_messages={"required": "请选择送达方式",
                                                       "invalid_choice": "请从列表中选择送达方式"})

    def as_changes(self) -> dict:
        return {"served_on": self.cleaned_data["served_on"].isoformat(),
                "service_method": self.cleaned_data["service_method"]}


class EvidenceForm(forms.Form):
    """One piece of evidence: its kind, the file, its date and a short description."""

    kind = forms.ChoiceField(label="材料种类", choices=_choices("evidence", "[]", "kind"),
                             error_messages={"required": "请选择材料种类", "invalid_choice": "请从列表中选择材料种类"})
    file = forms.FileField(label="文件（PDF、JPG/PNG 照片、Word、音视频）",
                           error_messages={"required": "请选择要上传的文件", "empty": "文件是空的"})
    date = forms.DateField(label="材料日期", required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"invalid": "日期格式应为 2022-09-16"})
    description = forms.CharField(label="说明", required=False, max_length=200)
    proves = forms.ChoiceField(label="这份材料证明哪条记录（劝返记录表、送达回证、送教记录等选上对应的记录）",
                               required=False,
                               error_messages={"invalid_choice": "没有这条记录，请从列表中选择"})

    def __init__(self, *args, targets: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proves"].choices = [("", "（不对应某一条记录）"), *targets]


GENDERS = {"男": "male", "女": "female"}


class TeachingForm(ReasonMixin, forms.Form):
    """One 送教上门 / 远程送教 session as the case schema describes it."""

    optional = ("tool", "content")

    date = forms.DateField(label="送教日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"required": "请填写送教日期", "invalid": "日期格式应为 2022-10-12"})
    class_hours = forms.DecimalField(label="学时", min_value=0.5, max_value=12, decimal_places=1,
                                     error_messages={"required": "请填写学时", "invalid": "学时应为数字，如 2",
                                                     "min_value": "学时至少 0.5", "max_value": "一次送教不超过 12 学时",
                                                     "max_decimal_places": "学时最多一位小数"})
    subject = forms.CharField(label="学科", max_length=40, error_messages={"required": "请填写学科，如 语文"})
    teachers = forms.CharField(label="送教教师",
                               widget=forms.Textarea(attrs={"rows": 2, "placeholder": "每行一人：姓名 性别\n周婷 女"}),
                               error_messages={"required": "请填写送教教师，每行一人"})
    tool = forms.CharField(label="送教工具（远程送教填写，如 微信视频）", max_length=40, required=False)
    content = forms.CharField(label="送教内容", widget=forms.Textarea(attrs={"rows": 2}), max_length=500,
                              required=False)

    def clean_teachers(self) -> list[dict[str, str]]:
        def teacher(n: int, parts: list[str]) -> dict[str, str]:
            if len(parts) != 2 or parts[1] not in GENDERS:
                raise forms.ValidationError(f"第 {n} 行应写 姓名 性别（男或女），如 周婷 女")
            return {"name": parts[0], "gender": GENDERS[parts[1]]}

        return _people(self.cleaned_data["teachers"], teacher, "请填写送教教师，每行一人")

    def as_record(self) -> dict:
        data = self.cleaned_data
        hours = float(data["class_hours"])
        record = {"date": data["date"].isoformat(), "class_hours": int(hours) if hours.is_integer() else hours,
                  "teachers": data["teachers"], "subject": data["subject"]}
        record.update({k: data[k] for k in ("tool", "content") if data.get(k)})
        return record

    @staticmethod
    def initial_of(item: dict) -> dict:
        """The form filled with a stored session (teachers one per line)."""
        genders = {v: k for k, v in GENDERS.items()}
        teachers = "\n".join(f"{t.get('name', '')} {genders.get(t.get('gender'), '')}".strip()
                              for t in item.get("teachers", []) if isinstance(t, dict))
        return {**{k: item.get(k) for k in ("date", "class_hours", "subject", "tool", "content")},
                "teachers": teachers}


class IssueForm(forms.Form):
    """Which document to issue for the case, and its date (成文日期)."""

    template = forms.ChoiceField(label="文书", error_messages={"required": "请选择要出具的文书",
                                                             "invalid_choice": "本单位不能为这个案卷出具这份文书"})
    date = forms.DateField(label="成文日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"required": "请填写成文日期", "invalid": "日期格式应为 2022-09-15"})

    def __init__(self, *args, templates: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t, t) for t in templates]


class VoidForm(forms.Form):
    reason = forms.CharField(label="作废原因", min_length=4, max_length=200,
                             error_messages={"required": "请写明作废原因", "min_length": "原因至少写 4 个字",
                                             "max_length": "原因不超过 200 个字"})


class LedgerForm(forms.Form):
    file = forms.FileField(label="Excel 台账（.xlsx，格式同导出的台账）",
                           error_messages={"required": "请选择要导入的 Excel 台账", "empty": "文件是空的"})


class RosterForm(forms.Form):
    """The county's 适龄儿童少年台账 workbook and the school year it is for."""

    file = forms.FileField(label="Excel 适龄儿童少年台账（.xlsx）",
                           error_messages={"required": "请选择要导入的 Excel 台账", "empty": "文件是空的"})
    school_year = forms.IntegerField(label="学年（起始年份，如 2022 表示 2022—2023 学年）", min_value=2000,
                                     max_value=2100,
                                     error_messages={"required": "请填写学年", "invalid": "学年应为四位年份，如 2022",
                                                     "min_value": "学年应为四位年份，如 2022",
                                                     "max_value": "学年应为四位年份，如 2022"})


class ExportForm(forms.Form):
    """Exports mask ID numbers; the full numbers only with a reason, which goes into the audit log."""

    full_ids = forms.BooleanField(label="导出完整身份证号（用于学籍系统核对；会记入操作日志）", required=False)
    reason = forms.CharField(label="原因", max_length=200, required=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("full_ids") and len(data.get("reason", "").strip()) < 4:
            self.add_error("reason", "导出完整身份证号须写明原因（至少 4 个字）")
        return data


class AccountForm(forms.Form):
    """A new account (or a new password for an existing one) in a unit of the county; a new unit is made."""

    username = forms.CharField(label="用户名（登录用，如 姓名或单位简称）", max_length=150,
                               error_messages={"required": "请填写用户名"})
    unit = forms.CharField(label="单位（从列表中选；新单位写全称并勾选下面的“新建单位”）", max_length=80,
                           widget=forms.TextInput(attrs={"list": "units"}),
                           error_messages={"required": "请填写单位名称，如 云溪镇中心小学"})
    kind = forms.ChoiceField(label="单位类别", choices=[("", "请选择"), ("bureau", "县教育局"), ("township", "乡镇"),
                                                     ("school", "学校"), ("auditor", "督导（只读）")],
                             error_messages={"required": "请选择单位类别", "invalid_choice": "请从列表中选择单位类别"})
    township = forms.CharField(label="所属乡镇（乡镇和学校填写，如 云溪镇）", max_length=40, required=False)
    new_unit = forms.BooleanField(label="新建单位（列表中没有这个单位时才勾选）", required=False)


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"required": f"请填写{label}", "invalid": "日期格式应为 2022-09-15"})


class TermForm(forms.Form):
    """The roster's ledgers and start-of-term statistics, as of the day the term starts — a day of the school year
    of the county's roster (``school_year``; None before one is imported)."""

    date = _date_field("开学日期")

    def __init__(self, *args, school_year: int | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.school_year = school_year

    def clean_date(self) -> dt.date:
        day = self.cleaned_data["date"]
        wrong_year = outside_school_year(self.school_year, day, "开学日期") if self.school_year else None
        if wrong_year:
            raise forms.ValidationError(wrong_year)
        return day


def term_form(school_year: int | None, data=None) -> TermForm:
    """The form starting the roster's job, offering 1 September of the roster's school year (of this one before a
    roster is imported)."""
    year = school_year if school_year is not None else school_year_of(dt.date.today())
    return TermForm(data, prefix="roster", initial={"date": dt.date(year, 9, 1)}, school_year=school_year)


class BatchForm(forms.Form):
    """A batch of one document for every case of the unit it applies to."""

    template = forms.ChoiceField(label="文书", error_messages={"required": "请选择要出具的文书",
                                                             "invalid_choice": "本单位不能出具这份文书"})
    date = _date_field("成文日期")
    pdf = forms.BooleanField(label="同时生成 PDF（较慢，每份约 0.1 秒）", required=False)

    def __init__(self, *args, templates: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t, t) for t in templates]


class AsOfForm(forms.Form):
    """An archive or an audit, as of a day."""

    date = _date_field("截止日期")


class CompareForm(forms.Form):
    before = forms.ChoiceField(label="较早的核查", error_messages={"required": "请选择较早的一次核查",
                                                                 "invalid_choice": "没有这次核查"})
    after = forms.ChoiceField(label="较晚的核查", error_messages={"required": "请选择较晚的一次核查",
                                                                "invalid_choice": "没有这次核查"})

    def __init__(self, *args, runs: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["before"].choices = self.fields["after"].choices = [(str(k), v) for k, v in runs]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("before") and data.get("before") == data.get("after"):
            self.add_error("after", "请选择两次不同的核查")
        return data


class MonthForm(forms.Form):
    """The month whose reports to make."""

    month = forms.RegexField(label="统计月份", regex=r"^\d{4}-(0[1-9]|1[0-2])$",
                             widget=forms.TextInput(attrs={"type": "month", "placeholder": "2022-10"}),
                             error_messages={"required": "请填写统计月份", "invalid": "月份格式应为 2022-10"})
