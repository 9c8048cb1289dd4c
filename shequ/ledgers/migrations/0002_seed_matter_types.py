"""The matter types of the 人民调解 statistics, as data administrators may extend."""

from django.db import migrations

MATTER_TYPES = [
    "邻里纠纷",
    "婚姻家庭",
    "物业纠纷",
    "劳动争议",
    "损害赔偿",
    "房屋宅基地",
    "合同纠纷",
    "山林土地",
    "其他",
]


def seed(apps, schema_editor):
    MatterType = apps.get_model("ledgers", "MatterType")
    for i, name in enumerate(MATTER_TYPES, 1):
        MatterType.objects.get_or_create(name=name, defaults={"order": i * 10})


class Migration(migrations.Migration):
    dependencies = [("ledgers", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
