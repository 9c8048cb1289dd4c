from django import forms, template
from django.contrib.contenttypes.models import ContentType

from shequ.core.masking import mask

register = template.Library()


@register.filter
def bs(field):
    """Render a bound field with the Bootstrap class its widget needs."""
    w = field.field.widget
    if isinstance(w, forms.RadioSelect):  # also CheckboxSelectMultiple: a row of toggle buttons
        return _choice_buttons(field)
    if isinstance(w, (forms.CheckboxInput,)):
        css = "form-check-input"
    elif isinstance(w, (forms.Select, forms.SelectMultiple)):
        css = "form-select"
    elif isinstance(w, forms.FileInput):
        css = "form-control"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css, **({"aria-invalid": "true"} if field.errors else {})})


def _choice_buttons(field):
    from django.utils.html import format_html, format_html_join

    kind = "checkbox" if isinstance(field.field.widget, forms.CheckboxSelectMultiple) else "radio"
    items = []
    for sub in field.subwidgets:
        d = sub.data
        items.append(
            (
                kind,
                d["name"],
                d["attrs"]["id"],
                d["value"],
                " checked" if d["selected"] else "",
                d["attrs"]["id"],
                d["label"],
            )
        )
    inner = format_html_join(
        "",
        '<input type="{}" class="btn-check" name="{}" id="{}" value="{}" autocomplete="off"{}>'
        '<label class="btn btn-outline-primary btn-sm" for="{}">{}</label>',
        items,
    )
    invalid = " is-invalid" if field.errors else ""
    return format_html('<div class="d-flex flex-wrap gap-2{}" role="group">{}</div>', invalid, inner)


@register.filter
def pct(value):
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


@register.filter
def masked(obj, name):
    f = obj._meta.get_field(name)
    return mask(getattr(obj, name), getattr(f, "mask", "default"))


@register.simple_tag
def ct_id(obj):
    return ContentType.objects.get_for_model(obj).pk


@register.filter
def is_checkbox(field):
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def may_read(user, model_label: str) -> bool:
    """{% if user|may_read:"org.Grid" %}: may the user read rows of that model anywhere (the rule of
    its pages, exports and API), e.g. before a page asks an endpoint that would answer 403."""
    from django.apps import apps

    from shequ.core import scope

    return scope.may_read(user, apps.get_model(model_label))


@register.simple_tag(takes_context=True)
def detail_panels(context, obj):
    """The panels other apps registered for this object's page (core.registry.detail_panels)."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from shequ.core.registry import detail_panels as panels

    request = context.get("request")
    if request is None:
        return ""
    parts = [
        render_to_string(p["template"], p.get("context", {}), request=request) for p in panels(request, obj)
    ]
    return mark_safe("".join(parts))  # each part is a template rendered with autoescaping
