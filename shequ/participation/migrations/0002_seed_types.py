from django.db import migrations

# Meeting types as most communities hold them (民政部门的“四会”加居民代表大会和议事会): quorum as a share
# of those expected, adoption as a share of those present. A district edits them as data.
TYPES = [
    # name, purpose, expected label, quorum (n, d, rule), adopt (n, d, rule), rates outcomes
    ("民情恳谈会", "听取居民意见，收集议题", "应到居民", (1, 2, "more_than"), (1, 2, "more_than"), False),
    ("民事协调会", "协调邻里、物业等矛盾纠纷", "应到各方", (1, 2, "more_than"), (1, 2, "more_than"), False),
    (
        "民意听证会",
        "对涉及居民利益的事项听证",
        "应到听证代表",
        (1, 2, "more_than"),
        (1, 2, "more_than"),
        False,
    ),
    (
        "民主评议会",
        "评议社区工作和决议落实成效",
        "应到评议代表",
        (1, 2, "more_than"),
        (1, 2, "more_than"),
        True,
    ),
    ("居民代表大会", "讨论决定社区重大事项", "应到居民代表", (2, 3, "at_least"), (1, 2, "more_than"), False),
    ("协商议事会", "多方协商社区公共事务", "应到议事成员", (1, 2, "more_than"), (1, 2, "more_than"), False),
    ("楼院议事会", "商议楼栋、院落的事", "应到住户代表", (1, 2, "more_than"), (1, 2, "more_than"), False),
]
CATEGORIES = [
    "环境卫生",
    "停车管理",
    "物业服务",
    "公共设施",
    "加装电梯",
    "安全隐患",
    "邻里关系",
    "养老托幼",
    "文体活动",
    "其他",
]


def seed(apps, schema_editor):
    MeetingType = apps.get_model("participation", "MeetingType")
    IssueCategory = apps.get_model("participation", "IssueCategory")
    for i, (name, purpose, label, q, a, rates) in enumerate(TYPES, start=1):
        MeetingType.objects.get_or_create(
            name=name,
            defaults={
                "purpose": purpose, "expected_label": label, "order": i, "rates_outcomes": rates,
                "quorum_numerator": q[0], "quorum_denominator": q[1], "quorum_rule": q[2],
                "adopt_numerator": a[0], "adopt_denominator": a[1], "adopt_rule": a[2],
            },
        )  # fmt: skip
    for i, name in enumerate(CATEGORIES, start=1):
        IssueCategory.objects.get_or_create(name=name, defaults={"order": i})


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
