"""makemessages that also extracts `_l(...)` (our alias of gettext_lazy in views) and `N_(...)`
(gettext_noop: strings kept untranslated in data, translated where shown)."""

from django.core.management.commands.makemessages import Command as MakeMessages


class Command(MakeMessages):
    xgettext_options = [*MakeMessages.xgettext_options, "--keyword=_l", "--keyword=N_"]
