"""12345 work-order import: upload an xlsx or CSV export of the hotline system; the core import
pages (core:import-detail) show the preview, commit it and undo it."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.cases.importer import HotlineImporter
from shequ.core import importing, scope
from shequ.core.errors import DomainError
from shequ.core.generic import error_page
from shequ.core.roles import roles_with
from shequ.core.sheets import IMPORT_ACCEPT
from shequ.org.models import Level, OrgUnit


class HotlineImportForm(forms.Form):
    target = forms.ChoiceField(
        label=_l("导入到"), help_text=_l("没有经纬度、也没有填写社区的工单归入所选的街道或社区")
    )
    file = forms.FileField(
        label=_l("工单文件"),
        help_text=_l("12345 系统导出的 .xlsx、.xls 或 .csv 文件，或导入模板"),
        widget=forms.ClearableFileInput(attrs={"accept": IMPORT_ACCEPT}),
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = list(targets)


def import_targets(user) -> list[tuple[str, str]]:
    """Streets and communities where the user may import hotline orders."""
    roots = scope.scope_codes(user, roles_with(HotlineImporter.perm))
    units = OrgUnit.objects.filter(level__in=(Level.STREET, Level.COMMUNITY)).order_by("code")
    if roots is not None:
        units = units.filter(scope.prefix_q("code", roots))
    return [
        (u.code, u.display_name if u.level == Level.STREET else f"　{u.display_name}")
        for u in units.only("code", "name", "level")[:500]
    ]


@login_required
def hotline_import(request):
    """Upload a work-order file; it is checked in the background and previewed before anything is written."""
    user = request.user
    targets = import_targets(user)
    if not targets:
        return error_page(request, 403)
    form = HotlineImportForm(request.POST or None, request.FILES or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            batch = importing.start_upload(
                user, HotlineImporter.kind, form.cleaned_data["target"], form.cleaned_data["file"]
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect(batch.get_absolute_url())
    recent = importing.recent_batches(user, HotlineImporter.kind)
    return render(
        request,
        "cases/hotline_import.html",
        {
            "form": form,
            "recent": recent,
            "kind": HotlineImporter.kind,
            "importer": HotlineImporter,
            "steps": [
                _("从 12345 系统导出工单（xlsx 或 CSV），或下载模板按模板填写。"),
                _("上传后系统逐行校验，先给出预览：新建多少件、哪些工单已存在或在文件中重复、哪些行有错误。"),
                _(
                    "确认后每张工单成为一件“已受理”的案件，进入立案、派遣流程；导入后未办理的，管理员可整批撤销。"
                ),
            ],
            "footnote": _(
                "热线系统也可以直接推送工单：POST /api/v1/cases/hotline/orders（按工单编号去重）。"
            ),
        },
        status=400 if form.errors else 200,
    )


urlpatterns = [
    path("hotline/import/", hotline_import, name="hotline-import"),
]
