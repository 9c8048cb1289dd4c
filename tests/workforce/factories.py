"""Workers in the two-community world, entered and moved through the real services."""

import datetime as dt
import itertools

from shequ.core.validators import id_check_char
from shequ.workforce import services

_seq = itertools.count(1)


def id_number(birth: dt.date, female: bool = False) -> str:
    """A valid 18-digit ID number for a birth date (a different one each call)."""
    n = next(_seq)
    seq = f"{(n * 2) % 1000:03d}"
    seq = seq[:2] + str((int(seq[2]) // 2) * 2 + (0 if female else 1))
    first17 = f"420115{birth:%Y%m%d}{seq}"
    return first17 + id_check_char(first17)


def make_worker(world, side="a", *, who="street", birth=dt.date(1990, 5, 1), hired=dt.date(2018, 3, 1),
                female=False, **kw):  # fmt: skip
    """A full-time worker of community `side` entered by the street manager."""
    data = {
        "name": kw.pop("name", f"工作者{next(_seq)}"),
        "id_number": id_number(birth, female),
        "education": "本科",
        "source": "聘用",
        "hired_on": hired,
        "political_status": "中共党员",
    }
    data.update(kw)
    return services.add_worker(world.users[who], world.community(side).code, **data)
