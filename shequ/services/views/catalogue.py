"""The catalogue, the centres with their windows, and the outlets."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import scope
from shequ.core.generic import Column, ScopedDetailView, ScopedListView, ServiceFormView
from shequ.core.services import get_visible
from shequ.services import services
from shequ.services.filters import OutletFilter, ServiceFilter
from shequ.services.forms import (
    CentreForm,
    NewCentreForm,
    NewOutletForm,
    NewServiceForm,
    OutletForm,
    ServiceForm,
    WindowForm,
    org_choices,
)
from shequ.services.models import MANAGE, VIEW_RECORD, Centre, Outlet, Service, ServiceRecord, Window
from shequ.services.views.common import HeldAnywhere


class ServiceList(ScopedListView):
    model = Service
    filterset_class = ServiceFilter
    title = _l("服务目录")
    default_sort = "scope_code"
    select_related = ("org", "category", "provider_unit", "facility")
    actions_template = "services/_service_actions.html"
    columns = [
        Column(_l("服务名称"), "name", sort="name", link=True),
        Column(_l("所属"), "org.display_name", sort="scope_code"),
        Column(_l("类别"), "category.name", sort="category__order"),
        Column(_l("服务方式"), "mode", sort="mode"),
        Column(_l("收费标准"), "price_label"),
        Column(_l("提供方"), "provider_label"),
        Column(_l("服务地点"), "where"),
        Column(_l("服务时间"), "hours"),
        Column(_l("在办"), "active"),
    ]

    def col_where(self, obj):
        return obj.facility.name if obj.facility_id else obj.place

    def col_active(self, obj):
        return _("在办") if obj.active else _("停办")

    def extra_context(self):
        return {"can_add": scope.holds(self.request.user, MANAGE)}


class ServiceDetail(ScopedDetailView):
    model = Service
    template_name = "services/service_detail.html"
    select_related = ("org", "category", "provider_unit", "facility")

    def extra_context(self, obj):
        user = self.request.user
        records = None
        if scope.covers(user, obj.scope_code, VIEW_RECORD) or scope.may_read(user, ServiceRecord):
            records = ServiceRecord.objects.visible_to(user).filter(service=obj).count()
        return {
            "s": obj,
            "windows": obj.windows.select_related("centre").order_by("centre__scope_code", "number"),
            "records": records,
            "can_manage": scope.covers(user, obj.scope_code, MANAGE),
        }


class ServiceCreate(HeldAnywhere, ServiceFormView):
    form_class = NewServiceForm
    title = _l("新增服务项目")
    perm = MANAGE

    def get_form_kwargs(self):
        return {
            "user": self.request.user,
            "orgs": org_choices(self.request.user, MANAGE, ("street", "community")),
        }

    def initial(self):
        return {"mode": "free", "provider_kind": "community", "active": True}

    def context(self):
        return {"parent_url": reverse("services:service-list"), "parent_title": _("服务目录")}

    def perform(self, form):
        d = form.data_for_service()
        return services.add_service(self.request.user, d.pop("org"), **d)


class ServiceEdit(ServiceFormView):
    form_class = ServiceForm
    title = _l("修改服务项目")
    perm = MANAGE

    def setup_objects(self):
        self.object_ = get_visible(Service, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.object_.scope_code

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        s = self.object_
        out = {
            k: getattr(s, k)
            for k in services.SERVICE_FIELDS
            if k not in ("category", "provider_unit", "facility")
        }
        out.update(
            category=s.category_id,
            provider_unit=str(s.provider_unit_id or ""),
            facility=str(s.facility_id or ""),
        )
        return out

    def context(self):
        return {"parent_url": self.object_.get_absolute_url(), "parent_title": self.object_.name}

    def perform(self, form):
        return services.update_service(self.request.user, self.object_.pk, **form.data_for_service())


# --- centres and windows ----------------------------------------------------------------------------
class CentreList(ScopedListView):
    model = Centre
    title = _l("服务中心与窗口")
    default_sort = "scope_code"
    select_related = ("org", "facility")
    template_name = "services/centre_list.html"
    columns = [
        Column(_l("名称"), "name", sort="name", link=True),
        Column(_l("层级"), "level", sort="level"),
        Column(_l("所属单位"), "org.display_name", sort="scope_code"),
        Column(_l("地址"), "address"),
        Column(_l("办公时间"), "hours"),
        Column(_l("服务电话"), "phone"),
        Column(_l("窗口数"), "windows_n"),
        Column(_l("窗口人员"), "staff_n"),
    ]

    def base_queryset(self):
        from django.db.models import Sum

        return super().base_queryset().annotate(windows_n=Count("windows"), staff_n=Sum("windows__staff"))

    def extra_context(self):
        return {"can_add": scope.holds(self.request.user, MANAGE)}


class CentreDetail(ScopedDetailView):
    model = Centre
    template_name = "services/centre_detail.html"
    select_related = ("org", "facility")

    def extra_context(self, obj):
        return {
            "c": obj,
            "windows": obj.windows.prefetch_related("matters__category").order_by("number"),
            "can_manage": scope.covers(self.request.user, obj.scope_code, MANAGE),
        }


class CentreCreate(HeldAnywhere, ServiceFormView):
    form_class = NewCentreForm
    title = _l("登记服务中心（站）")
    perm = MANAGE

    def get_form_kwargs(self):
        orgs = org_choices(self.request.user, MANAGE, ("district", "street", "community"))
        return {"user": self.request.user, "orgs": orgs}

    def context(self):
        return {"parent_url": reverse("services:centre-list"), "parent_title": _("服务中心与窗口")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.add_centre(self.request.user, d.pop("org"), **d)


class CentreEdit(ServiceFormView):
    form_class = CentreForm
    title = _l("修改服务中心（站）")
    perm = MANAGE

    def setup_objects(self):
        self.centre = get_visible(Centre, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.centre.scope_code

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        c = self.centre
        return {"name": c.name, "address": c.address, "facility": str(c.facility_id or ""), "hours": c.hours,
                "phone": c.phone}  # fmt: skip

    def context(self):
        return {"parent_url": self.centre.get_absolute_url(), "parent_title": self.centre.name}

    def perform(self, form):
        return services.update_centre(self.request.user, self.centre.pk, **form.cleaned_data)


def matter_choices(user, centre) -> list:
    code = centre.org.code
    qs = Service.objects.visible_to(user).select_related("org", "category").filter(active=True)
    rows = [s for s in qs[:2000] if s.scope_code.startswith(code) or code.startswith(s.scope_code)]
    return [(str(s.pk), f"{s.name}（{s.org.display_name} · {s.category.name}）") for s in rows]


class WindowCreate(ServiceFormView):
    form_class = WindowForm
    title = _l("新增服务窗口")
    perm = MANAGE

    def setup_objects(self):
        self.centre = get_visible(Centre, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.centre.scope_code

    def get_form_kwargs(self):
        return {"matters": matter_choices(self.request.user, self.centre)}

    def initial(self):
        return {"number": (self.centre.windows.count() or 0) + 1, "staff": 1}

    def context(self):
        return {"parent_url": self.centre.get_absolute_url(), "parent_title": self.centre.name}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.add_window(self.request.user, self.centre.pk, **d)


class WindowEdit(ServiceFormView):
    form_class = WindowForm
    title = _l("修改服务窗口")
    perm = MANAGE

    def setup_objects(self):
        self.window = get_visible(Window, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.window.scope_code

    def get_form_kwargs(self):
        return {"matters": matter_choices(self.request.user, self.window.centre)}

    def initial(self):
        w = self.window
        return {"number": w.number, "name": w.name, "staff": w.staff,
                "matters": [str(pk) for pk in w.matters.values_list("pk", flat=True)]}  # fmt: skip

    def context(self):
        return {"parent_url": self.window.centre.get_absolute_url(), "parent_title": self.window.centre.name}

    def perform(self, form):
        return services.update_window(self.request.user, self.window.pk, **form.cleaned_data)


# --- outlets ----------------------------------------------------------------------------------------
class OutletList(ScopedListView):
    model = Outlet
    filterset_class = OutletFilter
    title = _l("服务网点")
    default_sort = "scope_code"
    select_related = ("community", "category")
    actions_template = "services/_outlet_actions.html"
    columns = [
        Column(_l("网点名称"), "name", sort="name", link=True),
        Column(_l("社区"), "community.display_name", sort="scope_code"),
        Column(_l("服务类别"), "category.name", sort="category__order"),
        Column(_l("举办方类型"), "provider_kind"),
        Column(_l("举办方"), "provider_name"),
        Column(_l("地址"), "address"),
        Column(_l("从业人员"), "staff", sort="staff"),
        Column(_l("其中下岗失业人员"), "formerly_unemployed", sort="formerly_unemployed"),
        Column(_l("开办日期"), "opened_on"),
        Column(_l("在营"), "active"),
    ]

    def col_active(self, obj):
        return _("在营") if obj.active else _("停业")

    def extra_context(self):
        from django.db.models import Sum

        qs = self.base_queryset()
        sums = qs.aggregate(staff=Sum("staff"), unemployed=Sum("formerly_unemployed"))
        return {"can_add": scope.holds(self.request.user, MANAGE), "outlets": qs.count(), "sums": sums,
                "can_edit": scope.holds(self.request.user, MANAGE)}  # fmt: skip


class OutletCreate(HeldAnywhere, ServiceFormView):
    form_class = NewOutletForm
    title = _l("登记服务网点")
    perm = MANAGE

    def get_form_kwargs(self):
        return {"communities": org_choices(self.request.user, MANAGE)}

    def initial(self):
        return {"provider_kind": "community", "staff": 0, "formerly_unemployed": 0, "active": True}

    def context(self):
        return {"parent_url": reverse("services:outlet-list"), "parent_title": _("服务网点")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.add_outlet(self.request.user, d.pop("community"), **d)

    def success_url(self, obj):
        return reverse("services:outlet-list")


class OutletEdit(ServiceFormView):
    form_class = OutletForm
    title = _l("修改服务网点")
    perm = MANAGE

    def setup_objects(self):
        self.outlet = get_visible(Outlet, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.outlet.scope_code

    def initial(self):
        from shequ.services.services.catalogue import OUTLET_FIELDS

        o = self.outlet
        out = {k: getattr(o, k) for k in OUTLET_FIELDS}
        out["category"] = o.category_id
        return out

    def context(self):
        return {"parent_url": reverse("services:outlet-list"), "parent_title": _("服务网点")}

    def perform(self, form):
        return services.update_outlet(self.request.user, self.outlet.pk, **form.cleaned_data)

    def success_url(self, obj):
        return reverse("services:outlet-list")
