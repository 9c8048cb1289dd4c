"""Demo assessment: community types for the demo district, a unified scheme built from whatever the
indicator catalogue offers, computed for every community of the demo street, scored, self-assessed,
published, with objections (one upheld, one waiting); a 示范社区 creation round with 宁安's
application, its acceptance inspection and the title; a 小康社区 scheme graded 全面/基本/初步."""

import io
import random
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from shequ.assessment.models import (
    CommunityProfile,
    Entry,
    ItemScore,
    Objection,
    Round,
    Scheme,
    Title,
)
from shequ.assessment.models.descriptors import CommunityType
from shequ.assessment.services import creation, descriptors, rounds, schemes
from shequ.core import indicators
from shequ.core.errors import DomainError
from shequ.core.models import Attachment, User
from shequ.org.models import Level, OrgUnit

DISTRICT = "420115"
STREET = "420115001"
NINGAN, GUOLING = "420115001001", "420115001002"
KINDS = {NINGAN: "urban", GUOLING: "urban", "420115001005": "mixed", "420115001019": "village_community"}
UNIFIED = "社区工作综合考核（统一指标体系）"
MODEL = "示范社区创建"
XIAOKANG = "小康社区创建"


def is_loaded() -> bool:
    return Scheme.objects.filter(org__code=DISTRICT, name=UNIFIED).exists()


def reset() -> None:
    """Delete the demo district's assessment rows."""
    sub = {"scope_code__startswith": DISTRICT}
    for model in (ItemScore, Scheme):
        Attachment.objects.filter(
            owner_type=ContentType.objects.get_for_model(model), code__startswith=DISTRICT
        ).delete()
    Title.objects.filter(**sub).delete()
    Objection.objects.filter(**sub).delete()
    Entry.objects.filter(round__scope_code__startswith=DISTRICT).delete()
    Round.objects.filter(**sub).delete()
    Scheme.objects.filter(**sub).delete()
    CommunityProfile.objects.filter(**sub).delete()
    from shequ.core.models import Survey

    Survey.objects.filter(scope_code__startswith=DISTRICT, purpose="", feeds="core.satisfaction").delete()


def _png(rng) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (rng.randrange(256), rng.randrange(256), 160)).save(buf, format="PNG")
    return buf.getvalue()


def _pdf(title: str) -> bytes:
    body = f"BT /F1 14 Tf 40 780 Td ({title}) Tj ET".encode("latin-1", "replace")
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>endobj\n"
            b"4 0 obj<</Length " + str(len(body)).encode() + b">>stream\n" + body + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")  # fmt: skip


def satisfaction_survey(lead, rng) -> None:
    """宁安社区's residents' satisfaction survey: 60 households drawn from the registry, each given a
    code; 45 answer three rating questions; closed, it feeds 居民满意度 (core.satisfaction), which
    the unified scheme then reads like any other indicator."""
    import datetime as dt

    from shequ.core import surveys

    today = timezone.localdate()
    s = surveys.create_survey(
        lead, NINGAN, title=f"{today.year}年居民满意度调查", opens_on=today - dt.timedelta(days=14),
        closes_on=today + dt.timedelta(days=7), verify="code", per="household",
        intro="请对社区一年来的工作打分（1 分很不满意，5 分很满意）。", feeds="core.satisfaction",
    )  # fmt: skip
    questions = [
        surveys.add_question(lead, s.pk, kind="rating", text=text).pk
        for text in ("对社区服务的总体评价", "对小区环境卫生的评价", "对办事效率和态度的评价")
    ]
    _batch, drawn = surveys.draw_sample(lead, s.pk, 60)
    start = timezone.now() - dt.timedelta(days=10)
    for k, one in enumerate(drawn[:45]):
        answers = {str(q): max(1, min(5, round(rng.gauss(4.1, 0.8)))) for q in questions}
        surveys.submit_response(s, answers, code=one["code"], now=start + dt.timedelta(hours=5 * k))
    surveys.close_survey(lead, s.pk)


def indicator_items(user, share: Decimal) -> list[dict]:
    """Every catalogue indicator the district may read that applies to communities by year, scored
    linearly; their weights share `share` points (the remainder of an uneven split on the first)."""
    found = [i for i in indicators.catalogue(user) if "community" in i.scopes and "year" in i.periods]
    if not found:
        return []
    each = (share / len(found)).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    out = []
    for n, ind in enumerate(found):
        weight = each + (share - each * len(found) if n == 0 else 0)
        target, floor = (
            (Decimal("30"), Decimal("0")) if ind.higher_is_better else (Decimal("0"), Decimal("30"))
        )
        if ind.unit != "%":
            target, floor = (
                (Decimal("10"), Decimal("0")) if ind.higher_is_better else (Decimal("0"), Decimal("10"))
            )
        out.append({"indicator": ind.key, "label": str(ind.label), "weight": str(weight), "rule": "linear",
                    "params": {"floor": str(floor), "target": str(target)}, "_module": ind.module})  # fmt: skip
    return out


def _dimensions(items, manual) -> list[dict]:
    from django.apps import apps

    dims: dict[str, list] = {}
    for it in items:
        try:
            name = str(apps.get_app_config(it.pop("_module")).verbose_name)
        except LookupError:
            name = "数据指标"
        dims.setdefault(name, []).append(it)
    for name, its in manual:
        dims.setdefault(name, []).extend(its)
    return [{"name": k, "items": v} for k, v in dims.items()]


def load(seed: int = 20261121, echo=print) -> dict:
    rng = random.Random(seed)
    district = User.objects.get(username="district")
    street = User.objects.get(username="street")
    lead = User.objects.get(username="lead_ningan")
    guoling = User.objects.get(username="worker_guoling")
    year = timezone.localdate().year
    with transaction.atomic():
        units = list(OrgUnit.objects.filter(level=Level.COMMUNITY, code__startswith=STREET).order_by("code"))
        kinds = list(CommunityType.values)
        for u in units:
            descriptors.set_profile(district, community=u.code, kind=KINDS.get(u.code) or rng.choice(kinds),
                                    households=rng.randrange(600, 6000), residents=rng.randrange(1800, 16000))  # fmt: skip
        satisfaction_survey(lead, rng)
        data = indicator_items(district, Decimal("60"))
        manual = [("组织建设", [{"label": "党组织规范化建设", "weight": "20", "rule": "manual", "evidence_required": True}]),
                  ("服务群众", [{"label": "为民服务实事办理", "weight": "20", "rule": "manual", "evidence_required": False}])]  # fmt: skip
        if not data:
            manual[0][1][0]["weight"], manual[1][1][0]["weight"] = "50", "50"
        scheme = schemes.create_scheme(
            district, org=DISTRICT, name=UNIFIED, body="区委社会工作部", counts_as="evaluations",
            dimensions=_dimensions(data, manual),
            grades=[{"name": "优秀", "min": "90"}, {"name": "良好", "min": "80"}, {"name": "合格", "min": "60"},
                    {"name": "不合格", "min": "0"}], note="整合各部门对社区的评比，一年一次，指标从平台数据计算",
        )  # fmt: skip
        r = rounds.open_round(district, scheme=scheme, period=str(year), org=STREET)
        rounds.compute_round(district, r)
        scores = ItemScore.objects.filter(entry__round=r, item__rule="manual").select_related(
            "item", "entry__unit"
        )
        for sc in scores:
            pts = (Decimal(sc.item.weight) * Decimal(rng.randrange(60, 101)) / 100).quantize(Decimal("0.5"))
            photos = [("现场照片.png", _png(rng), "image/png")] if sc.item.evidence_required else []
            rounds.score_item(district, sc.pk, points=str(pts), note="现场查看台账与阵地", photos=photos)
        ningan = r.entries.get(unit__code=NINGAN)
        rounds.self_assess(lead, ningan.pk, scores={str(s.item_id): str(s.item.weight) for s in ningan.scores.select_related("item")},
                           note="各项工作均按要求完成")  # fmt: skip
        rounds.publish(district, r)
        sc = ningan.scores.filter(item__rule="manual").first()
        o = rounds.file_objection(
            lead, ningan.pk, score_id=sc.pk, reason="党组织规范化建设台账已补齐，现场查看时未出示"
        )
        rounds.handle_objection(
            district, o.pk, decision="upheld", points=str(sc.item.weight), reply="复核台账属实"
        )
        g = r.entries.filter(unit__code=GUOLING).first()
        if g is not None:
            rounds.file_objection(guoling, g.pk, reason="居民参与率未计入线下议事会签到人数")

        model = schemes.create_scheme(
            district, org=DISTRICT, name=MODEL, kind="creation", body="区民政局", title_name="示范社区", term_years=3,
            recheck_months=12, grades=[{"name": "示范", "min": "70"}], standard=("社区建设示范单位标准.pdf", _pdf("Standard")),
            dimensions=_dimensions(indicator_items(district, Decimal("30")) or [],
                                   [("阵地建设", [{"label": "党群服务中心面积与功能达标", "weight": "35" if data else "50", "rule": "manual"}]),
                                    ("服务群众", [{"label": "十五分钟便民服务圈", "weight": "35" if data else "50", "rule": "manual"}])]),
        )  # fmt: skip
        mr = rounds.open_round(district, scheme=model, period=str(year), org=STREET)
        e = creation.apply(
            lead, mr.pk, community=NINGAN, claim="建成 800 平方米党群服务中心，十五分钟便民服务圈全覆盖"
        )
        manual_ids = {
            s.item.label: str(s.item_id) for s in e.scores.select_related("item").filter(item__rule="manual")
        }
        creation.accept(street, e.pk, note="现场查看阵地与服务台账，资料齐全",
                        scores={manual_ids["党群服务中心面积与功能达标"]: "35" if data else "48",
                                manual_ids["十五分钟便民服务圈"]: "33" if data else "45"})  # fmt: skip
        e.refresh_from_db()
        try:
            creation.decide(street, e.pk, grant=True, note="验收合格")
        except DomainError as exc:
            echo(f"  示范社区未授予：{exc.message}")
        schemes.create_scheme(
            district, org=DISTRICT, name=XIAOKANG, kind="creation", body="区发改局", title_name="小康社区", term_years=5,
            recheck_months=24, grades=[{"name": "全面小康", "min": "90"}, {"name": "基本小康", "min": "75"},
                                       {"name": "初步小康", "min": "60"}],
            dimensions=[{"name": "小康指标", "items": [{"label": "居民人均可支配收入达标", "weight": "50", "rule": "manual"},
                                                        {"label": "公共服务设施配套", "weight": "50", "rule": "manual"}]}],
        )  # fmt: skip
    counts = {"schemes": 3, "entries": r.entries.count(), "indicators": len(data)}
    echo(
        f"  考核评估：统一考核 {counts['entries']} 个社区、{counts['indicators']} 项数据指标；示范社区创建 1 个申报并验收"
    )
    return counts
