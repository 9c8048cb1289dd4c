from django.db import migrations

CATEGORIES = [
    ("health", "医疗卫生", 10),
    ("elder", "养老", 20),
    ("childcare", "托育", 30),
    ("housekeeping", "家政", 40),
    ("property", "物业", 50),
    ("employment", "就业", 60),
    ("relief", "救助", 70),
    ("disability", "助残", 80),
    ("legal", "法律", 90),
    ("mediation", "调解", 100),
    ("culture", "文化体育", 110),
    ("convenience", "便民", 120),
    ("other", "其他", 200),
]


def seed(apps, schema_editor):
    ServiceCategory = apps.get_model("services", "ServiceCategory")
    for code, name, order in CATEGORIES:
        ServiceCategory.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
