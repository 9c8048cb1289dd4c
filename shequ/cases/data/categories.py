"""The seeded category tree: the event classes of CJ/T 214-2007 《城市市政综合监管信息系统 管理部件和
事件分类、编码及数据要求》 (大类 01–06, their 小类 with the standard's order) and the community
service classes residents bring to a residents' committee (大类 07–08).

Each 小类: (code, name, default unit kind, default department, limit value, limit unit, filing
condition, closure condition). Administrators edit all of it; this is only the starting point."""

G, C, S, D = "grid", "community", "street", "department"
H, W = "hours", "days"

MAJORS = [
    ("01", "市容环境", "CJ/T 214"),
    ("02", "宣传广告", "CJ/T 214"),
    ("03", "施工管理", "CJ/T 214"),
    ("04", "突发事件", "CJ/T 214"),
    ("05", "街面秩序", "CJ/T 214"),
    ("06", "扩展", "CJ/T 214"),
    ("07", "社区服务", "社区服务"),
    ("08", "社区治理", "社区服务"),
]


MINORS = [
    # 01 市容环境
    ("0101", "私搭乱建", D, "城管执法中队", 5, W, "现场核实存在私搭乱建", "已拆除或已依法立案查处"),
    ("0102", "暴露垃圾", G, "", 4, H, "公共区域存在暴露垃圾", "垃圾已清运，现场整洁"),
    ("0103", "积存垃圾渣土", D, "环卫所", 8, H, "积存垃圾渣土超过0.5立方米", "已清运完毕"),
    ("0104", "道路不洁", D, "环卫所", 4, H, "路面存在明显污物", "路面已清扫干净"),
    ("0105", "水域不洁", D, "水务站", 2, W, "水面漂浮物明显", "水面已打捞干净"),
    ("0106", "绿地脏乱", G, "", 8, H, "绿地内存在垃圾杂物", "绿地已清理整洁"),
    ("0107", "废弃家具设备", C, "", 2, W, "公共区域堆放废弃家具设备", "已清运"),
    ("0108", "非装饰性树挂", G, "", 8, H, "树木上悬挂杂物", "杂物已清除"),
    ("0109", "焚烧垃圾树叶", G, "", 2, H, "现场正在焚烧或有焚烧痕迹", "已制止并清理现场"),
    ("0110", "油烟污染", D, "城管执法中队", 5, W, "餐饮油烟直排扰民", "已安装净化设施或已查处"),
    # 02 宣传广告
    ("0201", "非法小广告", G, "", 8, H, "存在张贴、涂写、刻画的小广告", "小广告已清除"),
    ("0202", "违章张贴悬挂广告牌匾", D, "城管执法中队", 5, W, "未经审批设置广告牌匾", "已拆除或已补办审批"),
    ("0203", "占道广告牌", D, "城管执法中队", 2, W, "广告牌占用道路", "已清除"),
    ("0204", "街头散发广告", G, "", 4, H, "现场有人散发广告", "已劝离"),
    # 03 施工管理
    ("0301", "施工扰民", D, "住建局", 2, W, "夜间或禁止时段施工产生噪声", "已停止违规施工"),
    ("0302", "工地扬尘", D, "住建局", 2, W, "工地未落实覆盖、冲洗措施", "防尘措施已落实"),
    ("0303", "道路遗撒", D, "城管执法中队", 4, H, "运输车辆遗撒", "路面已清理"),
    ("0304", "施工占道", D, "城管执法中队", 2, W, "施工占道未审批或超范围", "已恢复通行"),
    ("0305", "无证掘路", D, "城管执法中队", 2, W, "未经许可挖掘道路", "已停工查处并恢复路面"),
    # 04 突发事件
    ("0401", "路面塌陷", D, "住建局", 4, H, "路面出现塌陷或空洞", "已围挡并修复"),
    ("0402", "自来水管破裂", D, "水务站", 4, H, "供水管道破裂漏水", "已抢修恢复供水"),
    ("0403", "燃气管道破裂", D, "燃气公司", 2, H, "有燃气泄漏迹象", "已关阀抢修，隐患消除"),
    ("0404", "下水道堵塞或破损", D, "水务站", 8, H, "下水道堵塞冒溢", "已疏通或修复"),
    ("0405", "道路积水", D, "水务站", 4, H, "路面积水影响通行", "积水已排除"),
    ("0406", "道路积雪结冰", D, "环卫所", 4, H, "路面积雪结冰", "已清除"),
    ("0407", "架空线缆损坏", D, "供电所", 8, H, "线缆断落或低垂", "已修复或清除"),
    ("0408", "火灾隐患", D, "消防救援站", 4, H, "存在火灾隐患或明火", "隐患已消除"),
    # 05 街面秩序
    ("0501", "无照经营游商", G, "", 4, H, "现场有流动摊贩", "已劝离或查处"),
    ("0502", "流浪乞讨", D, "民政办", 1, W, "现场有流浪乞讨人员", "已救助或劝离"),
    ("0503", "占道废品收购", G, "", 8, H, "占道收购废品", "已清理"),
    ("0504", "店外经营", G, "", 8, H, "商户越门窗经营", "已规范"),
    ("0505", "机动车乱停放", G, "", 4, H, "机动车占用人行道、消防通道", "车辆已挪离"),
    ("0506", "非机动车乱停放", G, "", 8, H, "非机动车堵塞通道", "已整理"),
    ("0507", "占道经营", G, "", 4, H, "占用道路摆摊经营", "已清理"),
    ("0508", "露天烧烤", G, "", 2, H, "露天烧烤产生油烟", "已制止"),
    # 06 扩展
    ("0601", "其他市容事件", C, "", 5, W, "经核实属于城市管理事项", "已处置完毕"),
    # 07 社区服务
    ("0701", "邻里纠纷", C, "", 5, W, "当事人申请调解或影响邻里和睦", "双方达成调解意见或已引导依法解决"),
    ("0702", "物业服务", C, "", 5, W, "物业服务不到位经核实", "物业企业已整改"),
    ("0703", "环境卫生", G, "", 1, W, "小区公共区域卫生问题", "已清理整洁"),
    ("0704", "公共设施维修", C, "", 5, W, "公共设施损坏影响使用", "已修复并可正常使用"),
    ("0705", "养老服务", C, "", 5, W, "老年人提出服务需求", "已提供服务或转介"),
    ("0706", "社会救助", C, "", 10, W, "居民申请救助或发现困难情况", "已受理救助申请或已转介"),
    ("0707", "就业", C, "", 10, W, "居民提出就业需求", "已提供岗位信息或培训转介"),
    ("0708", "电梯故障", D, "市场监管所", 8, H, "电梯停运或困人", "电梯已修复，检验合格"),
    ("0709", "供水供电", D, "供电所", 8, H, "停水停电或水电设施故障", "已恢复"),
    ("0710", "宠物", G, "", 2, W, "宠物扰民或伤人隐患", "已劝导饲养人并整改"),
    ("0711", "其他社区事项", C, "", 5, W, "属于社区服务范围", "已办结"),
    # 08 社区治理
    ("0801", "治安隐患", D, "派出所", 1, W, "存在治安隐患", "隐患已消除"),
    ("0802", "违章搭建", D, "城管执法中队", 10, W, "小区内违章搭建经核实", "已拆除或已依法立案查处"),
    ("0803", "噪音", G, "", 1, W, "噪声持续扰民", "噪声已消除"),
    ("0804", "停车", C, "", 5, W, "小区停车秩序问题", "已疏导或设置管理措施"),
    ("0805", "消防通道占用", G, "", 4, H, "消防通道被占用", "已清理畅通"),
    ("0806", "群租房", C, "", 5, W, "疑似群租经核实", "已整改"),
]

# Service definition attributes (Open311) for the classes where the extra answer helps dispatch.
ATTRIBUTES = {
    "0708": [
        {
            "code": "trapped",
            "datatype": "singlevaluelist",
            "required": True,
            "description": "是否有人被困",
            "order": 1,
            "values": [{"key": "yes", "name": "有人被困"}, {"key": "no", "name": "无人被困"}],
        },
        {"code": "building", "datatype": "string", "required": False, "description": "楼栋号", "order": 2},
    ],
    "0505": [
        {"code": "plate", "datatype": "string", "required": False, "description": "车牌号", "order": 1},
        {
            "code": "blocking_fire_lane",
            "datatype": "singlevaluelist",
            "required": True,
            "description": "是否堵塞消防通道",
            "order": 2,
            "values": [{"key": "yes", "name": "是"}, {"key": "no", "name": "否"}],
        },
    ],
    "0803": [
        {
            "code": "hour",
            "datatype": "number",
            "required": False,
            "description": "噪声出现的时刻（0–23）",
            "order": 1,
        },
        {
            "code": "since",
            "datatype": "datetime",
            "required": False,
            "description": "开始出现的时间",
            "order": 2,
        },
    ],
}

# Not filed by residents directly (reported by inspectors or found on patrol).
STAFF_ONLY = {"0109", "0303", "0305"}


def seed(Category) -> int:
    """Create the tree (existing codes are left as administrators edited them)."""
    existing = set(Category.objects.values_list("code", flat=True))
    majors = {}
    for code, name, source in MAJORS:
        majors[code] = Category.objects.get_or_create(code=code, defaults={"name": name, "source": source})[0]
    new = [
        Category(
            code=code,
            name=name,
            parent=majors[code[:2]],
            source=majors[code[:2]].source,
            default_unit_kind=kind,
            default_department=dept,
            limit_value=value,
            limit_unit=unit,
            filing_condition=filing,
            closure_condition=closure,
            public=code not in STAFF_ONLY,
            attributes=ATTRIBUTES.get(code, []),
        )
        for code, name, kind, dept, value, unit, filing, closure in MINORS
        if code not in existing
    ]
    if any(f.name == "publishable" for f in Category._meta.fields):  # absent in migration 0002
        from shequ.cases.models import default_publishable

        for c in new:
            c.publishable = default_publishable(c.name)
    Category.objects.bulk_create(new)
    return len(new)
