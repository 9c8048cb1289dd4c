from django import forms, template
from django.contrib.contenttypes.models import ContentType

from shequ.core.masking import mask

register = template.Library()


@register.filter
def bs(field):
    """Render a bound field with the Bootstrap class its widget needs."""
    w = field.field.widget
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
