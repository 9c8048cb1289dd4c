"""Survey pages: for staff, the list, a new survey, its questions, results and response rate, a
printed sheet of one-time codes, and closing; for residents, the phone page at /s/<token>/, where a
signed-in resident of the survey's scope or the holder of a code answers once and then sees their
own response (and nothing of anyone else's)."""

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from shequ.core import scope, surveys
from shequ.core.errors import DomainError, NotFound
from shequ.core.forms import DateInput
from shequ.core.generic import Column, ScopedDetailView, ScopedListView, ServiceFormView, error_page
from shequ.core.middleware import client_ip
from shequ.core.models import QuestionKind, Survey, SurveyPer, SurveyVerify
from shequ.core.services import get_visible

SESSION_CODES = "shequ_survey_codes"  # {survey pk: code pk} checked on this phone
SESSION_DONE = "shequ_survey_done"  # {survey pk: response pk} answered on this phone
SESSION_NAMES = "shequ_survey_names"  # {survey pk: respondent key} checked by name and digits here


def _unit_choices(user, perm: str) -> list[tuple[str, str]]:
    from shequ.org.models import Level, OrgUnit

    roots = scope.scope_codes(user, scope.roles_with(perm))
    qs = OrgUnit.objects.filter(level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY]).order_by("code")
    if roots is not None:
        qs = qs.filter(scope.prefix_q("code", roots))
    return [(u.code, f"{u.display_name}（{u.code}）") for u in qs[:3000]]


class SurveyForm(forms.Form):
    org = forms.ChoiceField(label=_l("面向"), help_text=_l("该区、街道或社区登记的居民可以填写"))
    title = forms.CharField(label=_l("问卷名称"), max_length=100)
    opens_on = forms.DateField(label=_l("开始日期"), widget=DateInput())
    closes_on = forms.DateField(label=_l("截止日期"), widget=DateInput())
    verify = forms.ChoiceField(
        label=_l("填写人核验"), choices=SurveyVerify.choices, initial=SurveyVerify.EITHER
    )
    per = forms.ChoiceField(label=_l("每份答卷代表"), choices=SurveyPer.choices, initial=SurveyPer.RESIDENT)
    eligible = forms.IntegerField(
        label=_l("应答人数（户数）"), min_value=1, required=False,
        help_text=_l("计算回收率的分母；不填时按发放的填写码或居民台账计算"),
    )  # fmt: skip
    intro = forms.CharField(
        label=_l("说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = _unit_choices(user, surveys.MANAGE)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_l("题型"), choices=QuestionKind.choices)
    text = forms.CharField(label=_l("题目"), max_length=300)
    options = forms.CharField(
        label=_l("选项"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_l("单选题填写，每行一个选项"),
    )  # fmt: skip
    required = forms.BooleanField(label=_l("必答"), required=False, initial=True)


class CodesForm(forms.Form):
    count = forms.IntegerField(
        label=_l("发放数量"), min_value=1, max_value=surveys.MAX_CODES, initial=50,
        help_text=_l("每位居民（或每户）一个；填写码只在打印页显示这一次，请当场打印。"),
    )  # fmt: skip


class ConfirmForm(forms.Form):
    """A confirmation with nothing to fill."""


class _HeldAnywhere:
    def _check_perm(self):
        if not scope.holds(self.request.user, self.perm):
            return error_page(self.request, 403)
        return None


class SurveyList(ScopedListView):
    model = Survey
    title = _l("问卷")
    default_sort = "-opens_on"
    select_related = ("org",)
    actions_template = "core/_survey_actions.html"
    columns = [
        Column(_l("问卷名称"), "title", sort="title", link=True),
        Column(_l("面向"), "org.display_name", sort="scope_code"),
        Column(_l("用途"), "purpose_label"),
        Column(_l("开始日期"), "opens_on", sort="opens_on"),
        Column(_l("截止日期"), "closes_on", sort="closes_on"),
        Column(_l("填写人核验"), "verify"),
        Column(_l("状态"), "state"),
    ]

    def col_purpose_label(self, obj):
        try:
            return surveys.purpose_of(obj).label
        except NotFound:
            return obj.purpose

    def col_state(self, obj):
        return _state(obj)

    def extra_context(self):
        return {"can_add": scope.holds(self.request.user, surveys.MANAGE)}


def state_of(survey) -> str:
    """open, pending (not yet) or closed."""
    today = timezone.localdate()
    if survey.closed_at is not None or survey.closes_on < today:
        return "closed"
    return "pending" if survey.opens_on > today else "open"


STATE_LABELS = {"open": _l("填写中"), "pending": _l("未开始"), "closed": _l("已结束")}


def _state(survey) -> str:
    return str(STATE_LABELS[state_of(survey)])


def public_link(request, survey) -> str:
    return request.build_absolute_uri(reverse("core:survey-answer", args=[survey.token]))


def qr_data_uri(url: str) -> str:
    """The link as a QR code (an SVG data URI: the page's CSP allows data: images)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#212529")


class SurveyDetail(ScopedDetailView):
    model = Survey
    template_name = "core/survey_detail.html"
    select_related = ("org",)

    def extra_context(self, obj) -> dict:
        user = self.request.user
        purpose = surveys.purpose_of(obj)
        can_manage = scope.covers(user, obj.scope_code, purpose.manage_perm)
        link = public_link(self.request, obj)
        owner_url = purpose.owner_url(obj.owner_id) if purpose.owner_url and obj.owner_id else None
        data = surveys.results(obj)
        return {
            "s": obj,
            "purpose": purpose,
            "owner_url": owner_url,
            "state": state_of(obj),
            "state_label": _state(obj),
            "data": data,
            "link": link,
            "qr": qr_data_uri(link),
            "batches": surveys.code_batches(obj),
            "can_manage": can_manage,
            "own": not obj.purpose,
            "answered": data["responses"] > 0,
        }


class SurveyCreate(_HeldAnywhere, ServiceFormView):
    form_class = SurveyForm
    title = _l("新建问卷")
    perm = surveys.MANAGE

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def initial(self):
        today = timezone.localdate()
        return {"opens_on": today, "closes_on": today + timezone.timedelta(days=14)}

    def context(self):
        return {"parent_url": reverse("core:survey-list"), "parent_title": _("问卷")}

    def perform(self, form):
        d = dict(form.cleaned_data)
        return surveys.create_survey(self.request.user, d.pop("org"), **d)


class _SurveyAct(ServiceFormView):
    """A form acting on one survey (404 outside the scope; 403 without its manage permission)."""

    def setup_objects(self):
        self.survey = get_visible(Survey, self.request.user, self.kwargs["pk"])
        self.perm = surveys.purpose_of(self.survey).manage_perm

    def perm_code(self):
        return self.survey.scope_code

    def context(self):
        return {"parent_url": self.survey.get_absolute_url(), "parent_title": self.survey.title}

    def success_url(self, obj):
        return self.survey.get_absolute_url()


class QuestionAdd(_SurveyAct):
    form_class = QuestionForm
    title = _l("添加题目")
    submit_label = _l("添加")

    def initial(self):
        return {"kind": QuestionKind.RATING, "required": True}

    def perform(self, form):
        d = form.cleaned_data
        options = [line for line in (d["options"] or "").splitlines() if line.strip()]
        return surveys.add_question(self.request.user, self.survey.pk, kind=d["kind"], text=d["text"],
                                    options=options, required=d["required"])  # fmt: skip


class SurveyClose(_SurveyAct):
    form_class = ConfirmForm
    title = _l("结束问卷")
    submit_label = _l("结束填写")

    def perform(self, form):
        return surveys.close_survey(self.request.user, self.survey.pk)


@login_required
@require_http_methods(["GET", "POST"])
def survey_codes(request, pk):
    """Issue a batch of one-time codes and show them once, as a sheet of slips to print and cut."""
    try:
        survey = get_visible(Survey, request.user, pk)
        purpose = surveys.purpose_of(survey)
    except NotFound:
        raise Http404() from None
    if not scope.covers(request.user, survey.scope_code, purpose.manage_perm):
        return error_page(request, 403)
    form = CodesForm(request.POST or None, initial={"count": 50})
    ctx = {"s": survey, "form": form, "title": _("发放填写码"), "parent_url": survey.get_absolute_url()}
    if request.method == "POST" and form.is_valid():
        try:
            batch, codes = surveys.issue_codes(request.user, survey.pk, form.cleaned_data["count"])
        except DomainError as exc:
            form.add_error("count", exc.message)
        else:
            link = public_link(request, survey)
            ctx.update({"batch": batch, "codes": codes, "link": link, "qr": qr_data_uri(link)})
            return render(request, "core/survey_sheet.html", ctx)
    return render(request, "core/survey_codes.html", ctx, status=400 if form.errors else 200)


# --- the residents' phone page ---------------------------------------------------------------------
class CodeEntryForm(forms.Form):
    code = forms.CharField(
        label=_l("填写码"), max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "characters",
                                      "spellcheck": "false", "placeholder": "ABCD-2345", "inputmode": "text"}),
    )  # fmt: skip


class NameEntryForm(forms.Form):
    name = forms.CharField(label=_l("姓名"), max_length=50)
    last4 = forms.CharField(
        label=_l("手机号码后四位"), max_length=4, min_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}),
        help_text=_l("与社区居民台账登记的手机号核对，不会公开"),
    )  # fmt: skip


def answer_form(survey, data=None):
    """A form of the survey's questions, one field `q<id>` each."""
    form = forms.Form(data)
    # Whether a question must be answered is the service's to say (with the question's number).
    for q in survey.questions.all():
        label = f"{q.position}. {q.text}"
        if q.kind == QuestionKind.TEXT:
            field = forms.CharField(label=label, required=False, max_length=surveys.MAX_TEXT,
                                    widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
        elif q.kind == QuestionKind.RATING:
            choices = [(str(r), surveys.RATING_LABELS[r]) for r in (5, 4, 3, 2, 1)]
            field = forms.ChoiceField(label=label, required=False, choices=choices,
                                      widget=forms.RadioSelect(attrs={"class": "btn-check"}))  # fmt: skip
        else:
            choices = [(str(i), o) for i, o in enumerate(q.options)]
            field = forms.ChoiceField(label=label, required=False, choices=choices, widget=forms.RadioSelect)
        field.question = q
        form.fields[f"q{q.pk}"] = field
    return form


def _session_map(request, key) -> dict:
    return dict(request.session.get(key) or {})


def _remember(request, key, survey, value) -> None:
    held = _session_map(request, key)
    held[str(survey.pk)] = value
    request.session[key] = held


def _forget(request, key, survey) -> None:
    held = _session_map(request, key)
    if held.pop(str(survey.pk), None) is not None:
        request.session[key] = held


@require_http_methods(["GET", "POST"])
def answer(request, token):
    """The phone page of a survey: who may answer (a resident signed in, or with a code), the
    questions, and afterwards the respondent's own answers."""
    survey = get_object_or_404(Survey.objects.select_related("org"), token=token)
    user = request.user
    signed_resident = user.is_authenticated and survey.takes_login and surveys.resident_of(user, survey)
    if request.method == "POST" and request.POST.get("step") == "another":
        _forget(request, SESSION_DONE, survey)  # the next resident answers on this phone
        return redirect("core:survey-answer", token=survey.token)
    ctx = {"s": survey, "title": survey.title, "state": state_of(survey), "signed_resident": signed_resident,
           "already": surveys.already_message(survey)}  # fmt: skip
    # What this phone already sent: a signed-in resident's own response, or the one sent here.
    own = surveys.own_response(survey, user) if signed_resident else None
    if own is None:
        done = _session_map(request, SESSION_DONE).get(str(survey.pk))
        own = survey.responses.filter(pk=done).prefetch_related("answers").first() if done else None
    if own is not None:
        ctx["mine"] = surveys.answers_shown(survey, own)
        ctx["mine_at"] = own.submitted_at
        status = 409 if request.method == "POST" else 200
        if request.method == "POST":
            ctx["refused"] = surveys.already_message(survey)
        return render(request, "core/survey_answer.html", ctx, status=status)
    if not survey.is_open():
        return render(request, "core/survey_answer.html", ctx)
    held_code = _session_map(request, SESSION_CODES).get(str(survey.pk))
    held_name = _session_map(request, SESSION_NAMES).get(str(survey.pk)) if survey.accepts_name else None
    may_answer = signed_resident or (survey.takes_code and held_code) or held_name
    if request.method == "POST" and request.POST.get("step") == "name" and survey.accepts_name:
        name_form = NameEntryForm(request.POST)
        if name_form.is_valid():
            try:
                key = surveys.check_name(survey, name_form.cleaned_data["name"], name_form.cleaned_data["last4"],
                                         ip=client_ip(request))  # fmt: skip
            except DomainError as exc:
                placed = False
                for field, msgs in (exc.details or {}).items():
                    if field in name_form.fields:
                        for m in msgs:
                            name_form.add_error(field, m)
                        placed = True
                if not placed:
                    name_form.add_error("last4", exc.message)
                ctx["name_form"] = name_form
                ctx["code_form"] = CodeEntryForm() if survey.takes_code else None
                return render(request, "core/survey_answer.html", ctx, status=exc.status)
            _remember(request, SESSION_NAMES, survey, key)
            return redirect("core:survey-answer", token=survey.token)
        ctx["name_form"] = name_form
        return render(request, "core/survey_answer.html", ctx, status=400)
    if request.method == "POST" and request.POST.get("step") == "code" and survey.takes_code:
        code_form = CodeEntryForm(request.POST)
        if code_form.is_valid():
            try:
                found = surveys.check_code(survey, code_form.cleaned_data["code"], ip=client_ip(request))
            except DomainError as exc:
                code_form.add_error("code", exc.message)
                ctx["code_form"] = code_form
                return render(request, "core/survey_answer.html", ctx, status=exc.status)
            _remember(request, SESSION_CODES, survey, found.pk)
            return redirect("core:survey-answer", token=survey.token)
        ctx["code_form"] = code_form
        return render(request, "core/survey_answer.html", ctx, status=400)
    if not may_answer:
        if survey.takes_code:
            ctx["code_form"] = CodeEntryForm()
        if survey.accepts_name:
            ctx["name_form"] = NameEntryForm()
        ctx["login_url"] = f"{reverse('core:login')}?next={request.path}" if survey.takes_login else None
        ctx["not_resident"] = user.is_authenticated and survey.takes_login and not signed_resident
        return render(request, "core/survey_answer.html", ctx)
    form = answer_form(survey, request.POST if request.method == "POST" else None)
    ctx.update({"form": form, "via_code": not signed_resident and not held_name,
                "via_name": not signed_resident and bool(held_name)})  # fmt: skip
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "core/survey_answer.html", ctx, status=400)
        given = {name[1:]: value for name, value in form.cleaned_data.items() if value not in (None, "")}
        try:
            by_name = not signed_resident and bool(held_name)
            response = surveys.submit_response(
                survey, given, user=user if signed_resident else None,
                code_id=None if signed_resident or by_name else held_code, ip=client_ip(request),
                name_key=held_name if by_name else "",
            )  # fmt: skip
        except DomainError as exc:
            for field, msgs in (exc.details or {}).items():
                if field in form.fields:
                    for m in msgs:
                        form.add_error(field, m)
            if exc.code in ("code_used", "already_answered"):
                _forget(request, SESSION_CODES, survey)
                _forget(request, SESSION_NAMES, survey)
            ctx["refused"] = exc.message
            return render(request, "core/survey_answer.html", ctx, status=exc.status)
        _forget(request, SESSION_CODES, survey)
        _forget(request, SESSION_NAMES, survey)
        _remember(request, SESSION_DONE, survey, response.pk)
        return redirect(f"{reverse('core:survey-answer', args=[survey.token])}?sent=1")
    return render(request, "core/survey_answer.html", ctx)
