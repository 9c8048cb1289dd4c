"""Enumerations of the resident registry, with the national-standard codes where one exists.
The Chinese labels are what a clerk types into a workbook; the importer matches on them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DocType(models.TextChoices):
    ID_CARD = "id_card", _("居民身份证")
    HMT_PERMIT = "hmt_permit", _("港澳台居民居住证")
    PASSPORT = "passport", _("护照")
    FOREIGN_PR = "foreign_pr", _("外国人永久居留身份证")
    OTHER = "other", _("其他")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")
    UNKNOWN = "unknown", _("未说明")


# GB 3304-1991 民族名称的罗马字母拼写和代码: the 56 ethnic groups, 97 其他, 98 外国血统.
ETHNIC_GROUPS = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
    "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
    "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
]  # fmt: skip
Ethnicity = models.TextChoices(
    "Ethnicity",
    [(f"E{i:02d}", (f"{i:02d}", name)) for i, name in enumerate(ETHNIC_GROUPS, start=1)]
    + [("E97", ("97", "其他")), ("E98", ("98", "外国血统中国籍人士"))],
)


class Education(models.TextChoices):
    """GB/T 4658 学历代码, at the granularity community ledgers use."""

    POSTGRADUATE = "10", _("研究生")
    BACHELOR = "20", _("大学本科")
    COLLEGE = "30", _("大学专科")
    VOCATIONAL = "40", _("中等职业教育")
    HIGH_SCHOOL = "60", _("普通高中")
    JUNIOR = "70", _("初中")
    PRIMARY = "80", _("小学")
    NONE = "90", _("未上学")
    PRESCHOOL = "00", _("学龄前")


class PoliticalStatus(models.TextChoices):
    """GB/T 4762 政治面貌代码."""

    PARTY_MEMBER = "01", _("中共党员")
    PROBATIONARY = "02", _("中共预备党员")
    LEAGUE_MEMBER = "03", _("共青团员")
    DEMOCRATIC_PARTY = "04", _("民主党派成员")
    NON_PARTISAN = "12", _("无党派人士")
    MASSES = "13", _("群众")


PARTY = {PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY}


class MaritalStatus(models.TextChoices):
    """GB/T 2261.2 婚姻状况代码."""

    SINGLE = "10", _("未婚")
    MARRIED = "20", _("已婚")
    WIDOWED = "30", _("丧偶")
    DIVORCED = "40", _("离婚")
    UNSTATED = "90", _("未说明")


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("户籍在住")
    SEPARATED = "separated", _("人户分离")
    NON_REGISTERED = "non_registered", _("常住非户籍")
    FLOATING = "floating", _("流动人口")
    FOREIGN = "foreign", _("境外人员")


class Employment(models.TextChoices):
    EMPLOYED = "employed", _("在职")
    FLEXIBLE = "flexible", _("灵活就业")
    UNEMPLOYED = "unemployed", _("失业")
    RETIRED = "retired", _("离退休")
    STUDENT = "student", _("在校学生")
    PRESCHOOL = "preschool", _("学龄前")
    NONE = "none", _("无业")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    ACTIVE = "active", _("在册")
    MOVED_OUT = "moved_out", _("已迁出")
    DECEASED = "deceased", _("死亡")
    MISSING = "missing", _("失联")


class Relationship(models.TextChoices):
    """GB/T 4761 家庭关系代码 (its major classes)."""

    HEAD = "02", _("户主")
    SPOUSE = "10", _("配偶")
    SON = "20", pgettext_lazy("家庭关系", "子")
    DAUGHTER = "30", pgettext_lazy("家庭关系", "女")
    GRANDCHILD = "40", _("孙子女")
    PARENT = "50", _("父母")
    GRANDPARENT = "60", _("祖父母")
    SIBLING = "70", _("兄弟姐妹")
    OTHER_RELATIVE = "80", _("其他亲属")
    NON_RELATIVE = "99", _("非亲属")


class HouseholdType(models.TextChoices):
    FAMILY = "family", _("家庭户")
    COLLECTIVE = "collective", _("集体户")


class Tenure(models.TextChoices):
    OWNED = "owned", _("自有住房")
    RENTED = "rented", _("租住")
    BORROWED = "borrowed", _("借住")
    OTHER = "other", _("其他")


class Sensitivity(models.TextChoices):
    ORDINARY = "ordinary", _("一般")
    SENSITIVE = "sensitive", _("敏感")
    HIGHLY_SENSITIVE = "highly_sensitive", _("高度敏感")


class VisitMethod(models.TextChoices):
    HOME = "home", _("入户")
    PHONE = "phone", _("电话")
    VIDEO = "video", _("视频")


class EventKind(models.TextChoices):
    REGISTER = "register", _("建档")
    MOVE_IN = "move_in", _("迁入")
    MOVE_OUT = "move_out", _("迁出")
    BIRTH = "birth", _("出生")
    DEATH = "death", _("死亡")
    HOUSEHOLD_CHANGE = "household_change", _("户内变更")
    SEPARATION_CHANGE = "separation_change", _("人户分离变化")
    LOST_CONTACT = "lost_contact", _("失联")
    FOUND = "found", _("恢复联系")
