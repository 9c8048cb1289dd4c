"""makemessages that also extracts `_l(...)` (our alias of gettext_lazy in views)."""

from django.core.management.commands.makemessages import Command as MakeMessages


class Command(MakeMessages):
    xgettext_options = [*MakeMessages.xgettext_options, "--keyword=_l"]
