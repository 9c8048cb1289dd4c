from django.db import migrations

# (code, name, note): the fund kinds the field reports name; data, editable in the admin.
KINDS = [
    ("office", "办公经费", "社区日常办公运转"),
    ("pay", "人员报酬", "社区工作者报酬及社会保险"),
    ("special", "专项工作经费", "按事项拨付，含随事转拨的经费（费随事转）"),
    ("award", "以奖代补/以奖代拨", "按考核或建设结果奖励"),
    ("premises", "社区建设资金", "社区用房（阵地）新建、改扩建"),
    ("cobuild", "共建经费", "驻区单位、结对单位共建"),
    ("project", "为民办实事项目资金", "为民办实事项目"),
    ("own", "社区自有收入", "场地、资产等社区自有收入"),
    ("donation", "捐赠", "单位和个人捐赠"),
]


def seed(apps, schema_editor):
    FundKind = apps.get_model("finance", "FundKind")
    for order, (code, name, note) in enumerate(KINDS, 1):
        FundKind.objects.update_or_create(code=code, defaults={"name": name, "order": order, "note": note})


def unseed(apps, schema_editor):
    apps.get_model("finance", "FundKind").objects.filter(code__in=[k[0] for k in KINDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
