"""Open311 client applications: the list of registered applications and the registration page,
which shows the new api_key once (it is stored hashed and cannot be shown again)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shequ.cases import services
from shequ.cases.models import Open311Client
from shequ.core import scope
from shequ.core.errors import DomainError, NotFound
from shequ.core.generic import error_page
from shequ.core.roles import roles_with
from shequ.org.models import Level, OrgUnit

PERM = "cases.manage_clients"


def _roots(user):
    """Org codes under which the user may manage applications (None: everywhere)."""
    return scope.scope_codes(user, roles_with(PERM))


def _streets(user):
    roots = _roots(user)
    qs = OrgUnit.objects.filter(level=Level.STREET).order_by("code")
    if roots is not None:
        qs = qs.filter(scope.prefix_q("code", roots))
    return qs


def _allowed(user) -> bool:
    roots = _roots(user)
    return roots is None or bool(roots)


class ClientForm(forms.Form):
    name = forms.CharField(label=_l("应用名称"), max_length=100, help_text=_l("如“市民随手拍”小程序"))
    street = forms.ChoiceField(label=_l("受理街道"), help_text=_l("该应用提交的诉求由此街道受理"))
    contact = forms.CharField(
        label=_l("联系人"), max_length=100, required=False, help_text=_l("应用开发或运维方的联系人与电话")
    )

    def __init__(self, *args, streets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = [(s.code, s.display_name) for s in streets]
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-select" if isinstance(f, forms.ChoiceField) else "form-control"


def _endpoints(request) -> dict:
    return {
        "production": request.build_absolute_uri("/open311/v2/"),
        "sandbox": request.build_absolute_uri("/open311/v2/sandbox/"),
        "discovery": request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "json"})),
    }


@login_required
def client_list(request):
    """Registered applications of the streets in the user's scope, with their intake counts."""
    if not _allowed(request.user):
        return error_page(request, 403)
    roots = _roots(request.user)
    qs = Open311Client.objects.select_related("street").annotate(
        case_count=Count("cases"), last_case=Max("cases__received_at")
    )
    if roots is not None:
        qs = qs.filter(scope.prefix_q("street__code", roots))
    clients = list(qs.order_by("-created_at", "-id"))
    return render(
        request,
        "cases/client_list.html",
        {"clients": clients, "endpoints": _endpoints(request), "title": _("Open311 接入应用")},
    )


@never_cache
@login_required
def client_create(request):
    """Register an application; the api_key appears on the answer page and nowhere else."""
    if not _allowed(request.user):
        return error_page(request, 403)
    streets = list(_streets(request.user))
    form = ClientForm(request.POST or None, streets=streets)
    if len(streets) == 1 and not request.POST:
        form.initial["street"] = streets[0].code
    if request.method == "POST" and form.is_valid():
        try:
            client, key = services.register_client(
                request.user,
                name=form.cleaned_data["name"],
                street_code=form.cleaned_data["street"],
                contact=form.cleaned_data["contact"],
            )
        except DomainError as exc:
            if exc.status == 403:
                return error_page(request, 403, exc.message)
            form.add_error(None, exc.message)
        else:
            return render(
                request,
                "cases/client_created.html",
                {"client": client, "key": key, "endpoints": _endpoints(request), "title": _("应用已登记")},
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request, "cases/client_form.html", {"form": form, "title": _("登记接入应用")}, status=status
    )


@login_required
@require_POST
def client_toggle(request, pk):
    """Stop or resume an application (a leaked api_key is stopped here, then a new app registered)."""
    try:
        client = services.set_client_active(request.user, pk, request.POST.get("active") == "1")
    except NotFound:
        raise Http404() from None
    messages.success(
        request,
        (_("已启用“%(n)s”。") if client.active else _("已停用“%(n)s”，其 api_key 不能再提交。"))
        % {"n": client.name},
    )
    return redirect("cases:client-list")


urlpatterns = [
    path("open311-clients/", client_list, name="client-list"),
    path("open311-clients/new/", client_create, name="client-create"),
    path("open311-clients/<int:pk>/active/", client_toggle, name="client-toggle"),
]
