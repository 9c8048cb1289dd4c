"""What the public may see of a case: a per-category publication switch (off by default for the
classes about a person's circumstances), the requester's wish not to be published, and the
requester's phone keyed as the resident registry keys phones (to tell whether the requester is a
tagged resident)."""

from django.db import migrations, models

import shequ.cases.models


def set_defaults(apps, schema_editor):
    from shequ.cases.models import default_publishable

    Category = apps.get_model("cases", "Category")
    private = [c.pk for c in Category.objects.only("pk", "name") if not default_publishable(c.name)]
    Category.objects.filter(pk__in=private).update(publishable=False)

    Case = apps.get_model("cases", "Case")
    field = Case._meta.get_field("requester_phone_key")
    batch = []
    for case in Case.objects.exclude(requester_phone="").only("pk", "requester_phone").iterator(2000):
        case.requester_phone_key = field.compute(case.requester_phone)
        batch.append(case)
        if len(batch) >= 2000:
            Case.objects.bulk_update(batch, ["requester_phone_key"])
            batch = []
    if batch:
        Case.objects.bulk_update(batch, ["requester_phone_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_status_scope_index"),
        ("people", "0002_seed_tags"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="publish_optout",
            field=models.BooleanField(db_default=False, default=False, verbose_name="诉求人要求不公开"),
        ),
        migrations.AddField(
            model_name="case",
            name="requester_phone_key",
            field=shequ.cases.models.RegistryPhoneKey(
                db_default="", db_index=False, source="requester_phone", verbose_name="诉求人电话检索索引"
            ),
        ),
        migrations.AddField(
            model_name="category",
            name="publishable",
            field=models.BooleanField(
                db_default=True,
                default=True,
                help_text="勾选后，此类案件立案后在 Open311 接口和公开查询中公开（隐去姓名、证件号、电话和门牌号，地址只到楼栋或街道，坐标约 100 米精度）。涉及个人情况的类别（如社会救助、养老服务、邻里纠纷、治安隐患）不应公开。",
                verbose_name="办理情况可公开",
            ),
        ),
        migrations.RunPython(set_defaults, migrations.RunPython.noop),
    ]
