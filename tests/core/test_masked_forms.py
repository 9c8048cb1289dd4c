"""core.forms.SensitiveField: an edit form shows a stored ID number or phone only masked and
keeps it unless a new one is typed in full."""

import pytest
from django import forms

from shequ.core.forms import SensitiveField
from shequ.core.validators import validate_phone

STORED = "13912345678"
MASKED = "139****5678"


class ContactForm(forms.Form):
    name = forms.CharField(max_length=20)
    phone = SensitiveField(max_length=20, required=False, mask_rule="phone", validators=[validate_phone])


def test_the_page_gets_the_masked_value_only():
    html = str(ContactForm(initial={"name": "甲", "phone": STORED})["phone"])
    assert MASKED in html and STORED not in html
    assert 'autocomplete="off"' in html


def test_sent_back_as_shown_keeps_the_stored_value():
    form = ContactForm({"name": "甲", "phone": MASKED}, initial={"phone": STORED})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == STORED


def test_a_new_value_typed_in_full_replaces_it_and_is_validated():
    form = ContactForm({"name": "甲", "phone": "13800001111"}, initial={"phone": STORED})
    assert form.is_valid() and form.cleaned_data["phone"] == "13800001111"
    bad = ContactForm({"name": "甲", "phone": "12345"}, initial={"phone": STORED})
    assert not bad.is_valid() and "phone" in bad.errors
    cleared = ContactForm({"name": "甲", "phone": ""}, initial={"phone": STORED})
    assert cleared.is_valid() and cleared.cleaned_data["phone"] == ""


@pytest.mark.parametrize("sent", ["139****0000", "138****5678", "****"])
def test_a_half_edited_mask_is_refused(sent):
    form = ContactForm({"name": "甲", "phone": sent}, initial={"phone": STORED})
    assert not form.is_valid()
    assert "请完整填写新的号码" in str(form.errors["phone"])


def test_redisplay_after_another_error_never_shows_the_stored_value():
    form = ContactForm({"name": "", "phone": MASKED}, initial={"phone": STORED})
    assert not form.is_valid()
    html = str(form["phone"])
    assert MASKED in html and STORED not in html
    # What the user typed themselves comes back as typed.
    typed = ContactForm({"name": "", "phone": "13800001111"}, initial={"phone": STORED})
    assert not typed.is_valid() and "13800001111" in str(typed["phone"])


def test_without_a_stored_value_it_is_a_plain_field():
    form = ContactForm({"name": "甲", "phone": "13800001111"})
    assert form.is_valid() and form.cleaned_data["phone"] == "13800001111"
    assert not ContactForm({"name": "甲", "phone": "138****1111"}).is_valid()
