"""Forms of the admission pages: a department's request (准入申请), a review member's vote, the
chair's close, a withdrawal, and the settings of a district's or street's review group. They check
what a form can (lengths, counts, dates); the notice period, the pre-check, the duplicate check and
every permission are the services' business."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core import scope
from shequ.core.forms import DateInput
from shequ.core.models import Membership, User
from shequ.core.roles import Role
from shequ.duties.models import (
    METRICS,
    DecisionRule,
    DutyPolicy,
    Frequency,
    Kind,
    Vote,
)
from shequ.org.models import Level, OrgUnit

_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
DATE = DateInput()


# --- choices ------------------------------------------------------------------------------------
def filing_communities(user):
    """Communities where the user may file requests (their file_request scope)."""
    qs = OrgUnit.objects.filter(level=Level.COMMUNITY).where_held(user, "duties.file_request")
    return qs.select_related("parent").order_by("code")


def community_choices(communities) -> list:
    """(street name, [(code, community name), …]) groups, for checkboxes grouped by street."""
    groups: dict[str, tuple[str, list]] = {}
    for c in communities:
        street = c.parent
        key = street.code if street else ""
        name = street.display_name if street else _("其他")
        groups.setdefault(key, (name, []))[1].append((c.code, c.display_name))
    return list(groups.values())


def area_choices(communities) -> list[dict]:
    """Whole areas one may pick instead of ticking every community: each street ("street:<code>"),
    and each district whose communities here lie in more than one street ("district:<code>"), with
    the codes each stands for (the form expands them on the server)."""
    from shequ.org.models import node_names

    streets: dict[str, list[str]] = {}
    for c in communities:
        if len(c.code) == 12:
            streets.setdefault(c.code[:9], []).append(c.code)
    districts: dict[str, list[str]] = {}
    for s in streets:
        districts.setdefault(s[:6], []).append(s)
    names = node_names([*streets, *districts])
    out = []
    for d, ss in sorted(districts.items()):
        if len(ss) > 1:
            codes = [c for s in ss for c in streets[s]]
            out.append(
                {
                    "key": f"district:{d}",
                    "code": d,
                    "label": _("全区所有社区（%(d)s，%(s)d 个街道 %(n)d 个社区）")
                    % {"d": names.get(d, d), "s": len(ss), "n": len(codes)},
                    "codes": codes,
                }
            )
    for s, codes in sorted(streets.items()):
        out.append(
            {
                "key": f"street:{s}",
                "code": s,
                "label": _("整个街道（全部 %(n)d 个社区）") % {"n": len(codes)},
                "codes": codes,
            }
        )
    return out


def item_choices(communities) -> list:
    """Items in force for the communities, grouped by kind (negative items included: linking one is
    how a department learns before filing that the work may not be handed down)."""
    from shequ.duties import services

    items = list(services.items_in_force([c.code for c in communities])) if communities else []
    groups = []
    for kind, label in Kind.choices:
        rows = [(str(i.pk), f"{i.code} {i.title}") for i in items if i.kind == kind]
        if rows:
            groups.append((label, sorted(rows, key=lambda r: r[1])))
    return [("", _("（不对应清单事项）"))] + groups


# --- the request ---------------------------------------------------------------------------------
def _count(label, help_text=""):
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=10_000,
        initial=0,
        required=False,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": 0, "class": "text-end"}),
    )


METRIC_LABELS = {
    "ledgers": _("台账（本）"),
    "forms": _("表格（张）"),
    "stamps": _("盖章事项（类）"),
    "signboards": _("挂牌（块）"),
    "inspections": _("检查（次/年）"),
    "appraisals": _("考核（次/年）"),
    "evaluations": _("评比（次/年）"),
    "meetings": _("会议（次/年）"),
    "data_reports": _("数据报送（次/年）"),
}


class RequestForm(forms.Form):
    """准入申请: what the department wants the communities to do, and the load, money and people."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    department = forms.CharField(
        label=_("申请部门"),
        max_length=100,
        required=False,
        help_text=_("部门工作人员无须填写，按账号所属部门提交。"),
    )
    title = forms.CharField(
        label=_("事项名称"),
        max_length=200,
        error_messages={"required": _("请填写事项名称。")},
        widget=forms.TextInput(attrs={"placeholder": _("如：2027 年度城乡居民医保参保动员")}),
    )
    description = forms.CharField(
        label=_("工作内容"),
        max_length=4000,
        error_messages={"required": _("请说明社区需要做什么。")},
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "maxlength": 4000,
                "placeholder": _("社区具体要做的工作：对象、方式、要提交的材料……"),
            }
        ),
    )
    reason = forms.CharField(
        label=_("申请理由"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )
    basis = forms.CharField(
        label=_("法律政策依据"),
        max_length=400,
        required=False,
        help_text=_("文件名称及文号；缺少依据的申请将退回补正。"),
    )
    item = forms.ChoiceField(label=_("对应清单事项"), required=False)
    areas = forms.MultipleChoiceField(
        label=_("整片选择"), required=False, widget=forms.CheckboxSelectMultiple
    )
    communities = forms.MultipleChoiceField(
        label=_("承接社区"), required=False, widget=forms.CheckboxSelectMultiple
    )
    start_date = forms.DateField(label=_("开始日期"), widget=DATE)
    end_date = forms.DateField(label=_("结束日期"), widget=DATE)
    frequency = forms.ChoiceField(label=_("频次"), choices=Frequency.choices, initial=Frequency.ONCE)
    hours_per_month = forms.DecimalField(
        label=_("每社区每月工作量（小时）"),
        min_value=Decimal("0"),
        max_value=Decimal("999999"),
        max_digits=7,
        decimal_places=1,
        initial=0,
        required=False,
    )
    ledgers = _count(METRIC_LABELS["ledgers"])
    ledger_names = forms.CharField(label=_("台账名称"), max_length=300, required=False)
    forms_count = _count(METRIC_LABELS["forms"])
    form_names = forms.CharField(label=_("表格名称"), max_length=300, required=False)
    stamps = _count(METRIC_LABELS["stamps"])
    signboards = _count(METRIC_LABELS["signboards"])
    inspections = _count(METRIC_LABELS["inspections"])
    appraisals = _count(METRIC_LABELS["appraisals"])
    evaluations = _count(METRIC_LABELS["evaluations"])
    meetings = _count(METRIC_LABELS["meetings"])
    data_reports = _count(METRIC_LABELS["data_reports"])
    funding_per_community = forms.DecimalField(
        label=_("每社区经费（元）"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        initial=0,
        required=False,
    )
    funding_source = forms.CharField(
        label=_("经费来源"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：区财政专项、部门工作经费")}),
    )
    personnel = forms.CharField(
        label=_("人员支持（人随事动）"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：每社区派驻 1 名工作人员，每周两天")}),
    )
    personnel_count = forms.IntegerField(
        label=_("每社区派驻人数"),
        min_value=0,
        max_value=1000,
        initial=0,
        required=False,
        help_text=_("随事派到每个承接社区的人数，经费保障模块据此统计人员到位。"),
    )
    urgent = forms.BooleanField(label=_("紧急事项（不足提前期限）"), required=False)
    urgent_reason = forms.CharField(
        label=_("紧急事由"),
        max_length=300,
        required=False,
        help_text=_("紧急事项须写明事由，并在减负台账中标注。"),
    )
    confirm_duplicate = forms.BooleanField(label=_("确认不是重复申请，仍然提交"), required=False)

    def __init__(self, *args, communities=(), areas=(), items=(), ask_department=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communities"].choices = communities
        self.areas = list(areas)
        self.area_codes = {a["key"]: a["codes"] for a in self.areas}
        self.fields["areas"].choices = [(a["key"], a["label"]) for a in self.areas]
        self.fields["item"].choices = items or [("", _("（不对应清单事项）"))]
        if not ask_department:
            del self.fields["department"]

    def clean_form_token(self):
        token = (self.cleaned_data.get("form_token") or "").strip().lower()
        if token and not _TOKEN_RE.match(token):
            raise ValidationError(_("表单已失效，请刷新页面后重新填写。"))
        return token

    # Streets with more communities than this start folded (a district has hundreds).
    PICKER_OPEN_LIMIT = 12

    def community_count(self) -> int:
        return sum(len(options) for _name, options in self.fields["communities"].choices)

    def district_areas(self) -> list[dict]:
        return [a for a in self.areas if a["key"].startswith("district:")]

    def picker_groups(self) -> list[dict]:
        """Per street: its name, its whole-street choice, its communities, and whether it starts
        unfolded (few communities, or some already ticked)."""
        chosen = set(self["communities"].value() or [])
        streets = {a["code"]: a for a in self.areas if a["key"].startswith("street:")}
        groups = []
        for name, options in self.fields["communities"].choices:
            street = options[0][0][:9] if options else ""
            groups.append(
                {
                    "name": name,
                    "area": streets.get(street),
                    "options": options,
                    "open": len(options) <= self.PICKER_OPEN_LIMIT or any(c in chosen for c, _l in options),
                }
            )
        return groups

    def clean_communities(self):
        """The communities ticked one by one, and those of every whole street or district chosen
        (in code order, each once)."""
        chosen = set(self.cleaned_data.get("communities") or [])
        for key in self.cleaned_data.get("areas") or []:
            chosen.update(self.area_codes.get(key, ()))
        if not chosen:
            raise ValidationError(_("请至少选择一个承接社区，或勾选“整个街道”“全区所有社区”。"))
        return sorted(chosen)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("结束日期不能早于开始日期。"))
        if data.get("urgent") and not (data.get("urgent_reason") or "").strip():
            self.add_error("urgent_reason", _("紧急事项须写明紧急事由。"))
        if "department" in self.fields and not (data.get("department") or "").strip():
            self.add_error("department", _("请填写申请部门。"))
        return data

    def service_kwargs(self, community_units: dict) -> dict:
        """The cleaned form as file_request's keywords (communities as org units)."""
        d = self.cleaned_data
        out = {
            "title": d["title"].strip(),
            "description": d["description"].strip(),
            "reason": d.get("reason") or "",
            "basis": d.get("basis") or "",
            "item": int(d["item"]) if d.get("item") else None,
            "communities": [community_units[c] for c in d["communities"] if c in community_units],
            "start_date": d["start_date"],
            "end_date": d["end_date"],
            "frequency": d["frequency"],
            "hours_per_month": d.get("hours_per_month") or Decimal("0"),
            "ledger_names": d.get("ledger_names") or "",
            "form_names": d.get("form_names") or "",
            "funding_per_community": d.get("funding_per_community") or Decimal("0"),
            "funding_source": d.get("funding_source") or "",
            "personnel": d.get("personnel") or "",
            "personnel_count": d.get("personnel_count") or 0,
            "urgent": bool(d.get("urgent")),
            "urgent_reason": (d.get("urgent_reason") or "").strip() if d.get("urgent") else "",
        }
        for field, _label, _yearly in METRICS:
            out[field] = d.get("forms_count" if field == "forms" else field) or 0
        if "department" in self.fields:
            out["department"] = d["department"].strip()
        return out

    @classmethod
    def initial_for(cls, req) -> dict:
        """A filed request as the form's initial values (to correct and resubmit it)."""
        initial = {
            name: getattr(req, name)
            for name in (
                "title",
                "description",
                "reason",
                "basis",
                "start_date",
                "end_date",
                "frequency",
                "hours_per_month",
                "ledger_names",
                "form_names",
                "funding_per_community",
                "funding_source",
                "personnel",
                "personnel_count",
                "urgent",
                "urgent_reason",
            )
        }
        for field, _label, _yearly in METRICS:
            initial["forms_count" if field == "forms" else field] = getattr(req, field)
        initial["item"] = str(req.item_id) if req.item_id else ""
        initial["communities"] = [c.code for c in req.communities.all()]
        initial["expected_version"] = req.version
        return initial


# --- review -------------------------------------------------------------------------------------
class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("审核意见"),
        choices=Vote.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择同意、不同意或修改后同意。")},
    )
    comment = forms.CharField(
        label=_("说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("不同意或修改后同意时请写明理由或修改意见。")}
        ),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("choice") in (Vote.REJECT, Vote.AMEND) and not (data.get("comment") or "").strip():
            self.add_error("comment", _("不同意或修改后同意时须写明理由或修改意见。"))
        return data


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("决定说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("如：审核期限已过，按已投票意见作出决定。")}
        ),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回原因"),
        max_length=300,
        error_messages={"required": _("请写明撤回原因。")},
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# --- review group settings ----------------------------------------------------------------------
class PolicyForm(forms.Form):
    """A district's or street's group name, rule and deadlines, and per-metric caps and baseline."""

    group_name = forms.CharField(label=_("审核小组名称"), max_length=100)
    decision_rule = forms.ChoiceField(
        label=_("决定规则"), choices=DecisionRule.choices, widget=forms.RadioSelect
    )
    notice_days = forms.IntegerField(label=_("提前申请（工作日）"), min_value=0, max_value=250)
    review_days = forms.IntegerField(label=_("审核时限（工作日）"), min_value=1, max_value=120)
    fast_track_days = forms.IntegerField(label=_("快速通道审核时限（工作日）"), min_value=1, max_value=60)
    reminder_days = forms.IntegerField(label=_("到期前提醒（工作日）"), min_value=0, max_value=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, label, yearly in METRICS:
            unit = _("次/年") if yearly else ""
            self.fields[f"cap_{field}"] = forms.IntegerField(
                label=label, min_value=0, max_value=100_000, required=False, help_text=unit
            )
            self.fields[f"base_{field}"] = forms.IntegerField(
                label=label, min_value=0, max_value=100_000, required=False
            )

    def clean(self):
        data = super().clean()
        review, fast = data.get("review_days"), data.get("fast_track_days")
        if review and fast and fast > review:
            self.add_error("fast_track_days", _("快速通道时限不能长于一般审核时限。"))
        return data

    def metric_rows(self):
        """(label, cap field, baseline field) per metric, for a two-column table."""
        return [(label, self[f"cap_{f}"], self[f"base_{f}"]) for f, label, _y in METRICS]

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        out = {k: d[k] for k in ("group_name", "decision_rule", "notice_days", "review_days")}
        out["fast_track_days"] = d["fast_track_days"]
        out["reminder_days"] = d["reminder_days"]
        out["caps"] = {f: d[f"cap_{f}"] for f, _l, _y in METRICS if d.get(f"cap_{f}") is not None}
        out["baseline"] = {f: d[f"base_{f}"] for f, _l, _y in METRICS if d.get(f"base_{f}") is not None}
        return out

    @staticmethod
    def initial_for(policy: DutyPolicy | None) -> dict:
        p = policy or DutyPolicy()
        initial = {
            k: getattr(p, k)
            for k in (
                "group_name",
                "decision_rule",
                "notice_days",
                "review_days",
                "fast_track_days",
                "reminder_days",
            )
        }
        for f, _l, _y in METRICS:
            initial[f"cap_{f}"] = (p.caps or {}).get(f)
            initial[f"base_{f}"] = (p.baseline or {}).get(f)
        return initial


def member_candidates(org) -> list:
    """Accounts that may sit in an org's review group: staff of the org or above it, and the
    departments there (residents and community staff are not members)."""
    roles = {Role.DISTRICT, Role.STREET, Role.DEPARTMENT, Role.SYSADMIN}
    above = [org.code[:n] for n in (2, 4, 6, 9) if n <= len(org.code)]
    ms = (
        Membership.objects.active()
        .filter(role__in=roles)
        .filter(scope.subtree_q("org__code", org.code) | Q(org__code__in=above) | Q(org__isnull=True))
        .values_list("user_id", flat=True)
    )
    return list(User.objects.filter(pk__in=set(ms), is_active=True).order_by("username"))


class MemberForm(forms.Form):
    user = forms.ChoiceField(label=_("成员账号"), required=False)
    title = forms.CharField(label=_("职务"), max_length=60, required=False)
    is_chair = forms.BooleanField(label=_("组长"), required=False)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "—")] + [
            (str(u.pk), f"{u.display_name or u.username}（{u.username}）") for u in users
        ]


class BaseMemberFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen, chairs = set(), 0
        for f in self.forms:
            uid = f.cleaned_data.get("user")
            if not uid:
                continue
            if uid in seen:
                raise ValidationError(_("同一账号不能重复列为成员。"))
            seen.add(uid)
            chairs += bool(f.cleaned_data.get("is_chair"))
        if seen and chairs != 1:
            raise ValidationError(_("审核小组须有且只有一名组长。"))

    def members(self) -> list[dict]:
        users = {
            str(u.pk): u
            for u in User.objects.filter(pk__in=[f.cleaned_data.get("user") or 0 for f in self.forms])
        }
        return [
            {
                "user": users[f.cleaned_data["user"]],
                "title": f.cleaned_data.get("title") or "",
                "is_chair": bool(f.cleaned_data.get("is_chair")),
            }
            for f in self.forms
            if f.cleaned_data.get("user") in users
        ]


MemberFormSet = forms.formset_factory(MemberForm, formset=BaseMemberFormSet, extra=3, max_num=30)
