"""The default 人群标签 and the rules for who may see which. Administrators edit the list on the
tag settings page; a migration seeds these."""

from django.utils.translation import gettext as _

from shequ.core import scope
from shequ.core.roles import Role, roles_with

H = "highly_sensitive"
S = "sensitive"
O = "ordinary"  # noqa: E741
# Who may see a highly sensitive tag unless an administrator changes it: the community lead and
# the grid worker who visits (never department staff, never every community worker).
DEFAULT_GRANT = [Role.SYSADMIN, Role.DISTRICT, Role.STREET, Role.COMMUNITY_LEAD, Role.GRID_WORKER]

# (code, name, sensitivity, rule, visit interval in days, detail fields)
DEFAULT_TAGS = [
    ("age60", "60岁以上", O, "age60", None, []),
    ("age80", "80岁以上高龄", O, "age80", None, []),
    ("party", "党员", O, "party", None, []),
    ("living_alone", "独居老人", O, "", 7, []),
    ("empty_nest", "空巢老人", O, "", 30, []),
    ("disabled", "残疾人", S, "", 30, ["category", "grade"]),
    ("dibao", "低保", S, "", 90, []),
    ("tekun", "特困供养", S, "", 30, []),
    ("low_income", "低收入", S, "", None, []),
    ("youfu", "优抚对象", O, "", 90, []),
    ("veteran", "退役军人", O, "", None, []),
    ("unemployed", "失业人员", O, "", None, []),
    ("left_behind_child", "留守儿童", S, "", 30, []),
    ("correction", "社区矫正对象", H, "", 30, []),
    ("released", "刑满释放人员", H, "", 90, []),
    ("mental", "严重精神障碍患者", H, "", 30, []),
    ("drug", "吸毒人员", H, "", 30, []),
    ("key_youth", "重点青少年", H, "", 30, []),
]

DISABILITY_CATEGORIES = ["视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾", "多重残疾"]
DISABILITY_GRADES = ["一级", "二级", "三级", "四级"]
DETAIL_LABELS = {"category": "类别", "grade": "等级"}


def held_roles(user) -> set:
    return {m.role for m in scope.memberships(user)}


def can_see(user, tag) -> bool:
    """May this user see that a resident has this tag (independently of the resident's scope)?"""
    held = held_roles(user)
    if tag.sensitivity == H:
        return bool(held & set(tag.granted_roles or []))
    if tag.sensitivity == S:
        return bool(held & roles_with("people.view_sensitive_tags"))
    return bool(held & roles_with("people.view_resident"))


def visible_tags(user, *, include_inactive=False):
    """Tag definitions this user may see, in display order (cached per request on the user)."""
    from shequ.people.models import TagDefinition

    cache_name = "_people_tags_all" if include_inactive else "_people_tags"
    cached = getattr(user, cache_name, None)
    if cached is None:
        qs = TagDefinition.objects.all()
        if not include_inactive:
            qs = qs.filter(active=True)
        cached = [t for t in qs if can_see(user, t)]
        setattr(user, cache_name, cached)
    return cached


def detail_text(tag, detail: dict) -> str:
    parts = [f"{_(DETAIL_LABELS.get(k, k))}：{detail[k]}" for k in tag.detail_fields if detail.get(k)]
    return "，".join(parts)
