"""Forms of the facilities pages (the services check every rule again)."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.facilities.models import (
    WEEKDAYS,
    BookerKind,
    CommunityType,
    FacilityKind,
    Obtained,
    ProjectKind,
    ProjectStatus,
    Tenure,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HOUR_FIELDS = [f"hours_{d}" for d in range(1, 8)]


def org_choices(user, perm: str, levels=("community",)) -> list[tuple[str, str]]:
    """The units of the user's scope where they hold `perm`."""
    from shequ.core import scope
    from shequ.org.models import OrgUnit

    roots = scope.scope_codes(user, scope.roles_with(perm))
    qs = OrgUnit.objects.filter(level__in=levels).order_by("code")
    if roots is not None:
        qs = qs.filter(scope.prefix_q("code", roots))
    return [(u.code, f"{u.display_name}（{u.code}）") for u in qs[:2000]]


def kind_choices():
    return [(k.pk, k.name) for k in FacilityKind.objects.filter(active=True)]


class FacilityForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=80, help_text=_("如：宁安社区党群服务中心二楼活动室"))
    kind = forms.TypedChoiceField(label=_("类别"), coerce=int)
    area = forms.DecimalField(label=_("面积（平方米）"), max_digits=9, decimal_places=2, min_value=0)
    floor = forms.IntegerField(label=_("所在楼层"), required=False, help_text=_("地下为负数；室外场地留空"))
    step_free = forms.BooleanField(label=_("无障碍通行（一层或有电梯、坡道）"), required=False)
    tenure = forms.ChoiceField(label=_("产权方式"), choices=Tenure.choices)
    annual_rent = forms.DecimalField(label=_("年租金（元）"), max_digits=12, decimal_places=2, required=False,
                                     min_value=0, help_text=_("租用的阵地填写"))  # fmt: skip
    lease_start = forms.DateField(label=_("租期起"), required=False, widget=DATE)
    lease_end = forms.DateField(label=_("租期止"), required=False, widget=DATE)
    obtained = forms.ChoiceField(label=_("取得方式"), choices=[("", "—"), *Obtained.choices], required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    lat = forms.FloatField(label=_("纬度"), required=False, help_text=_("如 30.3555，在地图上显示位置"))
    lng = forms.FloatField(label=_("经度"), required=False, help_text=_("如 114.3185"))
    hours_1 = forms.CharField(label=_("周一开放时间"), required=False, max_length=100,
                              help_text=_("如 08:30-12:00, 14:00-17:30；不开放留空"))  # fmt: skip
    hours_2 = forms.CharField(label=_("周二开放时间"), required=False, max_length=100)
    hours_3 = forms.CharField(label=_("周三开放时间"), required=False, max_length=100)
    hours_4 = forms.CharField(label=_("周四开放时间"), required=False, max_length=100)
    hours_5 = forms.CharField(label=_("周五开放时间"), required=False, max_length=100)
    hours_6 = forms.CharField(label=_("周六开放时间"), required=False, max_length=100)
    hours_7 = forms.CharField(label=_("周日开放时间"), required=False, max_length=100)
    in_use = forms.BooleanField(label=_("在用"), required=False, initial=True)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    provider = forms.ChoiceField(label=_("提供单位"), required=False,
                                 help_text=_("驻区单位开放给居民的场地选择单位；社区自有阵地留空"))  # fmt: skip
    bookable = forms.BooleanField(label=_("开放预约"), required=False)
    book_residents = forms.BooleanField(label=_("居民可预约"), required=False, initial=True)
    book_teams = forms.BooleanField(label=_("团队可预约"), required=False, initial=True)
    book_units = forms.BooleanField(label=_("单位可预约"), required=False, initial=True)
    book_ahead_days = forms.IntegerField(label=_("最多提前预约天数"), min_value=1, max_value=365, initial=14)
    price_per_hour = forms.DecimalField(label=_("收费（元/小时）"), max_digits=8, decimal_places=2, min_value=0,
                                        initial=0, help_text=_("0 为免费；低偿场地填写每小时价格"))  # fmt: skip
    needs_approval = forms.BooleanField(label=_("预约须社区审批"), required=False)
    capacity = forms.IntegerField(label=_("容纳人数"), required=False, min_value=1, max_value=100000)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()
        self.fields["provider"].choices = [("", _("（社区自有）")), *units]

    def data_for_service(self) -> dict:
        d = dict(self.cleaned_data)
        d["opening_hours"] = {str(i): d.pop(f) or "" for i, f in enumerate(HOUR_FIELDS, start=1)}
        return d


class NewFacilityForm(FacilityForm):
    community = forms.ChoiceField(label=_("所在社区"))

    field_order = ["community"]

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = communities


def hours_initial(opening_hours: dict) -> dict:
    return {
        f"hours_{d}": ", ".join(f"{a}-{b}" for a, b in opening_hours.get(str(d), [])) for d in range(1, 8)
    }


class PhotoForm(forms.Form):
    photo = forms.ImageField(
        label=_("照片"), help_text=_("JPG、PNG 或 WEBP，8 MB 以内；位置等拍摄信息会被去除")
    )


class AreaRuleForm(forms.Form):
    community_type = forms.ChoiceField(label=_("社区类型"), choices=CommunityType.choices)
    name = forms.CharField(label=_("名称"), max_length=60, help_text=_("如：办公和服务用房"))
    min_area = forms.DecimalField(label=_("最低面积（平方米）"), max_digits=9, decimal_places=2, min_value=0)
    kinds = forms.TypedMultipleChoiceField(
        label=_("计入的阵地类别"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = kind_choices()


class PackageForm(forms.Form):
    community_type = forms.ChoiceField(label=_("社区类型"), choices=[("", _("两类社区都适用")), *CommunityType.choices],
                                       required=False)  # fmt: skip
    name = forms.CharField(
        label=_("名称"), max_length=60, help_text=_("如：五有、六室二站一场一校一市一中心")
    )
    kinds = forms.TypedMultipleChoiceField(
        label=_("须具备的阵地类别"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = kind_choices()


class ProjectForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    kind = forms.ChoiceField(label=_("项目类型"), choices=ProjectKind.choices)
    title = forms.CharField(label=_("项目名称"), max_length=100)
    plan_year = forms.IntegerField(label=_("计划年度"), min_value=2000, max_value=2100)
    area = forms.DecimalField(
        label=_("计划面积（平方米）"), max_digits=9, decimal_places=2, min_value=0, required=False
    )
    funds = forms.DecimalField(label=_("资金（元）"), max_digits=14, decimal_places=2, min_value=0)
    planned_end = forms.DateField(label=_("计划完成日期"), required=False, widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = communities


class ProjectMoveForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=ProjectStatus.choices)
    on = forms.DateField(label=_("日期"), widget=DATE, help_text=_("开工、完成或取消的日期"))
    progress = forms.IntegerField(label=_("进度（%）"), min_value=0, max_value=100, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class HandoverForm(forms.Form):
    where = forms.ChoiceField(label=_("所在街道或社区"))
    estate = forms.CharField(label=_("楼盘（小区）名称"), max_length=100)
    developer = forms.CharField(label=_("开发企业"), max_length=100)
    required_area = forms.DecimalField(
        label=_("应移交面积（平方米）"), max_digits=9, decimal_places=2, min_value=0
    )
    due_on = forms.DateField(label=_("应移交日期"), widget=DATE)
    planned_on = forms.DateField(label=_("同步规划日期"), required=False, widget=DATE)
    built_on = forms.DateField(label=_("同步建设（竣工）日期"), required=False, widget=DATE)
    accepted_on = forms.DateField(label=_("同步验收日期"), required=False, widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["where"].choices = places


class HandoverRecordForm(forms.Form):
    area = forms.DecimalField(
        label=_("已移交面积（平方米，累计）"), max_digits=9, decimal_places=2, min_value=0
    )
    on = forms.DateField(label=_("移交日期"), widget=DATE)
    accepted_on = forms.DateField(label=_("同步验收日期"), required=False, widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=300, required=False,
                           help_text=_("移交面积大于应移交面积时须写明原因"))  # fmt: skip


def half_hours(last: bool = False) -> list[tuple[str, str]]:
    times = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)]
    times = times[1:] + ["24:00"] if last else times
    return [(t, t) for t in times]


class BookForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=DATE)
    start = forms.ChoiceField(label=_("开始"), choices=half_hours())
    end = forms.ChoiceField(label=_("结束"), choices=half_hours(last=True))
    booker_kind = forms.ChoiceField(label=_("预约身份"), choices=BookerKind.choices)
    team_name = forms.CharField(
        label=_("团队名称"), max_length=60, required=False, help_text=_("以团队身份预约时填写")
    )
    unit = forms.ChoiceField(label=_("预约单位"), required=False)
    purpose = forms.CharField(label=_("用途"), max_length=100, help_text=_("如：合唱团排练、楼栋议事会"))
    attendees = forms.IntegerField(label=_("人数"), min_value=1, max_value=100000, initial=1)

    def __init__(self, *args, kinds=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["booker_kind"].choices = [c for c in BookerKind.choices if c[0] in kinds]
        if units:
            self.fields["unit"].choices = [("", "—"), *units]
        else:
            del self.fields["unit"]

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        from django.utils import timezone

        d = self.cleaned_data
        start = timezone.make_aware(dt.datetime.combine(d["day"], dt.time.fromisoformat(d["start"])))
        if d["end"] == "24:00":
            end = timezone.make_aware(dt.datetime.combine(d["day"] + dt.timedelta(days=1), dt.time()))
        else:
            end = timezone.make_aware(dt.datetime.combine(d["day"], dt.time.fromisoformat(d["end"])))
        return start, end


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("审批结果"), choices=[("approve", _("同意")), ("reject", _("不同意"))],
                                 widget=forms.RadioSelect)  # fmt: skip
    note = forms.CharField(
        label=_("审批意见"), max_length=200, required=False, help_text=_("不同意时须写明原因")
    )


class CancelForm(forms.Form):
    note = forms.CharField(label=_("取消原因"), max_length=200, required=False,
                           help_text=_("工作人员取消他人的预约时须填写"))  # fmt: skip


__all__ = ["WEEKDAYS"]
