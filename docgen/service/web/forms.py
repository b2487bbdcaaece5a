"""Forms: each field's rules and its Chinese messages, shown beside the field."""

from __future__ import annotations

from django import forms


class RevealForm(forms.Form):
    reason = forms.CharField(label="查看原因", min_length=4, max_length=200,
                             widget=forms.TextInput(attrs={"placeholder": "如：办理学籍转接，需核对身份证号"}),
                             error_messages={"required": "请写明为什么需要查看完整身份证号",
                                             "min_length": "原因至少写 4 个字，说清楚用途",
                                             "max_length": "原因不超过 200 个字"})
