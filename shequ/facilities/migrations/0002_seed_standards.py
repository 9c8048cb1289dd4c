from decimal import Decimal

from django.db import migrations

# (code, name, bookable by default, outdoor): the kinds most districts count; `kinds` are data.
KINDS = [
    ("office", "办公用房", False, False),
    ("service_hall", "服务大厅", False, False),
    ("party_center", "党群服务中心", False, False),
    ("meeting", "会议室", True, False),
    ("activity", "活动室", True, False),
    ("culture", "文化室", True, False),
    ("library", "图书室/电子阅览室", True, False),
    ("training", "培训室", True, False),
    ("elderly", "老年活动室", True, False),
    ("police", "警务室", False, False),
    ("health", "卫生服务站", False, False),
    ("social_security", "社会保障服务站", False, False),
    ("mediation", "调解室", False, False),
    ("school", "市民学校", True, False),
    ("market", "便民超市", False, False),
    ("square", "室外广场", True, True),
    ("fitness", "健身步道", False, True),
    ("sports", "运动场地", True, True),
]
INDOOR_SERVICE = ["office", "service_hall", "party_center", "meeting", "activity", "culture", "library",
                  "training", "elderly", "police", "health", "social_security", "mediation", "school"]  # fmt: skip
RURAL_OFFICE = ["office", "service_hall", "party_center", "meeting"]
RURAL_ACTIVITY = [
    "activity",
    "culture",
    "library",
    "training",
    "elderly",
    "school",
    "square",
    "fitness",
    "sports",
]
# (community type, name, minimum m², kinds counted)
AREA_RULES = [
    ("urban", "办公和服务用房", Decimal("300"), INDOOR_SERVICE),
    ("rural", "办公用房", Decimal("100"), RURAL_OFFICE),
    ("rural", "活动场所", Decimal("1000"), RURAL_ACTIVITY),
]
# Shipped examples: a district edits them to its own document's list.
PACKAGES = [
    ("", "五有", ["office", "service_hall", "activity", "police", "health"]),
    ("urban", "六室二站一场一校一市一中心", ["office", "police", "mediation", "library", "activity", "elderly",
                                             "health", "social_security", "square", "school", "market",
                                             "party_center"]),
]  # fmt: skip


def seed(apps, schema_editor):
    Kind = apps.get_model("facilities", "FacilityKind")
    AreaRule = apps.get_model("facilities", "AreaRule")
    KindPackage = apps.get_model("facilities", "KindPackage")
    kinds = {}
    for order, (code, name, bookable, outdoor) in enumerate(KINDS, start=1):
        kinds[code], _new = Kind.objects.get_or_create(
            code=code, defaults={"name": name, "order": order * 10, "bookable": bookable, "outdoor": outdoor}
        )
    if not AreaRule.objects.filter(district__isnull=True).exists():
        for order, (ctype, name, minimum, codes) in enumerate(AREA_RULES, start=1):
            rule = AreaRule.objects.create(community_type=ctype, name=name, min_area=minimum, order=order)
            rule.kinds.set([kinds[c] for c in codes])
    if not KindPackage.objects.filter(district__isnull=True).exists():
        for order, (ctype, name, codes) in enumerate(PACKAGES, start=1):
            package = KindPackage.objects.create(community_type=ctype, name=name, order=order)
            package.kinds.set([kinds[c] for c in codes])


class Migration(migrations.Migration):
    dependencies = [("facilities", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
