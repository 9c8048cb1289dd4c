"""街道内设机构: a street office's bodies with 编制 against 实有."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import scope
from shequ.core.errors import NotFound
from shequ.core.generic import ServiceFormView, error_page
from shequ.core.services import get_visible
from shequ.workforce import services
from shequ.workforce.forms import SectionForm
from shequ.workforce.models import VIEW, StreetSection
from shequ.workforce.views.roster import _focus_code, _HeldAnywhere, _scope_label


@login_required
def sections(request):
    """The internal bodies of the streets in the user's scope (or the chosen one), with totals."""
    user = request.user
    if not scope.holds(user, VIEW):
        return error_page(request, 403)
    code = (request.GET.get("scope") or _focus_code(request) or "").strip()
    if code and not scope.covers(user, code, VIEW):
        raise Http404()
    ctx = {
        "report": services.sections_of(user, code or None),
        "scope_label": _scope_label(code) if code else _("全部"),
        "can_enter": scope.holds(user, services.MANAGE_SECTIONS),
    }
    return render(request, "workforce/sections.html", ctx)


def _back():
    return {"parent_url": reverse("workforce:sections"), "parent_title": _("街道内设机构")}


class SectionEnter(_HeldAnywhere, ServiceFormView):
    form_class = SectionForm
    title = _l("登记内设机构编制与实有人数")
    perm = services.MANAGE_SECTIONS

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        found = StreetSection.objects.visible_to(self.request.user).filter(pk=self.request.GET.get("pk") or 0)
        s = found.select_related("org").first()
        if s is None:
            return {"as_of": timezone.localdate()}
        return {"street": s.org.code, "name": s.name, "established": s.established, "actual": s.actual,
                "as_of": timezone.localdate(), "note": s.note}  # fmt: skip

    def context(self):
        return _back()

    def perform(self, form):
        return services.set_section(self.request.user, **form.cleaned_data)


class SectionRemove(ServiceFormView):
    form_class = forms.Form
    title = _l("删除内设机构")
    submit_label = _l("删除")
    perm = services.MANAGE_SECTIONS

    def setup_objects(self):
        self.section = get_visible(StreetSection, self.request.user, self.kwargs["pk"])

    def perm_code(self):
        return self.section.scope_code

    def context(self):
        return {**_back(), "intro": _("删除“%(n)s”（%(s)s）。变更记录保留其最后的编制和实有人数。")
                % {"n": self.section.name, "s": self.section.org.display_name}}  # fmt: skip

    def perform(self, form):
        try:
            services.remove_section(self.request.user, self.section.pk)
        except NotFound:
            raise Http404() from None
        return self.section

    def success_url(self, obj):
        return obj.get_absolute_url()
