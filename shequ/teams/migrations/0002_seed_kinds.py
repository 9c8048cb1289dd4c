from django.db import migrations

# The kinds of team the field reports count, and the talents a 文化人才库 registers (登记造册).
# A district edits both as data.
KINDS = [("志愿服务队", True), ("党员志愿者队", True), ("110志愿者队", True), ("文艺队", False), ("合唱队", False),
         ("舞蹈队", False), ("秧歌队", False), ("体育健身队", False), ("读书会", False), ("书画社", False),
         ("戏曲队", False), ("其他队伍", False)]  # fmt: skip
SKILLS = [("书法", "文化艺术"), ("绘画", "文化艺术"), ("乐器", "文化艺术"), ("声乐", "文化艺术"), ("指挥", "文化艺术"),
          ("编排", "文化艺术"), ("舞蹈", "文化艺术"), ("戏曲", "文化艺术"), ("摄影", "文化艺术"), ("写作", "文化艺术"),
          ("体育健身", "体育"), ("太极拳", "体育"), ("医疗", "专业服务"), ("法律", "专业服务"), ("心理咨询", "专业服务"),
          ("维修", "生活服务"), ("理发", "生活服务"), ("烹饪", "生活服务"), ("电脑", "专业服务"), ("外语", "专业服务")]  # fmt: skip


def seed(apps, schema_editor):
    TeamKind = apps.get_model("teams", "TeamKind")
    Skill = apps.get_model("teams", "Skill")
    for i, (name, volunteer) in enumerate(KINDS, start=1):
        TeamKind.objects.get_or_create(name=name, defaults={"volunteer": volunteer, "order": i})
    for i, (name, group) in enumerate(SKILLS, start=1):
        Skill.objects.get_or_create(name=name, defaults={"group": group, "order": i})


class Migration(migrations.Migration):
    dependencies = [("teams", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
